package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/wire"
)

// ConfigQuotas names the bucket's quotas in Bucket.Configs (EncodeQuotas);
// absent, or a tombstone, means no quota.
const ConfigQuotas = "quotas"

// Quotas limit what a bucket holds: MaxSize its bytes (of every data
// version, current or not), MaxObjects its objects (keys whose current
// version holds data). Nil means no limit. As in Garage they are soft:
// writes are checked against eventually consistent counters.
type Quotas struct {
	MaxSize    *uint64 `json:"maxSize"`
	MaxObjects *uint64 `json:"maxObjects"`
}

// Any reports whether q limits anything.
func (q Quotas) Any() bool { return q.MaxSize != nil || q.MaxObjects != nil }

// EncodeQuotas is the form Bucket.Configs holds.
func EncodeQuotas(q Quotas) []byte {
	e := wire.NewEncoder(nil)
	for _, v := range []*uint64{q.MaxSize, q.MaxObjects} {
		e.Bool(v != nil)
		if v != nil {
			e.Uvarint(*v)
		}
	}
	return e.Bytes()
}

// DecodeQuotas reads what EncodeQuotas wrote.
func DecodeQuotas(b []byte) (Quotas, error) {
	d := wire.NewDecoder(b)
	var q Quotas
	for _, p := range []**uint64{&q.MaxSize, &q.MaxObjects} {
		if d.Bool() {
			v := d.Uvarint()
			*p = &v
		}
	}
	if err := d.Finish(); err != nil {
		return Quotas{}, fmt.Errorf("bucket quotas: %w", err)
	}
	return q, nil
}

// Quotas are the bucket's quotas (none if unset or unreadable: a quota
// never written by this code cannot be enforced by it).
func (b Bucket) Quotas() Quotas {
	v, ok := b.Config(ConfigQuotas)
	if !ok {
		return Quotas{}
	}
	q, err := DecodeQuotas(v)
	if err != nil {
		return Quotas{}
	}
	return q
}

// sizeUnits are the units ParseSize reads, as Garage's CLI (the bytesize
// crate) does: decimal (k, kb, m, mb...) and binary (ki, kib, mi, mib...),
// in any case.
var sizeUnits = map[string]float64{ // lookups only
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "ki": 1 << 10, "kib": 1 << 10,
	"m": 1e6, "mb": 1e6, "mi": 1 << 20, "mib": 1 << 20,
	"g": 1e9, "gb": 1e9, "gi": 1 << 30, "gib": 1 << 30,
	"t": 1e12, "tb": 1e12, "ti": 1 << 40, "tib": 1 << 40,
	"p": 1e15, "pb": 1e15, "pi": 1 << 50, "pib": 1 << 50,
}

// ParseSize reads a size such as "10GiB", "500MB", "1.5 TB" or "4096".
func ParseSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	if i < 0 {
		i = len(t)
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult, ok := sizeUnits[unit]
	if !ok || num == "" {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	if n, err := strconv.ParseUint(num, 10, 64); err == nil && mult == math.Trunc(mult) {
		v := n * uint64(mult)
		if n != 0 && v/n != uint64(mult) {
			return 0, fmt.Errorf("size %q is too large", s)
		}
		return v, nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f*mult >= math.MaxUint64 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return uint64(f * mult), nil
}

// FormatSize shows a size as Garage's CLI does: "1.5 GiB" (binary) or
// "1.6 GB" (decimal); under one unit, "N B".
func FormatSize(n uint64, binary bool) string {
	unit, suffix := 1000.0, "B"
	if binary {
		unit, suffix = 1024, "iB"
	}
	if float64(n) < unit {
		return fmt.Sprintf("%d B", n)
	}
	exp := int(math.Log(float64(n)) / math.Log(unit))
	if exp < 6 && float64(n) >= math.Pow(unit, float64(exp+1)) {
		exp++ // the logarithm's rounding fell short of an exact power
	}
	exp = max(1, min(exp, 6))
	return fmt.Sprintf("%.1f %c%s", float64(n)/math.Pow(unit, float64(exp)), "KMGTPE"[exp-1], suffix)
}
