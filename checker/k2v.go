package checker

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"
)

// K2V histories are checked apart from the register histories above: a
// K2V item holds a set of values (siblings), not one, and what a write
// supersedes is named by the causality token it carries, not by a stamp
// order. The checker sees the store the way a client does (values and
// tokens), plus the stamp (dot) of each value a read returned.
//
// "Seen". A token returned by a read covers the values that read returned
// and, transitively, everything their writes' tokens covered: seen(read)
// = its values ∪ ⋃ seen(token carried by each value's write). Every
// written value is unique, so a value names its write. A tombstone does
// not name its delete (they are all alike): a read returning one is taken
// to have seen every delete of the key called before it returned, and
// what each saw. That over-approximates seen, which keeps the "must still
// be there" properties conservative (they excuse more); the properties
// that need "certainly superseded" use the token's vector clock instead
// (a value's dot covered by the clock), which is exactly what the store
// discards and needs no approximation.
//
// Properties, each over one item's history:
//
//   - no lost value (a): in the converged state the final phase reads
//     (faults healed, anti-entropy run), every acknowledged value is
//     there, or a successor (a value whose write's token saw it) is, or
//     a delete saw it (its tombstone may be collected).
//   - superseded stays gone (b): a read that began after an acknowledged
//     token-carrying write returned never returns a value whose dot that
//     token covered.
//   - siblings (c): an acknowledged value missed by a read that began
//     after it was acknowledged, when every value the read returned is
//     concurrent with it (neither's token saw the other): last-writer-wins
//     where both should have stayed.
//   - read-after-write (d): a read that began after an acknowledged write
//     returns its value or a successor, or a delete saw the value; a miss
//     that is not a sibling's (c) is reported here (the read returned
//     nothing, or a value the write had superseded).
//   - poll (e): a poll that answered "changed" returns a value whose dot
//     its token did not cover; one that timed out had no acknowledged
//     value unseen by its token before its deadline, less the largest
//     clock jump during the poll and a margin (answers that came late
//     enough to be the entry node giving up are not held to it).
//   - index (f): after healing, the index counts every read of it reports
//     for a partition key equal the sum of the converged items' counts.
//   - no phantom: every value read was written by an insert of the item
//     that was called before the read returned and did not fail.
//
// The work is bounded: per item, a bit set over its writes for each read
// (seen sets), and one pass of reads against writes.

// K2VKey addresses one K2V item.
type K2VKey struct{ Bucket, Partition, Sort string }

func (k K2VKey) String() string {
	return quoteIfNeeded(k.Bucket) + ":" + quoteIfNeeded(k.Partition) + "/" + quoteIfNeeded(k.Sort)
}

// key is the item as violations name it.
func (k K2VKey) key() Key { return Key{Partition: k.Bucket + ":" + k.Partition, Sort: k.Sort} }

func (k K2VKey) compare(o K2VKey) int {
	return cmp.Or(cmp.Compare(k.Bucket, o.Bucket), cmp.Compare(k.Partition, o.Partition), cmp.Compare(k.Sort, o.Sort))
}

// K2VDot is a value's stamp: the node that coordinated its write and that
// node's counter then.
type K2VDot struct{ Node, Time uint64 }

func (d K2VDot) String() string { return fmt.Sprintf("%x:%d", d.Node, d.Time) }

// K2VContext is a causality token as a vector clock: per node, the newest
// stamp it covers (each node once).
type K2VContext []K2VDot

// Covers reports whether the clock covers the dot.
func (c K2VContext) Covers(d K2VDot) bool {
	for _, x := range c {
		if x.Node == d.Node {
			return d.Time <= x.Time
		}
	}
	return false
}

// merge raises c to cover everything o covers.
func (c K2VContext) merge(o K2VContext) K2VContext {
	for _, d := range o {
		i := slices.IndexFunc(c, func(x K2VDot) bool { return x.Node == d.Node })
		switch {
		case i < 0:
			c = append(c, d)
		case c[i].Time < d.Time:
			c[i].Time = d.Time
		}
	}
	return c
}

// K2VValue is one stamped value of an item as a read returned it. A value
// written twice (a write retried through another coordinator) comes once
// per stamp.
type K2VValue struct {
	Value     string // "" for a tombstone
	Tombstone bool
	Dot       K2VDot
}

