package s3bench

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// maxPhaseErrors stops a phase early: a failing cluster gives no figure
// worth waiting for.
const maxPhaseErrors = 10

// Workload is what a run does: for every size in turn, PUT objects, then
// GET them back, each phase from Clients concurrent clients.
type Workload struct {
	Sizes   []Size
	Clients int
	// Count is how many objects each phase moves. With neither Count nor
	// Duration, it is DefaultCount for each size.
	Count int
	// Duration, with no Count, runs each phase for this long instead.
	Duration time.Duration
	// NodePeaks, if not nil, gives each node's peak memory so far; it is
	// recorded in every phase's result.
	NodePeaks func() []int64
	// Progress, if not nil, gets a line as each phase starts.
	Progress io.Writer
}

// Run runs the workload against t, appending each phase's result to
// r.Results as it ends, and stops at the first phase that fails or is
// interrupted.
func (w Workload) Run(ctx context.Context, t *Target, r *Report) error {
	record := func(res Result) {
		if w.NodePeaks != nil {
			res.NodePeakRSSBytes = w.NodePeaks()
		}
		r.Results = append(r.Results, res)
	}
	largest := slices.MaxFunc(w.Sizes, func(a, b Size) int { return cmp.Compare(a.Bytes, b.Bytes) }).Bytes
	data := make([]byte, largest+bodyOffsets)
	rand.Read(data) //nolint:errcheck // crypto/rand does not fail
	for _, size := range w.Sizes {
		put := w.runPhase(ctx, "PUT", size, func(ctx context.Context, i int) (sample, error) {
			return t.put(ctx, i, size, data)
		})
		record(put)
		if err := phaseError(ctx, put); err != nil {
			return err
		}
		written := put.Objects
		get := w.runPhase(ctx, "GET", size, func(ctx context.Context, i int) (sample, error) {
			return t.get(ctx, i%written, size)
		})
		record(get)
		if err := phaseError(ctx, get); err != nil {
			return err
		}
	}
	return nil
}

// count is how many objects of size a phase moves; 0 means until Duration
// has passed.
func (w Workload) count(size Size) int {
	if w.Count == 0 && w.Duration == 0 {
		return DefaultCount(size.Bytes, w.Clients)
	}
	return w.Count
}

func phaseError(ctx context.Context, r Result) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted during %s %s: %w", r.Op, r.Size, err)
	}
	if r.Errors > 0 {
		return fmt.Errorf("%s %s: %d requests failed, the first with: %s", r.Op, r.Size, r.Errors, r.FirstError)
	}
	if r.Objects == 0 {
		return fmt.Errorf("%s %s: no request completed", r.Op, r.Size)
	}
	return nil
}

// sample is one request's timing.
type sample struct {
	latency time.Duration // from sending the request to the end of the body
	ttfb    time.Duration // GET only: to the first byte of the body
}

// runPhase runs do for objects 0, 1, … from every client at once until
// the phase's count of objects are done (or its duration has passed), and
// sums up.
func (w Workload) runPhase(ctx context.Context, op string, size Size, do func(context.Context, int) (sample, error)) Result {
	if w.Progress != nil {
		fmt.Fprintf(w.Progress, "bench: %s %s ...\n", op, size.Label)
	}
	count := w.count(size)
	var (
		next     atomic.Int64
		failures atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	perClient := make([][]sample, w.Clients)
	start := time.Now()
	more := func() (int, bool) {
		i := int(next.Add(1) - 1)
		switch {
		case ctx.Err() != nil, failures.Load() >= maxPhaseErrors:
			return 0, false
		case count > 0:
			return i, i < count
		default:
			return i, time.Since(start) < w.Duration
		}
	}
	for c := range w.Clients {
		wg.Go(func() {
			for i, ok := more(); ok; i, ok = more() {
				s, err := do(ctx, i)
				if err != nil {
					failures.Add(1)
					errOnce.Do(func() { firstErr = err })
					continue
				}
				perClient[c] = append(perClient[c], s)
			}
		})
	}
	wg.Wait()
	r := summarize(op, size, w.Clients, time.Since(start), slices.Concat(perClient...))
	r.Errors = int(failures.Load())
	if firstErr != nil {
		r.FirstError = firstErr.Error()
	}
	return r
}
