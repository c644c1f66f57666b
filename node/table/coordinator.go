package table

import (
	"bytes"
	"errors"
	"slices"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

// ErrNoLayout refuses operations before any layout has been applied.
var ErrNoLayout = errors.New("no cluster layout applied yet: assign roles with `garage layout assign` and apply them with `garage layout apply`")

// writeSets are the node sets a write to partition p must reach, one per
// live layout version, each with its write quorum.
func (e *Engine) writeSets(t *tableState, p cluster.Partition) ([][]cluster.NodeID, []int) {
	if t.replication == FullCopy {
		_, w := e.quorums(t)
		return [][]cluster.NodeID{e.layout().Nodes()}, []int{w}
	}
	h := e.layout()
	sets := h.WriteSets(p)
	if e.cfg.Bugs.WriteNewestOnly && len(sets) > 1 {
		sets = sets[len(sets)-1:]
	}
	nodes := make([][]cluster.NodeID, len(sets))
	quorums := make([]int, len(sets))
	for i, s := range sets {
		nodes[i] = s.Nodes
		_, quorums[i] = e.quorumsFor(s.ReplicationFactor)
	}
	return nodes, quorums
}

// readSet is the node set a read of partition p asks, with its read quorum.
func (e *Engine) readSet(t *tableState, p cluster.Partition) ([]cluster.NodeID, int) {
	if t.replication == FullCopy {
		r, _ := e.quorums(t)
		return e.layout().Nodes(), r
	}
	v := e.layout().ReadVersion()
	if e.cfg.Bugs.ReadNewestLayout {
		v = e.layout().Current()
	}
	r, _ := e.quorumsFor(v.ReplicationFactor)
	return v.NodesOf(p), r
}

// quorums returns the read and write quorums of full-copy table t: all
// nodes but one must take a write.
func (e *Engine) quorums(t *tableState) (read, write int) {
	n := len(e.layout().Nodes())
	write = max(n-1, 1)
	read = n - write + 1
	return e.bugged(read, write)
}

// quorumsFor returns the quorums for replication factor rf in the
// configured consistency mode.
func (e *Engine) quorumsFor(rf int) (read, write int) {
	return e.bugged(e.cfg.Consistency.Quorums(rf))
}

// bugged applies planted bugs to quorums.
func (e *Engine) bugged(read, write int) (int, int) {
	if e.cfg.Bugs.ReadQuorumOne {
		read = 1
	}
	if e.cfg.Bugs.WriteQuorumOne {
		write = 1
	}
	return read, write
}

// insert writes entries of one partition to the write sets of every live
// layout version and calls done once each set reached a write quorum.
func (e *Engine) insert(now cluster.Time, t *tableState, p cluster.Partition, entries []KV, done func(now cluster.Time, err error)) {
	if e.layout().Current().IsEmpty() {
		done(now, ErrNoLayout)
		return
	}
	sets, quorums := e.writeSets(t, p)
	release := e.lockVersion()
	finish := func(now cluster.Time, _ []rpc.Response, err error) {
		release(now)
		done(now, err)
	}
	body := Update{Table: t.id, Entries: entries}
	if linger := e.cfg.FullCopyWriteLinger; t.replication == FullCopy && e.cfg.LocalReadMaxAge > 0 && linger > 0 && len(sets[0]) > quorums[0] {
		// Nodes answer requests from their own copy of full-copy tables
		// (fresh.go): ask every holder first, so that in the common case
		// every copy has the write once it is acknowledged. A holder that
		// is down or slower than the linger leaves the write to stand, as
		// ever, once all but one hold it; that holder's copy stops
		// serving at most LocalReadMaxAge after its last exchange.
		e.calls.Start(now, rpc.Call{Sets: sets, Quorums: []int{len(sets[0])}, Body: body, Timeout: linger},
			func(now cluster.Time, resps []rpc.Response, err error) {
				if err == nil {
					finish(now, resps, nil)
					return
				}
				e.stats.FullCopyWritesShort++
				e.calls.Start(now, rpc.Call{Sets: sets, Quorums: quorums, Body: body, Timeout: e.cfg.RequestTimeout}, finish)
			})
		return
	}
	e.calls.Start(now, rpc.Call{Sets: sets, Quorums: quorums, Body: body, Timeout: e.cfg.RequestTimeout}, finish)
}

// get reads one entry from a read quorum of the read set and joins the
// answers. value is nil when no replica has the entry.
func (e *Engine) get(now cluster.Time, t *tableState, key string, done func(now cluster.Time, value []byte, err error)) {
	if e.layout().Current().IsEmpty() {
		done(now, nil, ErrNoLayout)
		return
	}
	p := partitionOfStorageKey(key)
	nodes, r := e.readSet(t, p)
	e.calls.Start(now, rpc.Call{
		Sets:    [][]cluster.NodeID{nodes},
		Quorum:  r,
		Body:    Read{Table: t.id, Key: key},
		Timeout: e.cfg.RequestTimeout,
	}, func(now cluster.Time, resps []rpc.Response, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		var merged []byte
		disagree := false
		for i, resp := range resps {
			var v []byte
			if kvs := resp.Body.(Entries).Entries; len(kvs) == 1 && kvs[0].Key == key {
				v = kvs[0].Value
			}
			if i > 0 && !bytes.Equal(v, merged) {
				disagree = true
			}
			if e.cfg.Bugs.SkipReadJoin && i > 0 {
				continue
			}
			merged, err = e.join(t, merged, v)
			if err != nil {
				done(now, nil, err)
				return
			}
		}
		if disagree && e.cfg.RepairOnRead && merged != nil {
			e.repair(now, t, p, []KV{{Key: key, Value: merged}}, func(now cluster.Time, err error) { done(now, merged, err) })
			return
		}
		done(now, merged, nil)
	})
}

// repair writes joined values back to a write quorum before a read answers,
// so a later read cannot return anything older (monotonic reads).
func (e *Engine) repair(now cluster.Time, t *tableState, p cluster.Partition, kvs []KV, done func(now cluster.Time, err error)) {
	e.stats.ReadRepairs++
	e.insert(now, t, p, kvs, done)
}

func (e *Engine) join(t *tableState, a, b []byte) ([]byte, error) {
	switch {
	case a == nil:
		return b, nil
	case b == nil:
		return a, nil
	case e.cfg.Bugs.ReadJoinTies && t.codec.tiedForBug(a, b):
		return a, nil
	}
	return t.codec.merge(a, b)
}

// nextKeyAfter is the smallest key after bound that a reply holds, or
// bound itself if none does.
func nextKeyAfter(resps []rpc.Response, bound string) string {
	next := ""
	for _, resp := range resps {
		for _, kv := range resp.Body.(Entries).Entries {
			if kv.Key > bound && (next == "" || kv.Key < next) {
				next = kv.Key
			}
		}
	}
	if next == "" {
		return bound
	}
	return next
}

// RawRange is a range read's joined result: entries (tombstones included)
// in sort-key order. When More is set, the result covers sort keys in
// [start, Next) only and the caller continues from Next.
type RawRange struct {
	Entries []KV
	More    bool
	Next    string
}

// readRange reads the entries of one partition key with sort keys in
// [start, end) from a read quorum and joins them. A replica that hit the
// limit has not looked past its last key, so the result stops there: every
// key it returns was covered by a full read quorum.
func (e *Engine) readRange(now cluster.Time, t *tableState, partitionKey, start, end string, limit int, reverse bool, done func(cluster.Time, RawRange, error)) {
	if limit <= 0 || limit > e.cfg.MaxRangeLimit {
		limit = e.cfg.MaxRangeLimit
	}
	if e.layout().Current().IsEmpty() {
		done(now, RawRange{}, ErrNoLayout)
		return
	}
	prefix := t.partitionPrefix(partitionKey)
	p := partitionOfStorageKey(prefix)
	nodes, r := e.readSet(t, p)
	e.calls.Start(now, rpc.Call{
		Sets:    [][]cluster.NodeID{nodes},
		Quorum:  r,
		Body:    ReadRange{Table: t.id, PartitionKey: partitionKey, Start: start, End: end, Limit: limit, Reverse: reverse},
		Timeout: e.cfg.RequestTimeout,
	}, func(now cluster.Time, resps []rpc.Response, err error) {
		if err != nil {
			done(now, RawRange{}, err)
			return
		}
		res, repairs, err := e.joinRanges(t, prefix, resps, limit, reverse)
		if err != nil {
			done(now, RawRange{}, err)
			return
		}
		if len(repairs) > 0 && e.cfg.RepairOnRead {
			e.repair(now, t, p, repairs, func(now cluster.Time, err error) { done(now, res, err) })
			return
		}
		done(now, res, nil)
	})
}

// joinRanges joins range replies key by key. It also returns the joined
// entries some replica lacked or held differently, for repair-on-read.
// Reverse replies come in descending order and cover down to their last
// key.
func (e *Engine) joinRanges(t *tableState, prefix string, resps []rpc.Response, limit int, reverse bool) (RawRange, []KV, error) {
	// beyond reports whether key lies past what a full replica covered.
	beyond := func(key, bound string) bool { return key > bound }
	if reverse {
		beyond = func(key, bound string) bool { return key < bound }
	}
	bound := "" // the nearest last key of a replica that hit its limit
	for _, resp := range resps {
		b := resp.Body.(Entries)
		if b.Full && len(b.Entries) > 0 {
			last := b.Entries[len(b.Entries)-1].Key
			if bound == "" || beyond(bound, last) {
				bound = last
			}
		}
	}
	if e.cfg.Bugs.RangeOneTooMany && bound != "" && !reverse {
		bound = nextKeyAfter(resps, bound) // the planted bug: one past what a quorum covered
	}
	type seen struct {
		value  []byte
		copies int
		differ bool
	}
	joined := map[string]*seen{}
	for i, resp := range resps {
		if e.cfg.Bugs.SkipReadJoin && i > 0 {
			break
		}
		for _, kv := range resp.Body.(Entries).Entries {
			if !strings.HasPrefix(kv.Key, prefix) || (bound != "" && beyond(kv.Key, bound)) {
				continue
			}
			s := joined[kv.Key]
			if s == nil {
				joined[kv.Key] = &seen{value: kv.Value, copies: 1}
				continue
			}
			v, err := e.join(t, s.value, kv.Value)
			if err != nil {
				return RawRange{}, nil, err
			}
			s.differ = s.differ || !bytes.Equal(s.value, kv.Value)
			s.value = v
			s.copies++
		}
	}
	keys := make([]string, 0, len(joined))
	for k := range joined {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if reverse {
		slices.Reverse(keys)
	}
	var res RawRange
	var repairs []KV
	for i, k := range keys {
		if i == limit {
			res.More, res.Next = true, sortKeyOf(k)
			break
		}
		s := joined[k]
		res.Entries = append(res.Entries, KV{Key: k, Value: s.value})
		if s.differ || s.copies < len(resps) {
			repairs = append(repairs, KV{Key: k, Value: s.value})
		}
	}
	if !res.More && bound != "" {
		// Forward, the bound's successor; in reverse its predecessor has
		// no finite name, so the bound itself, which the caller skips.
		res.More, res.Next = true, sortKeyOf(bound)+"\x00"
		if reverse {
			res.Next = sortKeyOf(bound)
		}
	}
	return res, repairs, nil
}