func (v K2VValue) String() string {
	if v.Tombstone {
		return "tombstone@" + v.Dot.String()
	}
	return strconv.Quote(v.Value) + "@" + v.Dot.String()
}

// K2VCounts are an item's or a partition key's index counts.
type K2VCounts struct{ Entries, Conflicts, Values, Bytes int64 }

func (c K2VCounts) add(o K2VCounts) K2VCounts {
	return K2VCounts{c.Entries + o.Entries, c.Conflicts + o.Conflicts, c.Values + o.Values, c.Bytes + o.Bytes}
}

func (c K2VCounts) String() string {
	return fmt.Sprintf("{entries %d, conflicts %d, values %d, bytes %d}", c.Entries, c.Conflicts, c.Values, c.Bytes)
}

// K2VItem is one item a range read returned.
type K2VItem struct {
	Sort    string
	Values  []K2VValue
	Context K2VContext
}

// K2VIndexEntry is one partition key's counts as an index read returned
// them.
type K2VIndexEntry struct {
	Partition string
	Counts    K2VCounts
}

// K2VKind is the type of a K2V operation.
type K2VKind uint8

// K2V operation kinds; the zero Kind is invalid.
const (
	K2VInsert K2VKind = iota + 1 // a value or a tombstone, with a token or none
	K2VRead                      // one item, from a read quorum
	K2VPoll                      // wait for a value a token has not seen
	K2VRange                     // the items of one partition key in [Start, End), from read quorums
	K2VIndex                     // the counts of a bucket's partition keys
)

func (k K2VKind) String() string {
	switch k {
	case K2VInsert:
		return "k2v-insert"
	case K2VRead:
		return "k2v-read"
	case K2VPoll:
		return "k2v-poll"
	case K2VRange:
		return "k2v-range"
	case K2VIndex:
		return "k2v-index"
	}
	return "k2v-kind(" + strconv.Itoa(int(k)) + ")"
}

// K2VOp is one K2V operation of a history.
type K2VOp struct {
	ID, Client int
	Kind       K2VKind
	// Key is the item (Insert, Read, Poll); a Range uses Bucket and
	// Partition, an Index read Bucket.
	Key K2VKey
	// Insert: the value written, unique across the history, or a
	// tombstone (a deletion).
	Value     string
	Tombstone bool
	// Insert and Poll: the operation whose returned context this one
	// carried (-1: none, a blind write), and that context.
	TokenFrom int
	Token     K2VContext
	// Read, and Poll when Changed: what was returned. Counts are the
	// item's index counts (Item.Counts), for the index property.
	Found   bool
	Values  []K2VValue
	Context K2VContext
	Counts  K2VCounts
	// Poll.
	Timeout time.Duration
	Changed bool
	// Range: sort keys in [Start, End) ("" End: unbounded), at most Limit
	// items (0: no limit); Items returned, More with Next (the first sort
	// key not returned) when cut short. Index: More and Next likewise.
	Start, End string
	Limit      int
	Items      []K2VItem
	More       bool
	Next       string
	Partitions []K2VIndexEntry
	// Final marks the operations of the final phase, after healing: their
	// results are the converged state.
	Final bool
	// Call and Return order the operations (strictly increasing sequence
	// numbers; Return is MaxInt64 for an unknown outcome); CallAt and
	// ReturnAt are the true (virtual) times, in nanoseconds, for polls'
	// deadlines.
	Call, Return     int64
	CallAt, ReturnAt int64
	Outcome          Outcome
}

func (op K2VOp) String() string {
	return fmt.Sprintf("%s #%d (client %d, seq %d..%s)", op.Kind, op.ID, op.Client, op.Call, formatSeq(op.Return))
}

// describeInsert names a write and what it wrote.
func describeK2VInsert(op K2VOp) string {
	what := strconv.Quote(op.Value)
	if op.Tombstone {
		what = "a tombstone"
	}
	token := "no token"
	if op.TokenFrom >= 0 {
		token = fmt.Sprintf("the token of #%d", op.TokenFrom)
	}
	return fmt.Sprintf("%v of %s with %s (%v)", op, what, token, op.Outcome)
}

