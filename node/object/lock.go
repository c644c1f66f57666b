package object

import (
	"errors"
	"fmt"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
)

// ErrObjectLocked: the operation would delete a version under object lock
// (a legal hold, or a retention that still holds), or weaken its
// retention. It wraps model.ErrLegalHold or model.ErrRetained. Nothing
// was written.
//
// These checks are here, in the core, so that no path deletes a locked
// version: DeleteObject by id, DeleteObjects, the lifecycle worker and any
// later caller all go through DeleteVersion. "Now" is the coordinating
// node's clock; model.LockClockMargin covers its skew.
var ErrObjectLocked = errors.New("object locked")

// refuseDeletion says why v may not be deleted at now, or nil. A delete
// marker carries no lock. A lock that does not decode refuses: when in
// doubt, keep the data.
func refuseDeletion(now cluster.Time, v model.ObjectVersion, bypassGovernance bool) error {
	if v.State.Kind != model.Complete || v.State.Data == model.DeleteMarker {
		return nil
	}
	lock, err := model.LockOf(v.State)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrObjectLocked, err)
	}
	if err := lock.RefuseDeletion(now.Millis(), bypassGovernance); err != nil {
		return fmt.Errorf("%w: %w", ErrObjectLocked, err)
	}
	return nil
}

// refuseSuperseding refuses a null write that would supersede the key's
// null version while that version is locked. A bucket under object lock
// keeps versioning enabled, so its writes are versioned and supersede
// nothing; this guards the null version written before the lock was
// enabled against a writer that did not know (a stale bucket read). The
// bypass does not apply: a null write has no way to ask for it.
func refuseSuperseding(now cluster.Time, o model.Object) error {
	v, ok := o.NullVersion()
	if !ok {
		return nil
	}
	return refuseDeletion(now, v, false)
}

// refuseAttrChange refuses setting a version's retention to a weaker one
// while it holds. A legal hold may always be set or lifted (S3 leaves
// that to the s3:PutObjectLegalHold permission).
func refuseAttrChange(now cluster.Time, v model.ObjectVersion, op SetAttr) error {
	if op.Name != model.AttrRetention {
		return nil
	}
	lock, err := model.LockOf(v.State)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrObjectLocked, err)
	}
	next, err := model.ParseRetention(op.Value)
	if err != nil {
		return fmt.Errorf("new retention: %w", err)
	}
	if err := model.RefuseRetentionChange(lock.Retention, next, now.Millis(), op.BypassGovernance); err != nil {
		return fmt.Errorf("%w: %w", ErrObjectLocked, err)
	}
	return nil
}
