package checker

import (
	"strings"
	"testing"
)

// Builders for versioned histories: a write's version id is its value's
// (or "m"+stamp for a marker), so the tests read plainly.

func vput(key Key, value string, stamp Stamp, call, ret int64) Op {
	op := put(0, key, value, stamp, call, ret)
	op.Version = "id-" + value
	return op
}

func vdel(key Key, stamp Stamp, call, ret int64) Op {
	op := del(0, key, stamp, call, ret)
	op.Version = "id-m" + string(stamp)
	return op
}

func delVersion(key Key, version string, call, ret int64) Op {
	return Op{Client: 1, Kind: DeleteVersion, Key: key, Version: version, Call: call, Return: ret, Outcome: OK}
}

// vget reads version by id: value "" with a stamp is a marker, without
// one, nothing.
func vget(key Key, version, value string, stamp Stamp, call, ret int64) Op {
	op := get(2, key, value, stamp, call, ret)
	op.Version = version
	return op
}

// lv lists versions; each entry is "value@stamp" for data or "@stamp" for
// a marker, with ids as the builders above give them.
func lv(key Key, call, ret int64, entries ...VersionEntry) Op {
	return Op{Client: 3, Kind: ListVersions, Key: key, Versions: entries, Call: call, Return: ret, Outcome: OK}
}

func data(value string, stamp Stamp) VersionEntry {
	return VersionEntry{Version: "id-" + value, Stamp: stamp, Value: value}
}

func marker(stamp Stamp) VersionEntry {
	return VersionEntry{Version: "id-m" + string(stamp), Stamp: stamp, Marker: true}
}

func TestVersionsAcceptGoodHistory(t *testing.T) {
	h := history(
		vput(keyA, "v1", "t1", 1, 2),
		vput(keyA, "v2", "t2", 3, 4),
		vdel(keyA, "t3", 5, 6),
		lv(keyA, 7, 8, marker("t3"), data("v2", "t2"), data("v1", "t1")),
		get(2, keyA, "", "t3", 9, 10),          // the marker is current
		vget(keyA, "id-v1", "v1", "t1", 9, 10), // an older version by id
		vget(keyA, "id-mt3", "", "t3", 9, 10),  // the marker by id
		delVersion(keyA, "id-mt3", 11, 12),     // deleting the marker...
		get(2, keyA, "v2", "t2", 13, 14),       // ...makes v2 current again
		delVersion(keyA, "id-v2", 15, 20),      // in flight:
		get(2, keyA, "v2", "t2", 16, 17),       // v2 may still be current
		lv(keyA, 16, 17, data("v2", "t2"), data("v1", "t1")),
		get(2, keyA, "v1", "t1", 21, 22), // then v1 is
		lv(keyA, 21, 22, data("v1", "t1")),
		vget(keyA, "id-v2", "", "", 21, 22), // and v2 is gone
		vget(keyA, "id-zz", "", "", 21, 22), // never written: nothing
		range1(keyA, 21, 22, Entry{Sort: "a", Value: "v1", Stamp: "t1"}),
	)
	r := Check(h)
	expectNone(t, r.Violations)
	expectNone(t, CheckMonotonicReads(h))
}

func range1(key Key, call, ret int64, entries ...Entry) Op {
	return scan(4, key.Partition, key.Sort, key.Sort+"\x00", 0, call, ret, entries...)
}

// The current version is the newest acknowledged one not deleted by id:
// a plain get of an older one once the newest is deleted is fine, but
// not before, and the deleted one must not come back.
func TestCurrentVersionAfterDeletionByID(t *testing.T) {
	stale := history(
		vput(keyA, "v1", "t1", 1, 2),
		vput(keyA, "v2", "t2", 3, 4),
		vput(keyA, "v3", "t3", 5, 6),
		delVersion(keyA, "id-v3", 7, 8),
		get(2, keyA, "v1", "t1", 9, 10), // v2 is current
	)
	expectOne(t, Check(stale).Violations, ReadAfterWrite, 4, `read "v1" @t1`, `"v2" @t2`)

	back := history(
		vput(keyA, "v1", "t1", 1, 2),
		vput(keyA, "v2", "t2", 3, 4),
		delVersion(keyA, "id-v2", 5, 6),
		get(2, keyA, "v2", "t2", 7, 8),
	)
	expectOne(t, Check(back).Violations, Resurrection, 3, "deletion by id", "acknowledged at seq 6")

	listed := history(
		vput(keyA, "v1", "t1", 1, 2),
		vput(keyA, "v2", "t2", 3, 4),
		delVersion(keyA, "id-v2", 5, 6),
		range1(keyA, 7, 8, Entry{Sort: "a", Value: "v2", Stamp: "t2"}),
	)
	expectOne(t, Check(listed).Violations, Listing, 3, "deletion by id")
}