// K2VClockJump is a node's clock moving by By (either way) at At.
type K2VClockJump struct {
	At int64
	By time.Duration
}

// K2VHistory is a recorded K2V workload.
type K2VHistory struct {
	Ops []K2VOp
	// ClockJumps are the clock changes of the run: a node's timer may end
	// a poll early by as much as its clock jumped forward meanwhile.
	ClockJumps []K2VClockJump
	// PollMargin is the slack a timed-out poll is given before its
	// deadline (timers run on ticks, messages take time).
	PollMargin time.Duration
	// PollGiveUp is how long after its deadline an entry node stops
	// waiting for the storage nodes and answers "not changed" (Garage's
	// behaviour: a poll whose storage nodes are unreachable times out).
	// A timed-out answer that late claims nothing.
	PollGiveUp time.Duration
	// LayoutMoves are times at which some node's live layout versions
	// changed. A timed-out poll spanning one claims nothing: a poll is
	// held by the storage nodes of the item when it began, and if they
	// stop storing it (their versions retired), a write acknowledged by
	// the new ones never reaches them (as in Garage).
	LayoutMoves []int64
}

// The K2V properties.
const (
	K2VLost           Property = "k2v-no-lost-value"
	K2VSuperseded     Property = "k2v-superseded-gone"
	K2VSiblings       Property = "k2v-siblings"
	K2VReadAfterWrite Property = "k2v-read-after-write"
	K2VPollProperty   Property = "k2v-poll"
	K2VIndexCounts    Property = "k2v-index"
	K2VPhantom        Property = "k2v-no-phantom"
)

// K2VProperties lists them in report order.
var K2VProperties = []Property{K2VLost, K2VSuperseded, K2VSiblings, K2VReadAfterWrite, K2VPollProperty, K2VIndexCounts, K2VPhantom}

// maxK2VViolations bounds the violations reported per property: a broken
// store breaks a property on nearly every read.
const maxK2VViolations = 50

// CheckK2V checks every K2V property over h; the result is deterministic.
func CheckK2V(h K2VHistory) []Violation {
	c := newK2VCheck(h)
	if bad := c.wellFormed(); len(bad) > 0 {
		return bad // the rest would trust ids and tokens that do not hold
	}
	for _, k := range c.keys {
		l := c.logs[k]
		c.phantoms(l)
		c.superseded(l)
		c.missed(l)
		c.polls(l)
	}
	c.index()
	slices.SortStableFunc(c.out, func(a, b Violation) int {
		return cmp.Compare(slices.Index(K2VProperties, a.Property), slices.Index(K2VProperties, b.Property))
	})
	return c.out
}

// k2vObs is what one operation returned of one item: a read's item, a
// range's item (or its absence, within what the range covered), a poll's
// changed item.
type k2vObs struct {
	op      int // index in the history
	found   bool
	values  []K2VValue
	quorum  bool // a read quorum's join (reads, ranges), not a poll's answer
	seen    bitset
	live    bitset // its live values and what their writes saw
	visited uint8  // 0 not computed, 1 in progress, 2 done
}

// k2vLog is one item's operations.
type k2vLog struct {
	key     K2VKey
	writes  []int          // history indices of its inserts, in history order
	byValue map[string]int // live value -> position in writes
	obs     []*k2vObs
	polls   []int
	// deletedSeq and deletedAt: per write, the earliest call (sequence
	// and time) of a delete that did not fail and saw the write's value;
	// MaxInt64 if none.
	deletedSeq, deletedAt []int64
}

type k2vCheck struct {
	h     K2VHistory
	ops   []K2VOp
	keys  []K2VKey
	logs  map[K2VKey]*k2vLog
	obsOf map[k2vRef]*k2vObs
	out   []Violation
	count map[Property]int
}

type k2vRef struct {
	op  int
	key K2VKey
}

