package config

import (
	"strings"
	"testing"
)

func TestParseCapacity(t *testing.T) {
	cases := map[string]uint64{
		"0":       0,
		"1024":    1024,
		"10M":     10_000_000,
		"500G":    500_000_000_000,
		"1T":      1_000_000_000_000,
		"1t":      1_000_000_000_000,
		"1TB":     1_000_000_000_000,
		"1tb":     1_000_000_000_000,
		"1.5T":    1_500_000_000_000,
		"1TiB":    1 << 40,
		"1Ti":     1 << 40,
		"1tib":    1 << 40,
		"1.5TiB":  3 << 39,
		"2P":      2_000_000_000_000_000,
		"1Pi":     1 << 50,
		"1K":      1000,
		"1KiB":    1024,
		"1MiB":    1 << 20,
		"1GiB":    1 << 30,
		"1B":      1,
		"2 GB":    2_000_000_000,
		" 3G ":    3_000_000_000,
		"0.5K":    500,
		"1.0005K": 1000, // fractions of a byte are rounded down
		"1.0":     1,
	}
	for in, want := range cases {
		got, err := ParseCapacity(in)
		if err != nil || got != want {
			t.Errorf("ParseCapacity(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestParseCapacityRejects(t *testing.T) {
	cases := map[string]string{
		"":          "expected a number",
		"T":         "expected a number",
		"-1G":       "expected a number",
		"1X":        "unknown unit",
		"1Tb2":      "unknown unit",
		"1Kib b":    "unknown unit",
		"1.2.3G":    "malformed number",
		".5G":       "malformed number",
		"5.G":       "malformed number",
		"1.5":       "must be whole",
		"1_000":     "unknown unit",
		"100000P":   "larger than",
		"20000000T": "larger than",
	}
	for in, want := range cases {
		_, err := ParseCapacity(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseCapacity(%q) error = %v, want one containing %q", in, err, want)
		}
	}
}

func TestBlockSizeForms(t *testing.T) {
	cases := map[string]int64{
		`1048576`:  1 << 20,
		`"1M"`:     1_000_000,
		`"1MiB"`:   1 << 20,
		`"10M"`:    10_000_000,
		`"1KiB"`:   1 << 10,
		`"1GiB"`:   1 << 30,
		`"256 kB"`: 256_000,
	}
	for value, want := range cases {
		c := mustParse(t, minimalFile+"block_size = "+value+"\n")
		if c.BlockSize != want {
			t.Errorf("block_size = %s: BlockSize = %d, want %d", value, c.BlockSize, want)
		}
	}
	for _, value := range []string{`1023`, `"10G"`, `"1.1GiB"`, `"big"`, `-1`, `true`} {
		if _, err := parseEnv(nil, minimalFile+"block_size = "+value+"\n"); err == nil {
			t.Errorf("block_size = %s accepted", value)
		}
	}
}

func TestCapacityForms(t *testing.T) {
	cases := map[string]uint64{
		`2000000000000`: 2_000_000_000_000,
		`"2T"`:          2_000_000_000_000,
		`"500G"`:        500_000_000_000,
		`"1.5T"`:        1_500_000_000_000,
		`"1TiB"`:        1 << 40,
	}
	for value, want := range cases {
		doc := strings.Replace(minimalFile, `data_dir = "/var/lib/garage/data"`,
			`data_dir = [{ path = "/d", capacity = `+value+` }]`, 1)
		c := mustParse(t, doc)
		if c.DataDirs[0].Capacity != want {
			t.Errorf("capacity = %s: Capacity = %d, want %d", value, c.DataDirs[0].Capacity, want)
		}
	}
}
