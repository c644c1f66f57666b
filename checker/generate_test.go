package checker

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
)

// workload shapes a generated history.
type workload struct {
	clients    int
	partitions int
	sortKeys   int // per partition
	ops        int
}

var benchWorkload = workload{clients: 8, partitions: 10, sortKeys: 10, ops: 10_000}

// generateHistory records a history from a reference store that is correct
// by construction: a single LWW map where each operation takes effect
// atomically at some point between its call and its return, with stamps
// drawn from a counter at that point. Every such history is linearizable,
// so it must satisfy every property. Clients interleave, some operations
// time out (Unknown: the effect may or may not happen, the return may never
// come) and some fail (no effect). Stamps are 8-byte big-endian counters,
// opaque binary like the store's.
func generateHistory(seed uint64, w workload) History {
	rnd := rand.New(rand.NewPCG(seed, 0x5eed))
	g := &generator{
		rnd:   rnd,
		w:     w,
		store: make(map[Key]Entry),
	}
	return g.run()
}

type generator struct {
	rnd      *rand.Rand
	w        workload
	store    map[Key]Entry // Value "" is a tombstone
	seq      int64
	stamps   uint64
	values   int
	issued   int
	inFlight []*flight
	done     History
}

// flight is one client's current operation.
type flight struct {
	op      Op
	applied bool // the linearisation point has passed
}

func (g *generator) run() History {
	g.inFlight = make([]*flight, g.w.clients)
	busy := 0
	for g.issued < g.w.ops || busy > 0 {
		c := g.rnd.IntN(g.w.clients)
		f := g.inFlight[c]
		switch {
		case f == nil && g.issued < g.w.ops:
			g.inFlight[c] = &flight{op: g.call(c)}
			busy++
		case f != nil && !f.applied:
			g.apply(&f.op)
			f.applied = true
		case f != nil:
			g.finish(&f.op)
			g.done = append(g.done, f.op)
			g.inFlight[c] = nil
			busy--
		}
	}
	h := make(History, len(g.done))
	for _, op := range g.done {
		h[op.ID] = op
	}
	return h
}

func (g *generator) call(client int) Op {
	op := Op{ID: g.issued, Client: client, Call: g.next(), Outcome: OK}
	g.issued++
	switch roll := g.rnd.IntN(100); {
	case roll < 35:
		op.Kind = Put
		g.values++
		op.Value = fmt.Sprintf("c%d-%d", client, g.values)
	case roll < 45:
		op.Kind = Delete
	case roll < 85:
		op.Kind = Get
	default:
		op.Kind = Range
	}
	op.Key = Key{fmt.Sprintf("p%02d", g.rnd.IntN(g.w.partitions)), g.sortKey()}
	if op.Kind == Range {
		op.Key.Sort = ""
		op.Start, op.End = g.bound(), g.bound()
		op.Limit = g.rnd.IntN(6)
	}
	switch roll := g.rnd.IntN(100); {
	case roll < 7:
		op.Outcome = Unknown
	case roll < 10:
		op.Outcome = Failed
	}
	return op
}

func (g *generator) sortKey() string { return fmt.Sprintf("s%02d", g.rnd.IntN(g.w.sortKeys)) }

// bound is a range bound: unbounded a third of the time.
func (g *generator) bound() string {
	if g.rnd.IntN(3) == 0 {
		return ""
	}
	return g.sortKey()
}

// apply is the linearisation point: the operation takes effect (or, for an
// Unknown or Failed one, maybe not) atomically.
func (g *generator) apply(op *Op) {
	if op.Outcome == Failed || (op.Outcome == Unknown && g.rnd.IntN(2) == 0) {
		return
	}
	switch op.Kind {
	case Put, Delete:
		g.stamps++
		op.Stamp = Stamp(binary.BigEndian.AppendUint64(nil, g.stamps))
		g.store[op.Key] = Entry{Value: op.Value, Stamp: op.Stamp}
	case Get:
		cur := g.store[op.Key]
		op.Value, op.Found, op.Stamp = cur.Value, cur.Value != "", cur.Stamp
	case Range:
		g.list(op)
	}
}

func (g *generator) list(op *Op) {
	for s := range g.w.sortKeys {
		sortKey := fmt.Sprintf("s%02d", s)
		if sortKey < op.Start || (op.End != "" && sortKey >= op.End) {
			continue
		}
		cur, ok := g.store[Key{op.Key.Partition, sortKey}]
		if !ok || cur.Value == "" {
			continue
		}
		if op.Limit > 0 && len(op.Entries) == op.Limit {
			op.More, op.Next = true, sortKey
			return
		}
		op.Entries = append(op.Entries, Entry{Sort: sortKey, Value: cur.Value, Stamp: cur.Stamp})
	}
}

// finish records the return. What the client learns of an Unknown or Failed
// operation is only that: no stamp, no result, and for a timeout possibly
// no return at all.
func (g *generator) finish(op *Op) {
	op.Return = g.next()
	if op.Outcome == OK {
		return
	}
	if op.Outcome == Unknown && g.rnd.IntN(2) == 0 {
		op.Return = math.MaxInt64
	}
	op.Stamp, op.Entries, op.More, op.Next = "", nil, false, ""
	if op.Kind != Put {
		op.Value, op.Found = "", false
	}
}

func (g *generator) next() int64 {
	g.seq++
	return g.seq
}