func newK2VCheck(h K2VHistory) *k2vCheck {
	c := &k2vCheck{h: h, ops: slices.Clone(h.Ops), logs: map[K2VKey]*k2vLog{}, obsOf: map[k2vRef]*k2vObs{}, count: map[Property]int{}}
	log := func(k K2VKey) *k2vLog {
		l := c.logs[k]
		if l == nil {
			l = &k2vLog{key: k, byValue: map[string]int{}}
			c.logs[k] = l
			c.keys = append(c.keys, k)
		}
		return l
	}
	for i, op := range c.ops {
		if op.Kind == K2VInsert {
			l := log(op.Key)
			if !op.Tombstone {
				l.byValue[op.Value] = len(l.writes)
			}
			l.writes = append(l.writes, i)
		}
	}
	add := func(i int, k K2VKey, found bool, values []K2VValue, quorum bool) {
		o := &k2vObs{op: i, found: found, values: values, quorum: quorum}
		l := log(k)
		l.obs = append(l.obs, o)
		c.obsOf[k2vRef{i, k}] = o
	}
	for i, op := range c.ops {
		if op.Outcome != OK {
			continue
		}
		switch op.Kind {
		case K2VRead:
			add(i, op.Key, op.Found, op.Values, true)
		case K2VPoll:
			log(op.Key).polls = append(log(op.Key).polls, i)
			if op.Changed {
				add(i, op.Key, true, op.Values, false)
			}
		case K2VRange:
			returned := map[string]bool{}
			for _, it := range op.Items {
				returned[it.Sort] = true
				add(i, K2VKey{op.Key.Bucket, op.Key.Partition, it.Sort}, true, it.Values, true)
			}
			// The items written in the range it covered and not returned:
			// it saw them absent (or holding only tombstones).
			for _, k := range slices.Clone(c.keys) {
				if k.Bucket == op.Key.Bucket && k.Partition == op.Key.Partition && !returned[k.Sort] && op.rangeCovers(k.Sort) {
					add(i, k, false, nil, true)
				}
			}
		}
	}
	slices.SortFunc(c.keys, K2VKey.compare)
	for _, l := range c.logs {
		slices.SortStableFunc(l.obs, func(a, b *k2vObs) int { return cmp.Compare(c.ops[a.op].Call, c.ops[b.op].Call) })
	}
	return c
}

// rangeCovers reports whether a range read answered for sort key s.
func (op K2VOp) rangeCovers(s string) bool {
	if s < op.Start || (op.End != "" && s >= op.End) {
		return false
	}
	return !op.More || s < op.Next
}

func (c *k2vCheck) report(p Property, k K2VKey, ops []int, format string, args ...any) {
	if c.count[p] >= maxK2VViolations {
		return
	}
	c.count[p]++
	ids := make([]int, len(ops))
	for i, o := range ops {
		ids[i] = c.ops[o].ID
	}
	c.out = append(c.out, Violation{Property: p, Key: k.key(), Ops: ids, Message: fmt.Sprintf(format, args...)})
}

// wellFormed checks what the rest relies on: unique ids, unique values,
// calls before returns, tokens taken from operations that returned (an
// item of the same key) before the write or poll that carries them.
func (c *k2vCheck) wellFormed() []Violation {
	var out []Violation
	bad := func(op K2VOp, format string, args ...any) {
		if len(out) < maxK2VViolations {
			out = append(out, Violation{Property: WellFormed, Key: op.Key.key(), Ops: []int{op.ID}, Message: fmt.Sprintf("%v: %s", op, fmt.Sprintf(format, args...))})
		}
	}
	ids := map[int]bool{}
	values := map[string]int{}
	byID := map[int]int{}
	for i, op := range c.ops {
		byID[op.ID] = i
	}
	for _, op := range c.ops {
		if ids[op.ID] {
			bad(op, "id %d used twice", op.ID)
		}
		ids[op.ID] = true
		if op.Kind < K2VInsert || op.Kind > K2VIndex || op.Outcome < OK || op.Outcome > Failed {
			bad(op, "kind %v, outcome %v", op.Kind, op.Outcome)
		}
		if op.Call >= op.Return || op.CallAt > op.ReturnAt {
			bad(op, "returns (seq %d, at %d) before it is called (seq %d, at %d)", op.Return, op.ReturnAt, op.Call, op.CallAt)
		}
		if op.Kind == K2VInsert && !op.Tombstone {
			if prev, dup := values[op.Value]; dup {
				bad(op, "writes %q, as #%d did: values must be unique", op.Value, prev)
			}
			values[op.Value] = op.ID
		}
		if (op.Kind == K2VInsert || op.Kind == K2VPoll) && op.TokenFrom >= 0 {
			src, ok := byID[op.TokenFrom]
			switch {
			case !ok:
				bad(op, "carries the token of #%d, which is not in the history", op.TokenFrom)
			case c.ops[src].Return >= op.Call:
				bad(op, "carries the token of %v, which had not returned", c.ops[src])
			case c.obsOf[k2vRef{src, op.Key}] == nil:
				bad(op, "carries the token of %v, which returned nothing of %v", c.ops[src], op.Key)
			}
		}
	}
	if len(out) == 0 {
		// From here on TokenFrom is a history index.
		for i := range c.ops {
			if c.ops[i].TokenFrom >= 0 {
				c.ops[i].TokenFrom = byID[c.ops[i].TokenFrom]
			}
		}
		c.deletions()
	}
	return out
}

