package faultnet

import (
	"math"
	"sync"
	"time"
)

// Retransmission-like stalls of Shape.Loss: Linux's minimum RTO is 200 ms
// and it doubles per consecutive loss; the cap keeps a lossy link usable.
const (
	lossStallBase = 200 * time.Millisecond
	lossStallMax  = 3 * time.Second
)

// lossStall is the stall after consecutive earlier losses in a row.
func lossStall(consecutive int) time.Duration {
	if consecutive >= 5 { // 200ms << 4 already exceeds the cap
		return lossStallMax
	}
	return min(lossStallBase<<consecutive, lossStallMax)
}

// jitter scales a draw u in [0, 1) to [0, span).
func jitter(u float64, span time.Duration) time.Duration {
	return time.Duration(u * float64(span))
}

// pieceSize is the most a bandwidth-limited direction writes at once: about
// 20 ms worth, so the cap holds at a fine grain.
func pieceSize(rate int64) int {
	return int(min(max(rate/50, 1), chunkSize))
}

// A pacer spaces the writes of one direction so they average at most the
// rate: each write pushes the earliest start of the next one back by its
// transmission time. Idle time buys no burst beyond one piece.
type pacer struct {
	mu   sync.Mutex
	next time.Time
}

// wait returns how long a writer must wait before writing.
func (p *pacer) wait(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.next.Sub(now), 0)
}

// spend records that n bytes were written at rate.
func (p *pacer) spend(now time.Time, n int, rate int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cost := time.Duration(math.Ceil(float64(n) / float64(rate) * float64(time.Second)))
	p.next = later(p.next, now).Add(cost)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
