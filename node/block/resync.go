package block

import (
	"encoding/binary"
	"fmt"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

// The resync queue lives in the metadata store: "b/q/" + due time
// (big-endian, so keys sort by time) + hash, with "b/qi/" + hash holding the
// due time of the block's single entry. Errors live under "b/err/" + hash.
const (
	queuePrefix = "b/q/"
	indexPrefix = "b/qi/"
	errPrefix   = "b/err/"
)

// resyncState is the resync workers' state: the blocks being checked, and
// the pacing of the pool.
type resyncState struct {
	inflight map[cluster.Hash]bool
	pace     pacer
}

// BlockError is a block resync keeps failing on.
type BlockError struct {
	Hash      cluster.Hash
	Failures  uint64
	LastTry   cluster.Time
	NextTry   cluster.Time
	LastError string
}

func dueKey(due cluster.Time, h cluster.Hash) string {
	var k [len(queuePrefix) + 8 + 32]byte
	copy(k[:], queuePrefix)
	binary.BigEndian.PutUint64(k[len(queuePrefix):], uint64(max(due, 0)))
	copy(k[len(queuePrefix)+8:], h[:])
	return string(k[:])
}

// enqueue schedules a check of block h at due, unless one is already
// scheduled earlier (that check will reschedule if it must).
func (m *Manager) enqueue(h cluster.Hash, due cluster.Time) {
	idx := indexPrefix + string(h[:])
	if b, ok := m.store.Get(idx); ok {
		old := cluster.Time(binary.BigEndian.Uint64(b))
		switch {
		case m.resync.inflight[h]:
			// The entry being checked is removed when its check ends; the
			// new one must survive it, whatever its time.
		case old <= due:
			return
		default:
			m.store.Delete(dueKey(old, h))
		}
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(max(due, 0)))
	m.store.Put(idx, b[:])
	m.store.Put(dueKey(due, h), nil)
}

func (m *Manager) dequeue(h cluster.Hash, due cluster.Time) {
	idx := indexPrefix + string(h[:])
	if b, ok := m.store.Get(idx); ok && cluster.Time(binary.BigEndian.Uint64(b)) == due {
		m.store.Delete(idx)
	}
	m.store.Delete(dueKey(due, h))
}

// NextDue is when the earliest queued check is due (ok false when the
// queue is empty).
func (m *Manager) NextDue() (due cluster.Time, ok bool) {
	m.store.Range(queuePrefix, queuePrefix+"\xff", func(k string, _ []byte) bool {
		due, ok = cluster.Time(binary.BigEndian.Uint64([]byte(k[len(queuePrefix):]))), true
		return false
	})
	return due, ok
}

// QueueLen is the number of blocks waiting for a check.
func (m *Manager) QueueLen() int {
	n := 0
	m.store.Range(indexPrefix, indexPrefix+"\xff", func(string, []byte) bool { n++; return true })
	return n
}

// Tick runs due resync items and the scrub.
func (m *Manager) Tick(now cluster.Time) {
	m.runResync(now)
	m.runScrub(now)
}

func (m *Manager) runResync(now cluster.Time) {
	if m.resync.inflight == nil {
		m.resync.inflight = map[cluster.Hash]bool{}
	}
	if m.resync.pace.resting(now) {
		return
	}
	type item struct {
		h   cluster.Hash
		due cluster.Time
	}
	var start []item
	if len(m.resync.inflight) < m.cfg.ResyncWorkers {
		m.store.Range(queuePrefix, dueKey(now+1, cluster.Hash{}), func(k string, _ []byte) bool {
			var it item
			it.due = cluster.Time(binary.BigEndian.Uint64([]byte(k[len(queuePrefix):])))
			copy(it.h[:], k[len(queuePrefix)+8:])
			if !m.resync.inflight[it.h] {
				start = append(start, it)
			}
			return len(m.resync.inflight)+len(start) < m.cfg.ResyncWorkers
		})
	}
	for _, it := range start {
		m.resync.inflight[it.h] = true
		started := now
		m.check(now, it.h, func(now cluster.Time, err error) {
			delete(m.resync.inflight, it.h)
			m.dequeue(it.h, it.due)
			if err != nil {
				m.failed(now, it.h, err)
			} else {
				m.stats.ResyncDone++
				m.store.Delete(errPrefix + string(it.h[:]))
			}
			m.resync.pace.worked(started, now, m.cfg.ResyncTranquility, m.cfg.ResyncWorkers)
			m.runResync(now) // the next item, without waiting for a tick
		})
	}
}

// check brings block h where its reference count says it should be:
// present if referenced, gone if unreferenced for GCDelay.
func (m *Manager) check(now cluster.Time, h cluster.Hash, done func(cluster.Time, error)) {
	m.doIO(IORequest{Kind: IOStat, Hash: h}, func(now cluster.Time, r IOResult) {
		if r.Err != nil {
			done(now, fmt.Errorf("stat: %w", r.Err))
			return
		}
		rc := m.RefCount(h)
		switch {
		case m.cfg.Bugs.GCIgnoresReferences && r.Present && rc.Count > 0:
			m.delete(now, h, done) // the planted bug: no count, no offload
		case rc.Count > 0 && r.Present:
			done(now, nil)
		case rc.Count > 0:
			m.fetch(now, h, done)
		case !r.Present:
			m.setRefCount(h, RefCount{})
			done(now, nil)
		case rc.ZeroSince != 0 && now.Sub(rc.ZeroSince) < m.cfg.GCDelay:
			m.enqueue(h, rc.ZeroSince.Add(m.cfg.GCDelay))
			done(now, nil)
		default:
			m.collect(now, h, done)
		}
	})
}

// collect drops a block no reference on this node points to — unless
// another holder counts a reference to it. If this node still holds the
// block's partition, its count lags (the reference will reach it by
// anti-entropy): it keeps its copy, sends one to the holders that lack it,
// and checks again later. If the partition moved away from this node, it
// sends the block to the holders that lack it and drops its copy once none
// does. Either way the block leaves only once every holder answered.
func (m *Manager) collect(now cluster.Time, h cluster.Hash, done func(cluster.Time, error)) {
	var peers []cluster.NodeID
	holder := false
	for _, id := range m.holders(h) {
		if id != m.self {
			peers = append(peers, id)
		} else {
			holder = true
		}
	}
	if len(peers) == 0 {
		m.delete(now, h, done)
		return
	}
	m.calls.Start(now, rpc.Call{Sets: [][]cluster.NodeID{peers}, Quorum: len(peers), Body: NeedBlock{Hash: h}, Timeout: m.cfg.ReadTimeout},
		func(now cluster.Time, resps []rpc.Response, err error) {
			if err != nil {
				done(now, fmt.Errorf("ask holders before deleting: %w", err))
				return
			}
			var referenced bool
			var missing []cluster.NodeID
			for _, r := range resps {
				need := r.Body.(Need)
				referenced = referenced || need.Referenced
				if need.Missing {
					missing = append(missing, r.From)
				}
			}
			switch {
			case !referenced || (!holder && len(missing) == 0):
				m.delete(now, h, done)
				return
			case holder:
				m.enqueue(h, now.Add(m.cfg.GCDelay))
			default:
				m.enqueue(h, now) // check again once the copies landed
			}
			if len(missing) == 0 {
				done(now, nil)
				return
			}
			m.readLocal(h, func(now cluster.Time, data []byte, compressed bool, err error) {
				if err != nil {
					done(now, fmt.Errorf("read block to send to holders lacking it: %w", err))
					return
				}
				m.calls.Start(now, rpc.Call{Sets: [][]cluster.NodeID{missing}, Quorum: len(missing), Body: PutBlock{Hash: h, Data: data, Compressed: compressed}, Timeout: m.cfg.WriteTimeout},
					func(now cluster.Time, _ []rpc.Response, err error) {
						if err != nil {
							err = fmt.Errorf("send block to holders lacking it: %w", err)
						}
						done(now, err)
					})
			})
		})
}

func (m *Manager) delete(now cluster.Time, h cluster.Hash, done func(cluster.Time, error)) {
	m.doIO(IORequest{Kind: IODelete, Hash: h}, func(now cluster.Time, r IOResult) {
		if r.Err != nil {
			done(now, fmt.Errorf("delete: %w", r.Err))
			return
		}
		m.stats.BlocksDeleted++
		if rc := m.RefCount(h); rc.Count == 0 {
			m.setRefCount(h, RefCount{})
		}
		done(now, nil)
	})
}

// fetch copies a referenced block this node lacks from another holder.
func (m *Manager) fetch(now cluster.Time, h cluster.Hash, done func(cluster.Time, error)) {
	var peers []cluster.NodeID
	for _, id := range m.readOrder(m.holders(h)) {
		if id != m.self {
			peers = append(peers, id)
		}
	}
	m.fetchFrom(now, h, peers, nil, done)
}

func (m *Manager) fetchFrom(now cluster.Time, h cluster.Hash, peers []cluster.NodeID, lastErr error, done func(cluster.Time, error)) {
	if len(peers) == 0 {
		if lastErr == nil {
			lastErr = ErrNotFound
		}
		done(now, fmt.Errorf("fetch from peers: %w", lastErr))
		return
	}
	m.calls.Start(now, rpc.Call{Sets: [][]cluster.NodeID{{peers[0]}}, Quorum: 1, Body: GetBlock{Hash: h}, Timeout: m.cfg.ReadTimeout},
		func(now cluster.Time, resps []rpc.Response, err error) {
			if err != nil {
				m.fetchFrom(now, h, peers[1:], err, done)
				return
			}
			b := resps[0].Body.(BlockData)
			m.doIO(IORequest{Kind: IOWrite, Hash: h, Data: b.Data, Compressed: b.Compressed}, func(now cluster.Time, r IOResult) {
				if r.Err != nil {
					done(now, fmt.Errorf("store fetched block: %w", r.Err))
					return
				}
				m.stats.BlocksFetched++
				m.stats.BlocksWritten++
				done(now, nil)
			})
		})
}

// failed records a failure and retries later with exponential backoff.
func (m *Manager) failed(now cluster.Time, h cluster.Hash, err error) {
	m.stats.ResyncErrors++
	be, _ := m.blockError(h)
	be.Hash = h
	be.Failures++
	be.LastTry = now
	be.LastError = err.Error()
	backoff := m.cfg.ErrorBackoff << min(be.Failures-1, 6)
	be.NextTry = now.Add(backoff)
	e := wire.NewEncoder(nil)
	e.Uvarint(be.Failures)
	e.Varint(int64(be.LastTry))
	e.Varint(int64(be.NextTry))
	e.String(be.LastError)
	m.store.Put(errPrefix+string(h[:]), e.Bytes())
	m.enqueue(h, be.NextTry)
}

func (m *Manager) blockError(h cluster.Hash) (BlockError, bool) {
	b, ok := m.store.Get(errPrefix + string(h[:]))
	if !ok {
		return BlockError{Hash: h}, false
	}
	d := wire.NewDecoder(b)
	return BlockError{Hash: h, Failures: d.Uvarint(), LastTry: cluster.Time(d.Varint()), NextTry: cluster.Time(d.Varint()), LastError: d.String()}, true
}

// Errors lists the blocks resync keeps failing on, in hash order.
func (m *Manager) Errors() []BlockError {
	var out []BlockError
	m.store.Range(errPrefix, errPrefix+"\xff", func(k string, _ []byte) bool {
		var h cluster.Hash
		copy(h[:], k[len(errPrefix):])
		be, _ := m.blockError(h)
		out = append(out, be)
		return true
	})
	return out
}

// RetryNow reschedules failing blocks (all of them when hashes is empty)
// for an immediate check.
func (m *Manager) RetryNow(now cluster.Time, hashes []cluster.Hash) int {
	if len(hashes) == 0 {
		for _, be := range m.Errors() {
			hashes = append(hashes, be.Hash)
		}
	}
	for _, h := range hashes {
		m.enqueue(h, now)
	}
	return len(hashes)
}

// Info is what a node knows of one block, for `garage block info`.
type Info struct {
	RefCount RefCount
	Queued   bool
	Error    *BlockError
}

// Info reports the block's reference count, queue and error state.
func (m *Manager) Info(h cluster.Hash) Info {
	info := Info{RefCount: m.RefCount(h)}
	_, info.Queued = m.store.Get(indexPrefix + string(h[:]))
	if be, ok := m.blockError(h); ok {
		info.Error = &be
	}
	return info
}

// RepairAll queues every block this node counts references for, and walks
// the disk queuing every stored block, so that missing ones are fetched and
// unreferenced ones collected (`garage repair blocks`).
func (m *Manager) RepairAll(now cluster.Time) {
	var counted []cluster.Hash // collected first: the store must not change under Range
	m.RefCounts(func(h cluster.Hash, _ RefCount) bool {
		counted = append(counted, h)
		return true
	})
	for _, h := range counted {
		m.enqueue(h, now)
	}
	m.walkDisk(cluster.Hash{}, true, func(now cluster.Time, h cluster.Hash) {
		if m.RefCount(h) == (RefCount{}) {
			// Stored but never counted: start its grace period now.
			m.setRefCount(h, RefCount{ZeroSince: now})
			m.enqueue(h, now.Add(m.cfg.GCDelay))
		}
	})
}

// walkDisk calls fn for every stored block, listing them in batches.
func (m *Manager) walkDisk(after cluster.Hash, first bool, fn func(cluster.Time, cluster.Hash)) {
	m.doIO(IORequest{Kind: IOList, After: after, First: first, Limit: 256}, func(now cluster.Time, r IOResult) {
		if r.Err != nil || len(r.Hashes) == 0 {
			return
		}
		for _, h := range r.Hashes {
			fn(now, h)
		}
		m.walkDisk(r.Hashes[len(r.Hashes)-1], false, fn)
	})
}