// bitset is a set of an item's writes, by position.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b != nil && b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) or(o bitset) {
	for i := range o {
		b[i] |= o[i]
	}
}
func (b bitset) len() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// seen is what a read's token saw (see the top of the file), memoized.
// A read can only return values whose writes were called before it
// returned, and those writes' tokens came from reads that returned
// before that, so the recursion ends; a phantom could make a cycle,
// which is cut (and reported by phantoms).
func (c *k2vCheck) seen(l *k2vLog, o *k2vObs) bitset {
	if o.visited == 2 {
		return o.seen
	}
	n := len(l.writes)
	if o.visited == 1 {
		return newBitset(n)
	}
	o.visited = 1
	o.seen, o.live = newBitset(n), newBitset(n)
	tombstone := false
	for _, v := range o.values {
		if v.Tombstone {
			tombstone = true
			continue
		}
		if w, ok := l.byValue[v.Value]; ok {
			o.live.set(w)
			o.live.or(c.writeSeen(l, w))
		}
	}
	o.seen.or(o.live)
	if tombstone {
		for w, i := range l.writes {
			if op := c.ops[i]; op.Tombstone && op.Outcome != Failed && op.Call < c.ops[o.op].Return {
				o.seen.set(w)
				o.seen.or(c.writeSeen(l, w))
			}
		}
	}
	o.visited = 2
	return o.seen
}

// writeSeen is what the token write number w carried saw.
func (c *k2vCheck) writeSeen(l *k2vLog, w int) bitset {
	op := c.ops[l.writes[w]]
	if op.TokenFrom < 0 {
		return nil
	}
	return c.seen(l, c.obsOf[k2vRef{op.TokenFrom, l.key}])
}

// deletions fills each item's deletedSeq and deletedAt.
func (c *k2vCheck) deletions() {
	for _, l := range c.logs {
		n := len(l.writes)
		l.deletedSeq, l.deletedAt = make([]int64, n), make([]int64, n)
		for w := range n {
			l.deletedSeq[w], l.deletedAt[w] = 1<<63-1, 1<<63-1
		}
		for _, i := range l.writes {
			d := c.ops[i]
			if !d.Tombstone || d.Outcome == Failed || d.TokenFrom < 0 {
				continue
			}
			s := c.seen(l, c.obsOf[k2vRef{d.TokenFrom, l.key}])
			for w := range n {
				if s.has(w) {
					l.deletedSeq[w], l.deletedAt[w] = min(l.deletedSeq[w], d.Call), min(l.deletedAt[w], d.CallAt)
				}
			}
		}
	}
}

