package object

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
)

// Conditional writes. A write with a Condition (PutInline, PutComplete,
// CopyObject, CompleteMultipart, Delete) is judged when it commits, by the
// core, in three steps:
//
//  1. intent: its version is written, Uploading, with Intent = now, to a
//     write quorum (a put's version already exists: the intent is added);
//  2. check: the object entry is read from a read quorum; the condition
//     is judged against the newest completed version
//     (ErrPreconditionFailed, ErrConditionNoObject); should another
//     conditional write of the key be between its own steps 1 and 3, the
//     earlier of the two in the key's order yields (ErrConditionalConflict)
//     and the later reads again until the earlier is done, then judges
//     again; and should the condition hold while the newest version is
//     newer than the write's own, the write yields too;
//  3. commit: the version completes, recording in Basis the version the
//     condition was judged against. A refused write aborts its version (a
//     multipart upload only releases its intent: the upload stays).
//
// Two conditional writes of one key overlapping in time therefore cannot
// both commit: each writes its intent before it reads, so at least one
// sees the other's intent (quorums intersect). If the earlier sees the
// later, it yields; if only the later sees the earlier, it waits for the
// earlier's outcome and judges it. One of them goes ahead unless waits run
// out.
//
// Unconditional writes do not take these steps. A put whose blocks were
// uploading while a conditional write committed would be superseded by it
// without having been judged: after its own commit, a block put (or a
// multipart completion) reads the object again, and if the newest version is
// a conditional one judged against an older version, it answers
// ErrConditionalConflict (its data is released; nothing of it is visible),
// and if such a write is still between its steps, it waits for its outcome
// (ErrOutcomeUnknown if it never comes). A small put or a delete, which is
// one read and one write, is not re-checked: one committing within the
// round trip between a conditional write's check and its commit can be
// superseded by it unjudged.

// IntentTTL bounds a conditional commit: an intent older than this is
// ignored by other writers (its writer died between its steps), and a
// writer whose own check ends more than half of it after its intent gives up.
const IntentTTL = 30 * time.Second

// conditionalWaits bounds how many times an unconditional put re-reads the
// object while a conditional write above it has not finished committing.
const conditionalWaits = 8

// Errors of conditional writes, exported so that the S3 layer answers with
// the matching code (given in each comment).
var (
	// ErrPreconditionFailed: the condition did not hold (PreconditionFailed,
	// 412).
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrConditionNoObject: If-Match names an ETag, and the key has no
	// object (NoSuchKey, 404).
	ErrConditionNoObject = errors.New("no object to match")
	// ErrConditionalConflict: a conflicting write of the key committed or is
	// committing at the same time; nothing was written
	// (ConditionalRequestConflict, 409).
	ErrConditionalConflict = errors.New("conflicting conditional write")
	// ErrOutcomeUnknown: the put committed, but a conditional write of the
	// key that may supersede it without having judged it did not finish in
	// time; the put may or may not remain (ServiceUnavailable, 503).
	ErrOutcomeUnknown = errors.New("outcome unknown: a conditional write of the key is still committing")
)

// Condition is a write's precondition on the key's current object, as S3
// states them. Empty fields impose nothing.
type Condition struct {
	// IfMatch: the object must exist with one of these ETags (a list as
	// in If-Match, quoted or not; "*" for any ETag).
	IfMatch string
	// IfNoneMatch: the key must have no object (If-None-Match: *).
	IfNoneMatch bool
	// IfMatchModified, if set, must be the object's last modification, in
	// whole seconds since the epoch (x-amz-if-match-last-modified-time).
	IfMatchModified *int64
	// IfMatchSize, if set, must be the object's size
	// (x-amz-if-match-size).
	IfMatchSize *uint64
}