func TestVersionListingRejectsMissingAndDeletedVersions(t *testing.T) {
	missing := history(
		vput(keyA, "v1", "t1", 1, 2),
		vput(keyA, "v2", "t2", 3, 4),
		lv(keyA, 5, 6, data("v1", "t1")),
	)
	expectOne(t, Check(missing).Violations, VersionsListed, 2, "does not list", `"v2" @t2`)

	deleted := history(
		vput(keyA, "v1", "t1", 1, 2),
		vput(keyA, "v2", "t2", 3, 4),
		delVersion(keyA, "id-v1", 5, 6),
		lv(keyA, 7, 8, data("v2", "t2"), data("v1", "t1")),
	)
	expectOne(t, Check(deleted).Violations, VersionsListed, 3, "lists version id-v1", "acknowledged at seq 6")

	// A deletion in flight, or of unknown outcome, excuses a missing version.
	inFlight := history(
		vput(keyA, "v1", "t1", 1, 2),
		unknown(delVersion(keyA, "id-v1", 3, never)),
		lv(keyA, 5, 6),
	)
	expectNone(t, Check(inFlight).Violations)
}

func TestVersionListingRejectsWrongEntries(t *testing.T) {
	for _, tc := range []struct {
		name  string
		entry VersionEntry
		want  string
	}{
		{"unknown id", VersionEntry{Version: "id-x", Stamp: "t1", Value: "x"}, "no write of"},
		{"wrong stamp", data("v1", "t9"), "lists version id-v1 @t9"},
		{"wrong value", VersionEntry{Version: "id-v1", Stamp: "t1", Value: "v2"}, `= "v2"`},
		{"marker for data", VersionEntry{Version: "id-v1", Stamp: "t1", Marker: true}, "as marker true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := history(vput(keyA, "v1", "t1", 1, 2), lv(keyA, 3, 4, tc.entry))
			vs := Check(h).Violations
			found := false
			for _, v := range vs {
				found = found || v.Property == VersionsListed && contains(v.Message, tc.want)
			}
			if !found {
				t.Errorf("want a versions-listed violation mentioning %q, got %v", tc.want, vs)
			}
		})
	}
	order := history(vput(keyA, "v1", "t1", 1, 2), vput(keyA, "v2", "t2", 3, 4), lv(keyA, 5, 6, data("v1", "t1"), data("v2", "t2")))
	expectOne(t, Check(order).Violations, VersionsListed, 2, "not newer")
	failedPut := history(failed(vput(keyA, "v1", "t1", 1, 2)), lv(keyA, 3, 4, data("v1", "t1")))
	expectOne(t, Check(failedPut).Violations, VersionsListed, 1, "failed")
}

