package object_test

import (
	"errors"
	"testing"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
)

// putLocked writes a small versioned (or null) version created with the
// lock headers given (name, value pairs).
func (o *oneNode) putLocked(bucket model.BucketID, key string, versioned bool, headers ...model.Header) object.Written {
	o.t.Helper()
	data := []byte("worm")
	meta := model.ObjectMeta{Size: uint64(len(data)), ETag: md5Hex(data), Headers: headers}
	return o.must(object.PutInline{Bucket: bucket, Key: key, Version: o.id(), Meta: meta, Data: data, Versioned: versioned}).(object.Written)
}

func retentionHeader(mode model.LockMode, until time.Duration) model.Header {
	return model.Header{Name: model.HeaderRetention, Value: string(model.Retention{Mode: mode, Until: uint64(until.Milliseconds())}.Encode())}
}

// deleteVersion deletes w by its id and returns the error.
func (o *oneNode) deleteVersion(bucket model.BucketID, key string, w object.Written, bypass bool) error {
	_, err := o.do(object.DeleteVersion{Bucket: bucket, Key: key, Version: ref(w), BypassGovernance: bypass})
	return err
}

func (o *oneNode) stillThere(bucket model.BucketID, key string, w object.Written) bool {
	obj := o.must(object.Get{Bucket: bucket, Key: key, Version: ref(w)}).(object.Object)
	return obj.Found && obj.Version == w.Version
}

// A COMPLIANCE retention refuses the version's deletion, bypass or not,
// until its date plus the clock margin: a node whose clock runs ahead of
// the date by less than the margin still refuses; past it, the deletion
// goes through.
func TestComplianceRetentionHoldsForTheClockMargin(t *testing.T) {
	o := newOneNode(t)
	bucket := model.BucketID{7}
	until := time.Duration(o.now) + time.Hour
	w := o.putLocked(bucket, "k", true, retentionHeader(model.Compliance, until))
	for _, bypass := range []bool{false, true} {
		if err := o.deleteVersion(bucket, "k", w, bypass); !errors.Is(err, object.ErrObjectLocked) || !errors.Is(err, model.ErrRetained) || !errors.Is(err, object.ErrNotWritten) {
			t.Fatalf("bypass %v: deleting a COMPLIANCE version: %v, want ErrObjectLocked", bypass, err)
		}
	}
	// A clock past the date, but by less than the margin (a node ahead).
	o.now = cluster.Time(until + model.LockClockMargin - time.Millisecond)
	if err := o.deleteVersion(bucket, "k", w, true); !errors.Is(err, object.ErrObjectLocked) {
		t.Fatalf("a clock %v past the date: %v, want still locked", model.LockClockMargin-time.Millisecond, err)
	}
	if !o.stillThere(bucket, "k", w) {
		t.Fatal("the refused deletion removed the version")
	}
	o.now = cluster.Time(until + model.LockClockMargin)
	if err := o.deleteVersion(bucket, "k", w, false); err != nil {
		t.Fatalf("past the date and the margin: %v", err)
	}
	if o.stillThere(bucket, "k", w) {
		t.Fatal("the version survived its deletion")
	}
}

// A GOVERNANCE retention refuses the deletion unless it is bypassed.
func TestGovernanceRetentionBypass(t *testing.T) {
	o := newOneNode(t)
	bucket := model.BucketID{7}
	w := o.putLocked(bucket, "k", true, retentionHeader(model.Governance, time.Duration(o.now)+time.Hour))
	if err := o.deleteVersion(bucket, "k", w, false); !errors.Is(err, object.ErrObjectLocked) {
		t.Fatalf("without bypass: %v, want ErrObjectLocked", err)
	}
	if err := o.deleteVersion(bucket, "k", w, true); err != nil {
		t.Fatalf("with bypass: %v", err)
	}
	if o.stillThere(bucket, "k", w) {
		t.Fatal("the bypassed deletion left the version")
	}
}

// A legal hold refuses the deletion whatever the bypass, set at creation
// or later as an attribute; lifting it lets the deletion through. An
// attribute overrides the creation header.
func TestLegalHold(t *testing.T) {
	o := newOneNode(t)
	bucket := model.BucketID{7}
	w := o.putLocked(bucket, "k", true, model.Header{Name: model.HeaderLegalHold, Value: "ON"})
	if err := o.deleteVersion(bucket, "k", w, true); !errors.Is(err, model.ErrLegalHold) {
		t.Fatalf("held from creation: %v, want ErrLegalHold", err)
	}
	o.must(object.SetAttr{Bucket: bucket, Key: "k", Version: ref(w), Name: model.AttrLegalHold, Value: model.EncodeLegalHold(false)})
	plain := o.putLocked(bucket, "k", true)
	o.must(object.SetAttr{Bucket: bucket, Key: "k", Version: ref(plain), Name: model.AttrLegalHold, Value: model.EncodeLegalHold(true)})
	if err := o.deleteVersion(bucket, "k", plain, true); !errors.Is(err, model.ErrLegalHold) {
		t.Fatalf("held by attribute: %v, want ErrLegalHold", err)
	}
	if err := o.deleteVersion(bucket, "k", w, false); err != nil {
		t.Fatalf("after lifting the hold: %v", err)
	}
	// A delete marker carries no lock: adding one and removing it works.
	marker := o.must(object.Delete{Bucket: bucket, Key: "k", Version: o.id(), Versioned: true}).(object.Written)
	if err := o.deleteVersion(bucket, "k", marker, false); err != nil {
		t.Fatalf("deleting a delete marker: %v", err)
	}
}