// judge evaluates c against the key's newest completed version (found
// false: none; a delete marker is no object).
func (c *Condition) judge(cur model.ObjectVersion, found bool) error {
	exists := found && cur.State.Kind == model.Complete && cur.State.Data != model.DeleteMarker
	switch {
	case c.IfNoneMatch && exists:
		return fmt.Errorf("%w: If-None-Match: the key has an object", ErrPreconditionFailed)
	case c.IfMatch != "" && !exists:
		return fmt.Errorf("%w: If-Match needs an object", ErrConditionNoObject)
	case c.IfMatch != "" && !ETagMatches(c.IfMatch, cur.State.Meta.ETag):
		return fmt.Errorf("%w: If-Match: the object's ETag is %q", ErrPreconditionFailed, cur.State.Meta.ETag)
	case !exists:
		// S3: a size or time condition on a missing key lets the delete
		// succeed.
		return nil
	case c.IfMatchModified != nil && int64(cur.Timestamp/1000) != *c.IfMatchModified:
		return fmt.Errorf("%w: the object was last modified at %d s, not %d", ErrPreconditionFailed, cur.Timestamp/1000, *c.IfMatchModified)
	case c.IfMatchSize != nil && cur.State.Meta.Size != *c.IfMatchSize:
		return fmt.Errorf("%w: the object holds %d bytes, not %d", ErrPreconditionFailed, cur.State.Meta.Size, *c.IfMatchSize)
	}
	return nil
}

// ETagMatches reports whether an If-Match style list ("*" for any) holds
// etag; entries may be quoted and weak.
func ETagMatches(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimPrefix(strings.TrimSpace(e), "W/")
		if e == "*" || strings.Trim(e, `"`) == etag {
			return true
		}
	}
	return false
}

// conditionalCommit is one conditional write on its way through the three
// steps.
type conditionalCommit struct {
	bucket model.BucketID
	key    string
	// version is the write's version, Uploading (with its meta, multipart
	// flag): it is written again with the intent.
	version model.ObjectVersion
	cond    *Condition
	// commit completes the version, given the basis to record.
	commit func(now cluster.Time, basis model.Basis)
	// refuse ends the attempt without completing: abort the version, or
	// release the intent (set at intent) of an upload.
	refuse func(now cluster.Time, err error, intent uint64)
}

// commitConditionally runs the intent and check steps of c and then its
// commit or its refusal.
func (s *Service) commitConditionally(now cluster.Time, c conditionalCommit) {
	intent := max(now.Millis(), 1)
	v := c.version
	v.State = model.VersionState{Kind: model.Uploading, Multipart: v.State.Multipart, Meta: v.State.Meta, Intent: intent}
	s.writeVersion(now, c.bucket, c.key, v, func(now cluster.Time, _ any, err error) {
		if err != nil {
			c.refuse(now, fmt.Errorf("%w: record the conditional write's intent: %w", ErrNotWritten, err), intent)
			return
		}
		var check func(now cluster.Time, left int)
		check = func(now cluster.Time, left int) {
			s.objects.Get(now, model.ObjectKey(c.bucket, c.key), func(now cluster.Time, o model.Object, _ bool, err error) {
				if err != nil {
					c.refuse(now, fmt.Errorf("%w: read the object to judge the condition: %w", ErrNotWritten, err), intent)
					return
				}
				basis, err := judgeAtCommit(now, o, v, intent, c.cond)
				switch {
				case errors.Is(err, errWait) && left > 0:
					check(now, left-1)
				case errors.Is(err, errWait):
					c.refuse(now, fmt.Errorf("%w: %w: another conditional write of the key is still committing", ErrNotWritten, ErrConditionalConflict), intent)
				case err != nil:
					c.refuse(now, fmt.Errorf("%w: %w", ErrNotWritten, err), intent)
				default:
					c.commit(now, basis)
				}
			})
		}
		check(now, conditionalWaits)
	})
}

