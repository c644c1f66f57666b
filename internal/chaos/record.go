package chaos

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/garagego/garage/checker"
)

// recorder collects the history of every client call. Call and Return
// points are nanoseconds since the run began, made strictly increasing
// across all clients, so the checker's order is the real order of events
// as this process saw them.
type recorder struct {
	start time.Time
	last  atomic.Int64

	mu  sync.Mutex
	ops checker.History
	via []int // the node each op went through, by op id
	// kills are the moments nodes were killed, to measure how long calls
	// in flight took to end.
	kills []kill
}

type kill struct {
	at   int64
	node int
}

// slowCall is an operation in flight at a kill that took long to end.
type slowCall struct {
	Op     checker.Op
	Via    int // the node it went through
	Killed int // the node killed
	Wait   time.Duration
}

func newRecorder() *recorder { return &recorder{start: time.Now()} }

// seq is the next event point: now, or just after the previous one.
func (r *recorder) seq() int64 {
	now := time.Since(r.start).Nanoseconds()
	for {
		last := r.last.Load()
		next := max(now, last+1)
		if r.last.CompareAndSwap(last, next) {
			return next
		}
	}
}

// add records a finished operation made through node and returns its id.
func (r *recorder) add(op checker.Op, node int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	op.ID = len(r.ops)
	r.ops = append(r.ops, op)
	r.via = append(r.via, node)
	return op.ID
}

func (r *recorder) killed(node int) {
	at := r.seq()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kills = append(r.kills, kill{at, node})
}

// history returns a copy of what was recorded.
func (r *recorder) history() checker.History {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ops)
}

// inFlightAtKills is, for every kill, how long each operation in flight
// at that moment still took to end, how many of them failed, and the
// slowest few.
func (r *recorder) inFlightAtKills() (waits []time.Duration, failed int, slowest []slowCall) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []slowCall
	for _, k := range r.kills {
		for i, op := range r.ops {
			if op.Call < k.at && op.Return > k.at {
				wait := time.Duration(op.Return - k.at)
				waits = append(waits, wait)
				all = append(all, slowCall{Op: op, Via: r.via[i], Killed: k.node, Wait: wait})
				if op.Outcome != checker.OK {
					failed++
				}
			}
		}
	}
	slices.Sort(waits)
	slices.SortFunc(all, func(a, b slowCall) int { return int(b.Wait - a.Wait) })
	return waits, failed, all[:min(len(all), 3)]
}

// elapsed converts an event point to the time since the run began.
func elapsed(seq int64) time.Duration { return time.Duration(seq) }