// Retention changes: extending (or GOVERNANCE to COMPLIANCE) always goes;
// shortening or removing a COMPLIANCE one never, a GOVERNANCE one only
// with bypass; once expired past the margin, anything goes.
func TestRetentionChanges(t *testing.T) {
	o := newOneNode(t)
	bucket := model.BucketID{7}
	base := time.Duration(o.now)
	set := func(w object.Written, r model.Retention, bypass bool) error {
		_, err := o.do(object.SetAttr{Bucket: bucket, Key: "k", Version: ref(w), Name: model.AttrRetention, Value: r.Encode(), BypassGovernance: bypass})
		return err
	}
	at := func(mode model.LockMode, d time.Duration) model.Retention {
		return model.Retention{Mode: mode, Until: uint64((base + d).Milliseconds())}
	}
	comp := o.putLocked(bucket, "k", true, retentionHeader(model.Compliance, base+2*time.Hour))
	gov := o.putLocked(bucket, "k", true, retentionHeader(model.Governance, base+2*time.Hour))
	for _, c := range []struct {
		name   string
		w      object.Written
		r      model.Retention
		bypass bool
		ok     bool
	}{
		{"shorten COMPLIANCE", comp, at(model.Compliance, time.Hour), true, false},
		{"remove COMPLIANCE", comp, model.Retention{}, true, false},
		{"COMPLIANCE to GOVERNANCE", comp, at(model.Governance, 3*time.Hour), true, false},
		{"extend COMPLIANCE", comp, at(model.Compliance, 3*time.Hour), false, true},
		{"shorten COMPLIANCE below the extension", comp, at(model.Compliance, 2*time.Hour), true, false},
		{"shorten GOVERNANCE without bypass", gov, at(model.Governance, time.Hour), false, false},
		{"remove GOVERNANCE without bypass", gov, model.Retention{}, false, false},
		{"GOVERNANCE to COMPLIANCE, later", gov, at(model.Compliance, 2*time.Hour), false, true},
	} {
		err := set(c.w, c.r, c.bypass)
		if c.ok != (err == nil) || !c.ok && !errors.Is(err, object.ErrObjectLocked) {
			t.Errorf("%s: %v, want ok %v", c.name, err, c.ok)
		}
	}
	gov2 := o.putLocked(bucket, "k", true, retentionHeader(model.Governance, base+2*time.Hour))
	if err := set(gov2, at(model.Governance, time.Minute), true); err != nil {
		t.Fatalf("shorten GOVERNANCE with bypass: %v", err)
	}
	if err := set(gov2, model.Retention{}, true); err != nil {
		t.Fatalf("remove GOVERNANCE with bypass: %v", err)
	}
	if err := o.deleteVersion(bucket, "k", gov2, false); err != nil {
		t.Fatalf("delete after removing the retention: %v", err)
	}
	// Past the (extended) date and the margin, the COMPLIANCE retention
	// may go and the version with it.
	o.now = cluster.Time(base + 3*time.Hour + model.LockClockMargin)
	if err := set(comp, model.Retention{}, false); err != nil {
		t.Fatalf("remove an expired COMPLIANCE retention: %v", err)
	}
	if err := o.deleteVersion(bucket, "k", comp, false); err != nil {
		t.Fatalf("delete an expired version: %v", err)
	}
}

// A null write supersedes the null version, so it is refused while that
// version is locked; versioned writes and versioned markers are not.
func TestLockedNullVersionNotSuperseded(t *testing.T) {
	o := newOneNode(t)
	bucket := model.BucketID{7}
	null := o.putLocked(bucket, "k", false, retentionHeader(model.Governance, time.Duration(o.now)+time.Hour))
	data := []byte("over")
	meta := model.ObjectMeta{Size: 4, ETag: md5Hex(data)}
	if _, err := o.do(object.PutInline{Bucket: bucket, Key: "k", Version: o.id(), Meta: meta, Data: data}); !errors.Is(err, object.ErrObjectLocked) {
		t.Fatalf("null put over a locked null version: %v", err)
	}
	if _, err := o.do(object.Delete{Bucket: bucket, Key: "k", Version: o.id()}); !errors.Is(err, object.ErrObjectLocked) {
		t.Fatalf("null delete marker over a locked null version: %v", err)
	}
	if _, err := o.do(object.PutBegin{Bucket: bucket, Key: "k", Version: o.id(), Meta: meta}); !errors.Is(err, object.ErrObjectLocked) {
		t.Fatalf("null block put over a locked null version: %v", err)
	}
	o.putLocked(bucket, "k", true)
	o.must(object.Delete{Bucket: bucket, Key: "k", Version: o.id(), Versioned: true})
	if !o.stillThere(bucket, "k", null) {
		t.Fatal("the locked null version is gone")
	}
}

// A stored lock that does not decode refuses the deletion: when in doubt,
// the data stays.
func TestUndecodableLockRefuses(t *testing.T) {
	o := newOneNode(t)
	bucket := model.BucketID{7}
	w := o.putLocked(bucket, "k", true, model.Header{Name: model.HeaderRetention, Value: "FOREVER soon"})
	if err := o.deleteVersion(bucket, "k", w, true); !errors.Is(err, object.ErrObjectLocked) {
		t.Fatalf("undecodable retention: %v", err)
	}
}
