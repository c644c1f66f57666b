package s3api

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/garagego/garage/node/object"
)

// TestRefusedDeletion: a deletion the core decides against (an object
// lock's error) is a refusal the lifecycle pass counts and skips; a
// failure to reach a decision (no quorum, the pass's end) ends the pass.
func TestRefusedDeletion(t *testing.T) {
	ctx := context.Background()
	locked := errors.New("object locked")
	if !refusedDeletion(ctx, fmt.Errorf("delete version: %w", locked)) {
		t.Error("a lock's refusal ends the pass")
	}
	for _, err := range []error{fmt.Errorf("delete: %w", object.ErrNotWritten), context.DeadlineExceeded, fmt.Errorf("rpc: %w", context.Canceled)} {
		if refusedDeletion(ctx, err) {
			t.Errorf("%v counted as a refusal", err)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if refusedDeletion(done, locked) {
		t.Error("an error after the pass ended counted as a refusal")
	}
}