func TestVersionReadRejectsOtherBytesAndDeletedVersions(t *testing.T) {
	current := history(
		vput(keyA, "v1", "t1", 1, 2),
		vput(keyA, "v2", "t2", 3, 4),
		vget(keyA, "id-v1", "v2", "t2", 5, 6), // the current version, not the one asked for
	)
	expectOne(t, Check(current).Violations, VersionRead, 2, `of version id-v1 read "v2"`, `"v1" @t1`)

	deleted := history(
		vput(keyA, "v1", "t1", 1, 2),
		delVersion(keyA, "id-v1", 3, 4),
		vget(keyA, "id-v1", "v1", "t1", 5, 6),
	)
	expectOne(t, Check(deleted).Violations, VersionRead, 2, "deletion by id", "acknowledged at seq 4")

	lost := history(
		vput(keyA, "v1", "t1", 1, 2),
		vput(keyA, "v2", "t2", 3, 4),
		vget(keyA, "id-v1", "", "", 5, 6),
	)
	expectOne(t, Check(lost).Violations, VersionRead, 2, "found nothing", "acknowledged at seq 2")

	markerAsData := history(vdel(keyA, "t1", 1, 2), vget(keyA, "id-mt1", "x", "t1", 3, 4))
	if vs := Check(markerAsData).Violations; len(vs) == 0 || vs[0].Property != VersionRead {
		t.Errorf("a marker read as data: got %v, want a version-read violation", vs)
	}
	phantom := history(vget(keyA, "id-zz", "x", "t1", 3, 4))
	if vs := CheckVersions(phantom); len(vs) != 1 || !contains(vs[0].Message, "no write of") {
		t.Errorf("a version never written read: got %v", vs)
	}
}

// A get that saw the newest version, then one of an older version after
// the newest was deleted by id, is not a monotonic-read violation.
func TestMonotonicReadsAfterDeletionByID(t *testing.T) {
	h := history(
		vput(keyA, "v1", "t1", 1, 2),
		vput(keyA, "v2", "t2", 3, 4),
		get(2, keyA, "v2", "t2", 5, 6),
		delVersion(keyA, "id-v2", 7, 8),
		get(2, keyA, "v1", "t1", 9, 10),
	)
	expectNone(t, CheckMonotonicReads(h))
	h[3].Outcome = Failed
	if vs := CheckMonotonicReads(h); len(vs) != 1 {
		t.Errorf("with the deletion failed: %v, want one violation", vs)
	}
}

func TestWellFormedVersions(t *testing.T) {
	h := history(vput(keyA, "v1", "t1", 1, 2), vput(keyA, "v2", "t2", 3, 4), delVersion(keyA, "", 5, 6))
	h[1].Version = h[0].Version
	vs := CheckWellFormed(h)
	if len(vs) != 2 || !contains(vs[0].Message, "version ids must be unique") || !contains(vs[1].Message, "names no version") {
		t.Errorf("got %v", vs)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// A deletion by id called while the version's put was in flight removed
// it only if it says it found it; one that found nothing did nothing (S3
// answers a deletion of a version it does not have with success).
func TestDeletionDuringThePutCountsOnlyIfFound(t *testing.T) {
	h := history(
		vput(keyA, "v1", "t1", 1, 6),
		delVersion(keyA, "id-v1", 2, 3), // found nothing: the put was not visible yet
		lv(keyA, 7, 8, data("v1", "t1")),
		vget(keyA, "id-v1", "v1", "t1", 7, 8),
		get(2, keyA, "v1", "t1", 7, 8),
	)
	expectNone(t, Check(h).Violations)
	h[1].Found = true // it did find it: the version is gone
	vs := Check(h).Violations
	if len(vs) != 3 || vs[0].Property != Resurrection || vs[1].Property != VersionsListed || vs[2].Property != VersionRead {
		t.Errorf("got %v, want no-resurrection, versions-listed and version-read", vs)
	}
}

// A locked version is never removed: a deletion by id that reports it
// found it, and a listing after its write that misses it, are both
// violations, whatever else the history says; a refused deletion is not.
func TestLockedVersionsAreKept(t *testing.T) {
	locked := vput(keyA, "v1", "t1", 1, 2)
	locked.Locked = true
	refused := delVersion(keyA, "id-v1", 3, 4)
	refused.Outcome = Failed
	expectNone(t, Check(history(locked, refused, lv(keyA, 5, 6, data("v1", "t1")))).Violations)

	removed := delVersion(keyA, "id-v1", 3, 4)
	removed.Found = true
	v := Check(history(locked, removed, lv(keyA, 5, 6))).Violations
	n := 0
	for _, x := range v {
		if x.Property == LockedKept {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("want two locked-kept violations (the deletion, the listing), got %v", v)
	}
}
