package k2v

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"slices"

	"github.com/garagego/garage/node/cluster"
)

// NodeID names a node in vector clocks: the first 8 bytes of its full id,
// big-endian, as Garage abbreviates them.
type NodeID uint64

// NodeIDOf abbreviates a node's id.
func NodeIDOf(id cluster.NodeID) NodeID { return NodeID(binary.BigEndian.Uint64(id[:8])) }

// Dot is one node's newest stamp in a vector clock.
type Dot struct {
	Node NodeID
	Time uint64
}

// Context is a causality context: a vector clock, sorted by node, each
// node once, no zero time. The values it covers (per node, stamps up to its
// time) are the ones a write carrying it supersedes.
type Context struct{ Dots []Dot }

// Time is the context's time for node (0 if it names none).
func (c Context) Time(n NodeID) uint64 {
	if i, ok := slices.BinarySearchFunc(c.Dots, n, func(d Dot, n NodeID) int { return cmp.Compare(d.Node, n) }); ok {
		return c.Dots[i].Time
	}
	return 0
}

// NewerThan reports whether c covers a stamp o does not: some node's time
// in c is greater than in o.
func (c Context) NewerThan(o Context) bool {
	for _, d := range c.Dots {
		if d.Time > o.Time(d.Node) {
			return true
		}
	}
	return false
}

// Merge is the per-node maximum of two contexts.
func (c Context) Merge(o Context) Context {
	all := slices.Concat(c.Dots, o.Dots)
	return Context{Dots: canonicalDots(all)}
}

// canonicalDots sorts dots by node, keeps each node's greatest time and
// drops zero times.
func canonicalDots(ds []Dot) []Dot {
	slices.SortFunc(ds, func(a, b Dot) int {
		if c := cmp.Compare(a.Node, b.Node); c != 0 {
			return c
		}
		return cmp.Compare(b.Time, a.Time) // greatest first
	})
	ds = slices.CompactFunc(ds, func(a, b Dot) bool { return a.Node == b.Node })
	ds = slices.DeleteFunc(ds, func(d Dot) bool { return d.Time == 0 })
	if len(ds) == 0 {
		return nil
	}
	return ds
}

// ErrBadToken reports a causality token that does not parse.
var ErrBadToken = errors.New("invalid causality token")

// Token writes the context as K2V's causality token: URL-safe base64
// without padding of a big-endian u64 checksum (the XOR of every node and
// time) followed by each (node, time) pair, in node order. The checksum
// only catches damage; tokens are not secret and not signed.
func (c Context) Token() string {
	b := make([]byte, 8, 8+16*len(c.Dots))
	var sum uint64
	for _, d := range c.Dots {
		b = binary.BigEndian.AppendUint64(b, uint64(d.Node))
		b = binary.BigEndian.AppendUint64(b, d.Time)
		sum ^= uint64(d.Node) ^ d.Time
	}
	binary.BigEndian.PutUint64(b, sum)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseToken reads a causality token as Token writes it. Like Garage's
// parser it takes the pairs in any order, a node given twice counting
// with its last time, and checks the checksum over what it keeps.
func ParseToken(s string) (Context, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 8 || len(b)%16 != 8 {
		return Context{}, ErrBadToken
	}
	sum := binary.BigEndian.Uint64(b)
	byNode := map[NodeID]uint64{}
	for p := b[8:]; len(p) > 0; p = p[16:] {
		byNode[NodeID(binary.BigEndian.Uint64(p))] = binary.BigEndian.Uint64(p[8:])
	}
	var check uint64
	dots := make([]Dot, 0, len(byNode))
	for n, t := range byNode {
		check ^= uint64(n) ^ t
		dots = append(dots, Dot{n, t})
	}
	if check != sum {
		return Context{}, ErrBadToken
	}
	slices.SortFunc(dots, func(a, b Dot) int { return cmp.Compare(a.Node, b.Node) })
	// A zero time covers nothing: Garage keeps it in its map, which
	// changes no comparison.
	dots = slices.DeleteFunc(dots, func(d Dot) bool { return d.Time == 0 })
	if len(dots) == 0 {
		dots = nil
	}
	return Context{Dots: dots}, nil
}
