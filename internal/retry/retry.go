// Package retry repeats an attempt until it succeeds or time runs out, for
// harnesses waiting on real processes to come up or agree.
package retry

import (
	"context"
	"time"
)

// Until calls try every 100 ms until it succeeds, ctx ends or timeout
// passes, and then returns its last error (or ctx's).
func Until(ctx context.Context, timeout time.Duration, try func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := try()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
