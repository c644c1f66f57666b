package s3bench

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseSizes(t *testing.T) {
	got, err := ParseSizes([]string{"4KiB", " 1MiB", "10KB", "1", "5GiB"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Size{{"4KiB", 4 << 10}, {"1MiB", 1 << 20}, {"10KB", 10_000}, {"1", 1}, {"5GiB", 5 << 30}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, tc := range []struct {
		specs []string
		want  string
	}{
		{[]string{"4Qi"}, `--sizes: invalid size "4Qi": unknown unit`},
		{[]string{"4KiB", "0"}, `--sizes "0": want 1 byte to 5 GiB (a single PUT's limit)`},
		{[]string{"6GiB"}, `--sizes "6GiB": want 1 byte to 5 GiB (a single PUT's limit)`},
		{nil, "--sizes: give at least one size"},
	} {
		_, err := ParseSizes(tc.specs)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("ParseSizes(%q): %v, want %s…", tc.specs, err, tc.want)
		}
	}
}

func TestDefaultCount(t *testing.T) {
	for _, tc := range []struct {
		size    int64
		clients int
		want    int
	}{
		{4 << 10, 16, 2048}, {1 << 20, 16, 512}, {64 << 20, 16, 32}, {64 << 20, 4, 8}, {4 << 10, 2000, 4000},
	} {
		if got := DefaultCount(tc.size, tc.clients); got != tc.want {
			t.Errorf("DefaultCount(%d, %d) = %d, want %d", tc.size, tc.clients, got, tc.want)
		}
	}
}

// A phase moves Count objects, or runs for Duration (count 0), or, given
// neither, moves DefaultCount objects.
func TestWorkloadCount(t *testing.T) {
	size := Size{"1MiB", 1 << 20}
	for _, tc := range []struct {
		w    Workload
		want int
	}{
		{Workload{Clients: 16, Count: 5}, 5},
		{Workload{Clients: 16, Duration: time.Second}, 0},
		{Workload{Clients: 16}, 512},
		{Workload{Clients: 400}, 800},
	} {
		if got := tc.w.count(size); got != tc.want {
			t.Errorf("count %d, duration %v, %d clients: %d objects, want %d", tc.w.Count, tc.w.Duration, tc.w.Clients, got, tc.want)
		}
	}
}