// phantoms reports values no insert of the item could have written by the
// time they were read.
func (c *k2vCheck) phantoms(l *k2vLog) {
	for _, o := range l.obs {
		r := c.ops[o.op]
		for _, v := range o.values {
			if v.Tombstone {
				if !slices.ContainsFunc(l.writes, func(i int) bool {
					d := c.ops[i]
					return d.Tombstone && d.Outcome != Failed && d.Call < r.Return
				}) {
					c.report(K2VPhantom, l.key, []int{o.op}, "%v returned %v, but no delete of %v that did not fail was called by then", r, v, l.key)
				}
				continue
			}
			w, ok := l.byValue[v.Value]
			switch {
			case !ok:
				c.report(K2VPhantom, l.key, []int{o.op}, "%v returned %v, which no insert of %v wrote", r, v, l.key)
			case c.ops[l.writes[w]].Outcome == Failed || c.ops[l.writes[w]].Call >= r.Return:
				c.report(K2VPhantom, l.key, []int{o.op, l.writes[w]}, "%v returned %v, but %s", r, v, describeK2VInsert(c.ops[l.writes[w]]))
			}
		}
	}
}

// superseded checks (b): a quorum read never returns a value whose dot
// the token of a write acknowledged before the read began covers. One
// sweep per item: the tokens of acknowledged writes by return, merged
// into one clock, against the reads by call.
func (c *k2vCheck) superseded(l *k2vLog) {
	var acked []int
	for _, i := range l.writes {
		if op := c.ops[i]; op.Outcome == OK && op.TokenFrom >= 0 {
			acked = append(acked, i)
		}
	}
	slices.SortStableFunc(acked, func(a, b int) int { return cmp.Compare(c.ops[a].Return, c.ops[b].Return) })
	var clock K2VContext
	next := 0
	for _, o := range l.obs {
		if !o.quorum {
			continue
		}
		r := c.ops[o.op]
		for ; next < len(acked) && c.ops[acked[next]].Return < r.Call; next++ {
			clock = clock.merge(c.ops[acked[next]].Token)
		}
		for _, v := range o.values {
			if !clock.Covers(v.Dot) {
				continue
			}
			// Name the first write whose token covered it.
			w := acked[slices.IndexFunc(acked[:next], func(i int) bool { return c.ops[i].Token.Covers(v.Dot) })]
			c.report(K2VSuperseded, l.key, []int{o.op, w}, "%v returned %v, which %s superseded (its token covers %v) and was acknowledged at seq %d, before the read was called",
				r, v, describeK2VInsert(c.ops[w]), v.Dot, c.ops[w].Return)
		}
	}
}

// missed checks (a), (c) and (d): a quorum read that began after a value
// was acknowledged returns it, or a successor, unless a delete saw it.
func (c *k2vCheck) missed(l *k2vLog) {
	var acked []int // positions in l.writes
	for w, i := range l.writes {
		if op := c.ops[i]; op.Outcome == OK && !op.Tombstone {
			acked = append(acked, w)
		}
	}
	slices.SortStableFunc(acked, func(a, b int) int { return cmp.Compare(c.ops[l.writes[a]].Return, c.ops[l.writes[b]].Return) })
	for _, o := range l.obs {
		if !o.quorum {
			continue
		}
		r := c.ops[o.op]
		c.seen(l, o)
		for _, w := range acked {
			write := c.ops[l.writes[w]]
			if write.Return >= r.Call {
				break
			}
			if o.live.has(w) || l.deletedSeq[w] < r.Return {
				continue
			}
			returned := describeValues(o.values)
			switch {
			case r.Final:
				c.report(K2VLost, l.key, []int{o.op, l.writes[w]}, "%s is lost: the converged item, read by %v, holds %s, none of which saw it, and no delete saw it",
					describeK2VInsert(write), r, returned)
			case c.concurrentOnly(l, o, w):
				c.report(K2VSiblings, l.key, []int{o.op, l.writes[w]}, "%v returned %s but not %q, which %s wrote and was acknowledged at seq %d: neither saw the other, so both must stay as siblings",
					r, returned, write.Value, write, write.Return)
			default:
				c.report(K2VReadAfterWrite, l.key, []int{o.op, l.writes[w]}, "%v returned %s, which is neither %q nor a successor of it, though %s was acknowledged at seq %d, before the read was called",
					r, returned, write.Value, describeK2VInsert(write), write.Return)
			}
		}
	}
}

// concurrentOnly reports whether the read returned live values, none of
// which write number w's token saw.
func (c *k2vCheck) concurrentOnly(l *k2vLog, o *k2vObs, w int) bool {
	prior := c.writeSeen(l, w)
	live := 0
	for _, v := range o.values {
		if v.Tombstone {
			continue
		}
		live++
		if u, ok := l.byValue[v.Value]; ok && prior.has(u) {
			return false
		}
	}
	return live > 0
}

