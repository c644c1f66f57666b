package faultnet

import (
	"sync"
	"sync/atomic"
	"time"
)

// A chunk is the bytes of one read, delivered as a unit of delay and loss.
type chunk struct {
	data    []byte // what is left to write
	size    int    // bytes read, for accounting
	readAt  time.Time
	jitterU float64 // draws in [0, 1), scaled by the shape at delivery
	lossU   float64

	lossDecided bool
	stallUntil  time.Time
}

// A queue holds the chunks of one direction between its reader and its
// writer, at most limit bytes (plus one chunk). It has one reader and one
// writer.
type queue struct {
	limit int
	held  *atomic.Int64 // the network's gauge of held bytes

	mu     sync.Mutex
	chunks []*chunk
	bytes  int
	eof    bool

	readable chan struct{} // signalled when a chunk or EOF arrives
	writable chan struct{} // signalled when bytes leave
}

func newQueue(limit int, held *atomic.Int64) *queue {
	return &queue{
		limit:    limit,
		held:     held,
		readable: make(chan struct{}, 1),
		writable: make(chan struct{}, 1),
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// waitSpace waits until the queue has room, or returns errTornDown or
// errFrozen when stop or freeze are closed.
func (q *queue) waitSpace(stop, freeze <-chan struct{}) error {
	for {
		q.mu.Lock()
		room := q.bytes < q.limit
		q.mu.Unlock()
		if room {
			return nil
		}
		select {
		case <-q.writable:
		case <-stop:
			return errTornDown
		case <-freeze:
			return errFrozen
		}
	}
}

func (q *queue) push(c *chunk) {
	q.mu.Lock()
	q.chunks = append(q.chunks, c)
	q.bytes += c.size
	q.mu.Unlock()
	q.held.Add(int64(c.size))
	signal(q.readable)
}

// closeInput records that the source reached EOF after the queued chunks.
func (q *queue) closeInput() {
	q.mu.Lock()
	q.eof = true
	q.mu.Unlock()
	signal(q.readable)
}

// head waits for the oldest chunk, which stays queued until pop. It returns
// nil once the source's EOF is reached, or errTornDown or errFrozen when
// stop or freeze are closed.
func (q *queue) head(stop, freeze <-chan struct{}) (*chunk, error) {
	for {
		q.mu.Lock()
		var c *chunk
		if len(q.chunks) > 0 {
			c = q.chunks[0]
		}
		eof := q.eof
		q.mu.Unlock()
		if c != nil || eof {
			return c, nil
		}
		select {
		case <-q.readable:
		case <-stop:
			return nil, errTornDown
		case <-freeze:
			return nil, errFrozen
		}
	}
}

// pop removes the oldest chunk once it is delivered.
func (q *queue) pop() {
	q.mu.Lock()
	c := q.chunks[0]
	q.chunks[0] = nil
	q.chunks = q.chunks[1:]
	q.bytes -= c.size
	q.mu.Unlock()
	q.held.Add(-int64(c.size))
	signal(q.writable)
}

// drain discards every queued chunk of a stream that has ended.
func (q *queue) drain() {
	q.mu.Lock()
	dropped := q.bytes
	q.chunks, q.bytes = nil, 0
	q.mu.Unlock()
	q.held.Add(-int64(dropped))
	signal(q.writable)
}