// judgeAtCommit is the check step: whether version v (whose intent was set
// at intent) may commit given the object o just read, and the basis it
// commits on.
func judgeAtCommit(now cluster.Time, o model.Object, v model.ObjectVersion, intent uint64, cond *Condition) (model.Basis, error) {
	// The condition is judged against the key's current object, even one
	// newer than this write: S3 judges at the end. Should it hold, this
	// write may still be unable to commit after it.
	cur, curFound := o.LastComplete()
	if err := cond.judge(cur, curFound); err != nil {
		return model.Basis{}, err
	}
	self, found := findVersion(o, v.ID)
	switch {
	case !found || self.State.Kind == model.Aborted:
		return model.Basis{}, fmt.Errorf("%w: the write was superseded or aborted while committing", ErrConditionalConflict)
	case self.State.Kind == model.Complete:
		return model.Basis{}, fmt.Errorf("%w: the version completed otherwise", ErrConditionalConflict)
	}
	// Of two conditional writes committing at once, the one later in the
	// key's order goes ahead: the earlier yields, and the later waits until
	// the earlier one is done, then judges again (should the earlier have
	// committed without seeing the later, the later judges it).
	wait := false
	for _, u := range o.Versions {
		if u.ID == v.ID || !u.State.Committing() || !fresh(now, u.State.Intent) {
			continue
		}
		if (versionPlace{v.Timestamp, v.ID}).before(u) {
			return model.Basis{}, fmt.Errorf("%w: another conditional write of the key is committing", ErrConditionalConflict)
		}
		wait = true
	}
	if wait {
		return model.Basis{}, errWait
	}
	if newest, ok := lastCompleted(o); ok && !newest.before(v) {
		return model.Basis{}, fmt.Errorf("%w: a newer version of the key completed", ErrConditionalConflict)
	}
	if now.Millis() > intent+uint64(IntentTTL.Milliseconds()/2) {
		return model.Basis{}, fmt.Errorf("%w: the check came too late after the intent", ErrConditionalConflict)
	}
	b := model.Basis{Conditional: true}
	if curFound {
		b.Timestamp, b.ID = cur.Timestamp, cur.ID
	}
	return b, nil
}

// errWait: the check must be taken again once an earlier conditional write
// of the key is done committing.
var errWait = errors.New("an earlier conditional write is committing")

// fresh reports whether an intent set at intent (ms) still counts.
func fresh(now cluster.Time, intent uint64) bool {
	return now.Millis() < intent+uint64(IntentTTL.Milliseconds())
}

// versionPlace is a version's place among its key's versions.
type versionPlace struct {
	TS uint64
	ID model.VersionID
}

func (p versionPlace) before(v model.ObjectVersion) bool {
	return p.TS < v.Timestamp || p.TS == v.Timestamp && p.ID.Compare(v.ID) < 0
}

// lastCompleted is the place of the newest version that completed
// (aborted since or not), which supersedes every older one.
func lastCompleted(o model.Object) (versionPlace, bool) {
	for i := len(o.Versions) - 1; i >= 0; i-- {
		if v := o.Versions[i]; v.State.Completed() {
			return versionPlace{v.Timestamp, v.ID}, true
		}
	}
	return versionPlace{}, false
}

// unjudged reports, for an unconditional write of version (ts, id) that
// committed, whether o shows it superseded by a conditional write that did
// not judge it (conflict), or a conditional write above it still committing
// (pending).
func unjudged(now cluster.Time, o model.Object, ts uint64, id model.VersionID) (conflict, pending bool) {
	self := model.ObjectVersion{ID: id, Timestamp: ts}
	for _, u := range o.Versions {
		if !(versionPlace{ts, id}).before(u) {
			continue
		}
		switch {
		case u.State.Kind == model.Complete && u.State.Basis.Conditional && u.State.Basis.Before(self.Timestamp, self.ID):
			conflict = true
		case u.State.Committing() && fresh(now, u.State.Intent):
			pending = true
		}
	}
	if conflict {
		return true, false
	}
	return false, pending
}

// checkUnjudged is the check an unconditional put runs after its commit:
// done(nil) if no conditional write supersedes it unjudged, else
// ErrConditionalConflict, or ErrOutcomeUnknown if such a write is still
// committing after conditionalWaits reads.
func (s *Service) checkUnjudged(now cluster.Time, bucket model.BucketID, key string, ts uint64, id model.VersionID, done func(cluster.Time, error)) {
	var read func(now cluster.Time, left int)
	read = func(now cluster.Time, left int) {
		s.objects.Get(now, model.ObjectKey(bucket, key), func(now cluster.Time, o model.Object, _ bool, err error) {
			if err != nil {
				// The put committed; only the check failed. The
				// conditional writes that may race it are rare: report
				// the put as done rather than make every read failure
				// after a commit look like a lost write.
				done(now, nil)
				return
			}
			conflict, pending := unjudged(now, o, ts, id)
			switch {
			case conflict:
				done(now, fmt.Errorf("%w: %w: a conditional write superseded this one without judging it", ErrNotWritten, ErrConditionalConflict))
			case pending && left > 0:
				read(now, left-1)
			case pending:
				done(now, ErrOutcomeUnknown)
			default:
				done(now, nil)
			}
		})
	}
	read(now, conditionalWaits)
}
