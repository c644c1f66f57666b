package config

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
)

// unitMultipliers maps a lower-cased unit, without its optional trailing
// "b", to its value in bytes.
var unitMultipliers = map[string]uint64{
	"":   1,
	"k":  1e3,
	"m":  1e6,
	"g":  1e9,
	"t":  1e12,
	"p":  1e15,
	"ki": 1 << 10,
	"mi": 1 << 20,
	"gi": 1 << 30,
	"ti": 1 << 40,
	"pi": 1 << 50,
}

// ParseCapacity parses a size in bytes such as "1024", "500G", "1.5T",
// "10M", "1TB" or "1TiB". The unit letters K, M, G, T and P are powers of
// 1000 (so "1T" is 10^12 bytes, as disk vendors count) and Ki, Mi, Gi, Ti
// and Pi are powers of 1024; units are case-insensitive, may end with B and
// may be separated from the number by spaces. A fractional number is
// allowed with a unit and rounded down to whole bytes.
func ParseCapacity(s string) (uint64, error) {
	text := strings.TrimSpace(s)
	numEnd := strings.IndexFunc(text, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if numEnd < 0 {
		numEnd = len(text)
	}
	number, unit := text[:numEnd], strings.ToLower(strings.TrimSpace(text[numEnd:]))
	if number == "" {
		return 0, fmt.Errorf("invalid size %q: expected a number of bytes optionally followed by a unit such as G, T or TiB", s)
	}
	mult, ok := unitMultipliers[strings.TrimSuffix(unit, "b")]
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit; use K, M, G, T, P (powers of 1000) or Ki, Mi, Gi, Ti, Pi (powers of 1024), optionally followed by B", s)
	}
	value, ok := new(big.Rat).SetString(number)
	if !ok || strings.HasPrefix(number, ".") || strings.HasSuffix(number, ".") {
		return 0, fmt.Errorf("invalid size %q: malformed number %q", s, number)
	}
	value.Mul(value, new(big.Rat).SetInt(new(big.Int).SetUint64(mult)))
	if mult == 1 && !value.IsInt() {
		return 0, fmt.Errorf("invalid size %q: a number of bytes must be whole", s)
	}
	bytes := new(big.Int).Quo(value.Num(), value.Denom()) // positive, so this rounds down
	if !bytes.IsUint64() {
		return 0, fmt.Errorf("invalid size %q: larger than %d bytes", s, uint64(math.MaxUint64))
	}
	return bytes.Uint64(), nil
}

// errNegativeSize is returned for a negative integer where a size is due.
var errNegativeSize = errors.New("a size cannot be negative")

// sizeFromValue accepts a decoded TOML value that is either an integer
// number of bytes or a string for ParseCapacity.
func sizeFromValue(v any) (uint64, error) {
	switch v := v.(type) {
	case int64:
		if v < 0 {
			return 0, errNegativeSize
		}
		return uint64(v), nil
	case string:
		return ParseCapacity(v)
	default:
		return 0, fmt.Errorf("expected a size such as \"500G\" or an integer number of bytes, got %s", describeValue(v))
	}
}
