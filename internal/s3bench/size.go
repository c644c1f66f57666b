package s3bench

import (
	"errors"
	"fmt"
	"strings"

	"github.com/garagego/garage/internal/config"
)

// Size is one object size to measure.
type Size struct {
	Label string // as given, e.g. "4KiB"; it names the size in the report and the object keys
	Bytes int64
}

const (
	// defaultBudget is how many bytes a size's phase moves by default, so
	// that the default run takes about two minutes on a small machine.
	defaultBudget   = 512 << 20
	defaultMaxCount = 2048
	// maxSize is the largest object a single PUT may upload.
	maxSize = 5 << 30
)

// ParseSizes parses the values of --sizes: sizes with an optional unit (K,
// M, G are powers of 1000; Ki, Mi, Gi of 1024), from 1 byte to 5 GiB.
func ParseSizes(specs []string) ([]Size, error) {
	var sizes []Size
	for _, s := range specs {
		n, err := config.ParseCapacity(s)
		if err != nil {
			return nil, fmt.Errorf("--sizes: %w", err)
		}
		if n == 0 || n > maxSize {
			return nil, fmt.Errorf("--sizes %q: want 1 byte to 5 GiB (a single PUT's limit)", s)
		}
		sizes = append(sizes, Size{Label: strings.TrimSpace(s), Bytes: int64(n)})
	}
	if len(sizes) == 0 {
		return nil, errors.New("--sizes: give at least one size")
	}
	return sizes, nil
}

// DefaultCount is the number of objects of a size a run moves when given
// neither a count nor a duration: defaultBudget's worth, but at least two
// per client, so that every client is busy through the phase even with the
// largest objects, and not so many small ones that they dominate the run.
func DefaultCount(size int64, clients int) int {
	return int(min(max(defaultBudget/size, 2*int64(clients)), max(defaultMaxCount, 2*int64(clients))))
}
