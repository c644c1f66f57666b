package table

import (
	"bytes"
	"time"

	"github.com/garagego/garage/node/cluster"
)

// The insert queue holds entries this node must write to other replicas —
// the cascades started by table hooks. It lives in the metadata store under
// "q/" + table id + storage key, so entries for one key join into one, a
// restart keeps them, and they are processed in key order. Each is written
// with a quorum; on success it leaves the queue (unless it changed
// meanwhile), on failure it is retried after RequestTimeout.
const queuePrefix = "q/"

type insertQueue struct {
	inflight map[string]bool         // queue keys being written
	retryAt  map[string]cluster.Time // queue keys that failed, and when to retry
}

// maxQueueInflight bounds the queued inserts written at once.
const maxQueueInflight = 16

func (e *Engine) queueInsert(t *tableState, key string, value []byte) {
	qkey := queuePrefix + string([]byte{byte(t.id)}) + key
	if old, ok := e.store.Get(qkey); ok {
		merged, err := t.codec.merge(old, value)
		if err != nil || bytes.Equal(merged, old) {
			return
		}
		value = merged
	}
	e.store.Put(qkey, value)
}

// QueueLen is the number of entries waiting in the insert queue.
func (e *Engine) QueueLen() int {
	n := 0
	e.store.Range(queuePrefix, PrefixEnd(queuePrefix), func(string, []byte) bool { n++; return true })
	return n
}

// flushQueue starts writing queued entries, in key order.
func (e *Engine) flushQueue(now cluster.Time) {
	q := &e.queue
	if q.inflight == nil {
		q.inflight, q.retryAt = map[string]bool{}, map[string]cluster.Time{}
	}
	if len(q.inflight) >= maxQueueInflight || e.layout().Current().IsEmpty() {
		return
	}
	var start []string
	e.store.Range(queuePrefix, PrefixEnd(queuePrefix), func(qkey string, _ []byte) bool {
		if q.inflight[qkey] || now < q.retryAt[qkey] {
			return true
		}
		start = append(start, qkey)
		return len(q.inflight)+len(start) < maxQueueInflight
	})
	for _, qkey := range start {
		e.writeQueued(now, qkey)
	}
}

func (e *Engine) writeQueued(now cluster.Time, qkey string) {
	value, _ := e.store.Get(qkey)
	t, ok := e.tables[ID(qkey[len(queuePrefix)])]
	key := qkey[len(queuePrefix)+1:]
	if !ok || !validStorageKey(t.id, key) {
		e.store.Delete(qkey) // a queue entry for a table this node no longer has
		return
	}
	e.queue.inflight[qkey] = true
	e.insert(now, t, partitionOfStorageKey(key), []KV{{Key: key, Value: value}}, func(now cluster.Time, err error) {
		delete(e.queue.inflight, qkey)
		if err != nil {
			e.queue.retryAt[qkey] = now.Add(max(e.cfg.RequestTimeout, time.Second))
			return
		}
		delete(e.queue.retryAt, qkey)
		if current, ok := e.store.Get(qkey); ok && bytes.Equal(current, value) {
			e.store.Delete(qkey)
		}
	})
}
