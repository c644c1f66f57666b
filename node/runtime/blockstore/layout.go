package blockstore

import (
	"cmp"
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/garagego/garage/node/cluster"
)

// numSlices is how many parts the hash space is cut into for placing blocks
// on data directories, as in Garage.
const numSlices = 1024

// sliceOf is the slice a block belongs to: bytes 2–3 of its hash. Bytes 0–1
// name its sub-directories and byte 0 its partition, so using the next two
// keeps every slice spread over all partitions.
func sliceOf(h cluster.Hash) int {
	return int(binary.BigEndian.Uint16(h[2:4])) % numSlices
}

// assignSlices gives each slice a primary directory, as an index into
// capacities, where a zero capacity marks a directory that takes no slices
// (read-only). Counts follow the capacities by largest remainder (ties to
// the earlier directory), and each directory gets a contiguous run of slices
// in configuration order. The result depends only on the capacities, so
// every Open with the same configuration places blocks identically.
// At least one capacity must be non-zero.
func assignSlices(capacities []uint64) [numSlices]int {
	var total uint64
	for _, c := range capacities {
		total += c
	}
	type share struct {
		dir       int
		count     uint64
		remainder uint64 // of numSlices*capacity/total, all over the same total
	}
	shares := make([]share, len(capacities))
	var assigned uint64
	for i, c := range capacities {
		// 128-bit product: capacities are bytes, and numSlices*c can pass 2^64.
		hi, lo := bits.Mul64(c, numSlices)
		q, r := bits.Div64(hi, lo, total)
		shares[i] = share{dir: i, count: q, remainder: r}
		assigned += q
	}
	byRemainder := slices.Clone(shares)
	slices.SortStableFunc(byRemainder, func(a, b share) int { return cmp.Compare(b.remainder, a.remainder) })
	for _, s := range byRemainder[:numSlices-assigned] {
		shares[s.dir].count++
	}

	var primary [numSlices]int
	next := 0
	for _, s := range shares {
		for range s.count {
			primary[next] = s.dir
			next++
		}
	}
	return primary
}
