package model

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Object lock (S3's WORM): a version may carry a retention (a mode and a
// date until which it is kept) and a legal hold (kept until it is lifted).
// The S3 layer sets them; the object core reads them to refuse deleting a
// locked version (object.DeleteVersion) and to refuse weakening a
// retention (object.SetAttr), so both encodings live here, where the core
// can read them.
//
// A version gets its lock when it is created, in the stored headers
// HeaderRetention and HeaderLegalHold (so that no version is ever visible
// unlocked, even for a moment), and later changes it with the attributes
// AttrRetention and AttrLegalHold, which override the headers once set.
const (
	AttrRetention   = "retention"
	AttrLegalHold   = "legal-hold"
	HeaderRetention = "x-garage-lock-retention"
	HeaderLegalHold = "x-garage-lock-legal-hold"
	// ConfigObjectLock is the bucket configuration of a bucket with lock
	// (the S3 layer's encoding): present once lock is enabled, never
	// removed.
	ConfigObjectLock = "objectLock"
)

// LockMode is a retention's mode, as S3 names it.
type LockMode string

const (
	// Governance: only a request that asks to bypass it, by a principal
	// allowed to, may shorten or remove it, or delete the version.
	Governance LockMode = "GOVERNANCE"
	// Compliance: nobody may shorten or remove it, or delete the version,
	// before it expires.
	Compliance LockMode = "COMPLIANCE"
)

// ParseLockMode reads a mode as S3 spells it.
func ParseLockMode(s string) (LockMode, bool) {
	switch m := LockMode(s); m {
	case Governance, Compliance:
		return m, true
	}
	return "", false
}

// Retention is a version's retention: the zero value is none.
type Retention struct {
	Mode LockMode
	// Until is the retain-until date, in Unix milliseconds.
	Until uint64
}

// IsZero reports whether r is no retention at all.
func (r Retention) IsZero() bool { return r.Mode == "" }

// Encode is r's stored form: "MODE UNTIL" (milliseconds), empty for none
// (an attribute set to it removes the retention).
func (r Retention) Encode() []byte {
	if r.IsZero() {
		return nil
	}
	return []byte(string(r.Mode) + " " + strconv.FormatUint(r.Until, 10))
}

// ParseRetention reads a stored retention.
func ParseRetention(b []byte) (Retention, error) {
	if len(b) == 0 {
		return Retention{}, nil
	}
	mode, until, ok := strings.Cut(string(b), " ")
	m, okMode := ParseLockMode(mode)
	ms, err := strconv.ParseUint(until, 10, 64)
	if !ok || !okMode || err != nil {
		return Retention{}, fmt.Errorf("stored retention %q: want \"MODE MILLISECONDS\"", b)
	}
	return Retention{Mode: m, Until: ms}, nil
}

// EncodeLegalHold is a legal hold's stored form.
func EncodeLegalHold(on bool) []byte {
	if on {
		return []byte("ON")
	}
	return []byte("OFF")
}

// ParseLegalHold reads a stored legal hold (empty: none).
func ParseLegalHold(b []byte) (bool, error) {
	switch string(b) {
	case "ON":
		return true, nil
	case "OFF", "":
		return false, nil
	}
	return false, fmt.Errorf("stored legal hold %q: want ON or OFF", b)
}

// Lock is what protects one version.
type Lock struct {
	Retention Retention
	LegalHold bool
}

// LockOf reads a version's lock: each of its attributes if set, else the
// header it was created with.
func LockOf(s VersionState) (Lock, error) {
	var l Lock
	var err error
	raw, _ := Setting(s.Meta.Headers, s.Attrs, AttrRetention, HeaderRetention)
	if l.Retention, err = ParseRetention([]byte(raw)); err != nil {
		return Lock{}, err
	}
	raw, _ = Setting(s.Meta.Headers, s.Attrs, AttrLegalHold, HeaderLegalHold)
	if l.LegalHold, err = ParseLegalHold([]byte(raw)); err != nil {
		return Lock{}, err
	}
	return l, nil
}

// LockClockMargin is how long after its retain-until date a retention
// still holds. Dates are judged by the clock of the node coordinating the
// request; a node whose clock runs ahead would otherwise let a version go
// early. The margin is the clock skew the store already assumes between
// any two clocks it compares (sigv4's 15 minutes between a client and a
// node), far above the simulator's largest skew (30 s): a node ahead by
// less cannot delete a version, or weaken its retention, before its date.
const LockClockMargin = 15 * time.Minute

// Errors of lock checks; the object core wraps them in its ErrObjectLocked.
var (
	ErrLegalHold = errors.New("the version is under a legal hold")
	ErrRetained  = errors.New("the version is under retention")
)

// Holds reports whether the retention still holds at now (Unix
// milliseconds): before its date plus LockClockMargin.
func (r Retention) Holds(now uint64) bool {
	return !r.IsZero() && now < r.Until+uint64(LockClockMargin.Milliseconds())
}

// RefuseDeletion says why the version may not be deleted at now, or nil:
// a legal hold always refuses; a retention that still holds refuses,
// unless it is GOVERNANCE and the request bypasses governance.
func (l Lock) RefuseDeletion(now uint64, bypassGovernance bool) error {
	if l.LegalHold {
		return ErrLegalHold
	}
	if l.Retention.Holds(now) && !(l.Retention.Mode == Governance && bypassGovernance) {
		return fmt.Errorf("%w: %s until %s", ErrRetained, l.Retention.Mode, time.UnixMilli(int64(l.Retention.Until)).UTC().Format(time.RFC3339))
	}
	return nil
}

// RefuseRetentionChange says why old may not become new at now, or nil.
// Once old no longer holds, anything goes. While it holds, keeping or
// strengthening it is always allowed (a date as late or later, in the
// same mode or from GOVERNANCE to COMPLIANCE); anything else (an earlier
// date, no retention, COMPLIANCE to GOVERNANCE) is refused for
// COMPLIANCE, and for GOVERNANCE unless the request bypasses governance.
func RefuseRetentionChange(old, new Retention, now uint64, bypassGovernance bool) error {
	if !old.Holds(now) {
		return nil
	}
	strengthens := !new.IsZero() && new.Until >= old.Until && (new.Mode == old.Mode || new.Mode == Compliance)
	if strengthens || old.Mode == Governance && bypassGovernance {
		return nil
	}
	return fmt.Errorf("%w: %s until %s may not be shortened or removed", ErrRetained, old.Mode, time.UnixMilli(int64(old.Until)).UTC().Format(time.RFC3339))
}