func describeValues(vs []K2VValue) string {
	if len(vs) == 0 {
		return "nothing"
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// polls checks (e) for the item's polls.
func (c *k2vCheck) polls(l *k2vLog) {
	for _, i := range l.polls {
		p := c.ops[i]
		if p.Changed {
			if !slices.ContainsFunc(p.Values, func(v K2VValue) bool { return !p.Token.Covers(v.Dot) }) {
				c.report(K2VPollProperty, l.key, []int{i}, "%v answered changed with %s, every one of which its token %v had seen", p, describeValues(p.Values), p.Token)
			}
			continue
		}
		deadline := p.CallAt + int64(p.Timeout)
		if p.ReturnAt >= deadline+int64(c.h.PollGiveUp)-int64(c.jump(p.CallAt, p.ReturnAt)) {
			continue // the entry node gave up on the storage nodes
		}
		if slices.ContainsFunc(c.h.LayoutMoves, func(at int64) bool { return at >= p.CallAt && at <= p.ReturnAt }) {
			continue // the item may have moved away from the nodes holding the poll
		}
		before := deadline - int64(c.jump(p.CallAt, deadline)) - int64(c.h.PollMargin)
		var seen bitset
		if p.TokenFrom >= 0 {
			seen = c.seen(l, c.obsOf[k2vRef{p.TokenFrom, l.key}])
		}
		for w, wi := range l.writes {
			write := c.ops[wi]
			if write.Outcome != OK || write.Tombstone || write.ReturnAt >= before || seen.has(w) || l.deletedAt[w] < deadline {
				continue
			}
			c.report(K2VPollProperty, l.key, []int{i, wi}, "%v (timeout %v) timed out, but %s was acknowledged at %v, %v before the poll's deadline, and its token had not seen it",
				p, p.Timeout, describeK2VInsert(write), time.Duration(write.ReturnAt), time.Duration(deadline-write.ReturnAt))
			break
		}
	}
}

// jump is the largest clock jump in [from, to].
func (c *k2vCheck) jump(from, to int64) time.Duration {
	var j time.Duration
	for _, cj := range c.h.ClockJumps {
		if cj.At >= from && cj.At <= to {
			j = max(j, cj.By, -cj.By)
		}
	}
	return j
}

// index checks (f): every final index read reports, for each partition
// key it covers, the sum of the counts of that key's converged items (the
// first final read of each item).
func (c *k2vCheck) index() {
	truth := map[[2]string]K2VCounts{}
	counted := map[K2VKey]bool{}
	for _, op := range c.ops {
		if op.Kind != K2VRead || !op.Final || op.Outcome != OK || counted[op.Key] {
			continue
		}
		counted[op.Key] = true
		bp := [2]string{op.Key.Bucket, op.Key.Partition}
		truth[bp] = truth[bp].add(op.Counts)
	}
	var parts [][2]string
	for bp := range truth {
		parts = append(parts, bp)
	}
	slices.SortFunc(parts, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	for i, op := range c.ops {
		if op.Kind != K2VIndex || !op.Final || op.Outcome != OK {
			continue
		}
		got := map[string]K2VCounts{}
		for _, e := range op.Partitions {
			got[e.Partition] = e.Counts
			k := K2VKey{Bucket: op.Key.Bucket, Partition: e.Partition}
			if _, known := truth[[2]string{op.Key.Bucket, e.Partition}]; !known && e.Counts != (K2VCounts{}) {
				c.report(K2VIndexCounts, k, []int{i}, "%v reports %v for partition key %q, which holds no item", op, e.Counts, e.Partition)
			}
		}
		for _, bp := range parts {
			if bp[0] != op.Key.Bucket || (op.More && bp[1] >= op.Next) {
				continue
			}
			if want := truth[bp]; got[bp[1]] != want {
				c.report(K2VIndexCounts, K2VKey{Bucket: bp[0], Partition: bp[1]}, []int{i}, "%v reports %v for partition key %q; its converged items count %v",
					op, got[bp[1]], bp[1], want)
			}
		}
	}
}
