package s3api

import (
	"context"
	"fmt"
	"testing"

	"github.com/garagego/garage/node/object"
)

// TestRefusedDeletion: a deletion the core decides against (an object
// lock) is a refusal the lifecycle pass counts and skips; a failure to
// reach a decision (no quorum, the pass's end) ends the pass.
func TestRefusedDeletion(t *testing.T) {
	if !refusedDeletion(fmt.Errorf("delete version: %w", object.ErrObjectLocked)) {
		t.Error("a lock's refusal ends the pass")
	}
	for _, err := range []error{fmt.Errorf("delete: %w", object.ErrNotWritten), context.DeadlineExceeded, fmt.Errorf("rpc: %w", context.Canceled)} {
		if refusedDeletion(err) {
			t.Errorf("%v counted as a refusal", err)
		}
	}
}
