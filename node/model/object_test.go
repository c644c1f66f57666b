package model

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/garagego/garage/node/cluster"
	"pgregory.net/rapid"
)

var testBucket = BucketID{7}

// Few version ids, each with the timestamp the runtime gave it; several ids
// share a timestamp, so that ordering ties on the id happen.
var versionTimestamps = [...]uint64{1: 1, 2: 1, 3: 2, 4: 3, 5: 3}

// versionedIDs are the ids written as versioned versions (the others are
// null versions), so that both kinds mix in one entry.
var versionedIDs = [...]bool{2: true, 5: true}

var (
	genVersionID = rapid.Custom(func(t *rapid.T) VersionID {
		return VersionID{rapid.ByteRange(1, 5).Draw(t, "id")}
	})
	genHeader = rapid.Custom(func(t *rapid.T) Header {
		return Header{
			Name:  rapid.SampledFrom([]string{"content-type", "x-amz-meta-a"}).Draw(t, "name"),
			Value: rapid.SampledFrom([]string{"a", "b"}).Draw(t, "value"),
		}
	})
	genAttr = rapid.Custom(func(t *rapid.T) Attr {
		return Attr{
			Name:  rapid.SampledFrom([]string{"tags", "hold"}).Draw(t, "name"),
			Stamp: rapid.Uint64Range(0, 2).Draw(t, "stamp"),
			Value: rapid.SampledFrom([][]byte{nil, []byte("a"), []byte("b")}).Draw(t, "value"),
		}
	})
	genMeta = rapid.Custom(func(t *rapid.T) ObjectMeta {
		return ObjectMeta{
			Size:    rapid.Uint64Range(0, 2).Draw(t, "size"),
			ETag:    rapid.SampledFrom([]string{"", "e1", "e2"}).Draw(t, "etag"),
			Headers: rapid.SliceOfN(genHeader, 0, 3).Draw(t, "headers"),
		}
	})
	// genState fills every field, so that the ones that do not apply to the
	// kind must be ignored.
	genState = rapid.Custom(func(t *rapid.T) VersionState {
		return VersionState{
			Kind:        StateKind(rapid.IntRange(0, 2).Draw(t, "kind")),
			Multipart:   rapid.Bool().Draw(t, "multipart"),
			Meta:        genMeta.Draw(t, "meta"),
			Data:        DataKind(rapid.IntRange(0, 2).Draw(t, "data")),
			Inline:      rapid.SampledFrom([][]byte{nil, []byte("x"), []byte("yz")}).Draw(t, "inline"),
			FirstBlock:  cluster.Hash{rapid.ByteRange(0, 1).Draw(t, "first")},
			WasComplete: rapid.Bool().Draw(t, "was complete"),
			Intent:      rapid.Uint64Range(0, 2).Draw(t, "intent"),
			Released:    rapid.Uint64Range(0, 2).Draw(t, "released"),
			Basis: Basis{Conditional: rapid.Bool().Draw(t, "conditional"), Timestamp: rapid.Uint64Range(0, 2).Draw(t, "basis ts"),
				ID: VersionID{rapid.ByteRange(0, 1).Draw(t, "basis id")}},
			Attrs: rapid.SliceOfN(genAttr, 0, 3).Draw(t, "attrs"),
		}
	})
	genObjectVersion = rapid.Custom(func(t *rapid.T) ObjectVersion {
		id := genVersionID.Draw(t, "id")
		return ObjectVersion{ID: id, Timestamp: versionTimestamps[id[0]], Versioned: versionedIDs[id[0]], State: genState.Draw(t, "state")}
	})
	// genObject builds objects as a writer might: versions in any order, an
	// id possibly twice, superseded versions not yet dropped.
	genObject = rapid.Custom(func(t *rapid.T) Object {
		return Object{Bucket: testBucket, Key: "k", Versions: rapid.SliceOfN(genObjectVersion, 0, 4).Draw(t, "versions")}
	})
	// genSkewedObject also gives one id different timestamps.
	genSkewedObject = rapid.Custom(func(t *rapid.T) Object {
		o := genObject.Draw(t, "object")
		for i := range o.Versions {
			o.Versions[i].Timestamp = rapid.Uint64Range(1, 3).Draw(t, "ts")
		}
		return o
	})
)

func object(vs ...ObjectVersion) Object {
	return Object{Bucket: testBucket, Key: "k", Versions: vs}
}

func uploading(id byte, ts uint64) ObjectVersion {
	return ObjectVersion{ID: VersionID{id}, Timestamp: ts, State: VersionState{Kind: Uploading}}
}

func complete(id byte, ts uint64) ObjectVersion {
	return ObjectVersion{ID: VersionID{id}, Timestamp: ts, State: VersionState{Kind: Complete, Data: FirstBlock, FirstBlock: cluster.Hash{id}, Meta: ObjectMeta{Size: 5000, ETag: "e"}}}
}

func deleteMarker(id byte, ts uint64) ObjectVersion {
	return ObjectVersion{ID: VersionID{id}, Timestamp: ts, State: VersionState{Kind: Complete, Data: DeleteMarker}}
}

func aborted(id byte, ts uint64) ObjectVersion {
	return ObjectVersion{ID: VersionID{id}, Timestamp: ts, State: VersionState{Kind: Aborted}}
}

// versionIDs lists the first byte of each version's id, in order.
func versionIDs(vs []ObjectVersion) []byte {
	var ids []byte
	for _, v := range vs {
		ids = append(ids, v.ID[0])
	}
	return ids
}

func TestObjectJoinLaws(t *testing.T) { checkJoinLaws(t, genObject, DecodeObject) }

// A version whose copies disagree on its timestamp still joins
// commutatively and idempotently (associativity needs them to agree).
func TestObjectJoinSkewedTimestamps(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genSkewedObject.Draw(t, "a"), genSkewedObject.Draw(t, "b")
		ab := a.Join(b)
		if !bytes.Equal(encoded(ab), encoded(b.Join(a))) || !bytes.Equal(encoded(a.Join(a)), encoded(a)) {
			t.Fatal("join not commutative or not idempotent")
		}
		if back, err := decodeAll(encoded(ab), DecodeObject); err != nil || !bytes.Equal(encoded(back), encoded(ab)) {
			t.Fatalf("round trip: %v", err)
		}
		for _, v := range ab.Versions {
			for _, w := range slices.Concat(a.Versions, b.Versions) {
				if w.ID == v.ID && w.Timestamp > v.Timestamp {
					t.Fatalf("version %v kept timestamp %d, not the later %d", v.ID, v.Timestamp, w.Timestamp)
				}
			}
		}
	})
}

func TestObjectOnlyCanonicalDecodes(t *testing.T) {
	checkOnlyCanonicalDecodes(t, genSkewedObject, DecodeObject, Object.encode)
}

func TestObjectDecodeGarbage(t *testing.T) {
	checkGarbage(t, genSkewedObject, DecodeObject, Object.canonical)
}

func FuzzDecodeObject(f *testing.F) { fuzzDecoder(f, genObject, DecodeObject, Object.canonical) }

// Join keeps exactly the versions no older than the newest version that
// completed on either side.
func TestObjectJoinKeepsFromNewestCompleted(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genObject.Draw(t, "a"), genObject.Draw(t, "b")
		all := slices.Concat(a.Versions, b.Versions)
		var newest *ObjectVersion // the newest completed null version
		for i, v := range all {
			if !v.Versioned && v.State.Completed() && (newest == nil || compareVersions(v, *newest) > 0) {
				newest = &all[i]
			}
		}
		j := a.Join(b)
		for _, v := range all {
			_, kept := j.version(v.ID)
			if want := v.Versioned || newest == nil || compareVersions(v, *newest) >= 0; kept != want {
				t.Fatalf("version %v (versioned %v) kept=%v, newest completed null %+v", v.ID, v.Versioned, kept, newest)
			}
		}
		if !slices.IsSortedFunc(j.Versions, compareVersions) || !j.canonical() {
			t.Fatalf("join not canonical: %+v", j)
		}
	})
}

func versioned(v ObjectVersion) ObjectVersion { v.Versioned = true; return v }

// A versioned version stays through newer completions, null or not, until
// it is aborted; the current version is then the newest Complete one left.
func TestVersionedVersionsStay(t *testing.T) {
	o := object(versioned(complete(1, 1)), complete(2, 2), versioned(complete(3, 3)), complete(4, 4))
	o = o.Join(object())
	if got := versionIDs(o.Versions); !bytes.Equal(got, []byte{1, 3, 4}) {
		t.Fatalf("versions %v, want 1 3 4 (the null version 2 superseded by 4)", got)
	}
	if v, _ := o.LastComplete(); v.ID[0] != 4 {
		t.Fatalf("current %v, want 4", v.ID)
	}
	if got := o.Listed(); len(got) != 3 || got[0].ID[0] != 4 || got[2].ID[0] != 1 {
		t.Fatalf("listed %v", versionIDs(got))
	}
	// Deleting the null version by id makes the newest versioned one current.
	o = o.Join(object(aborted(4, 4)))
	if v, ok := o.LastComplete(); !ok || v.ID[0] != 3 {
		t.Fatalf("current after deleting 4: %v %v, want 3", v.ID, ok)
	}
	if _, ok := o.NullVersion(); ok {
		t.Fatal("a null version after deleting it")
	}
	// A versioned delete marker is current, hides the object, and keeps the entry.
	o = o.Join(object(versioned(deleteMarker(5, 5))))
	if _, ok := o.Live(); ok || o.IsTombstone() {
		t.Fatalf("live or tombstone under a versioned marker: %+v", o)
	}
	o = o.Join(object(versioned(aborted(1, 1)), versioned(aborted(3, 3)), versioned(aborted(5, 5))))
	if !o.IsTombstone() {
		t.Fatalf("every version deleted, yet not a tombstone: %+v", o)
	}
}

func TestIsTombstone(t *testing.T) {
	for _, c := range []struct {
		o    Object
		want bool
	}{
		{object(), false},
		{object(deleteMarker(1, 1)), true},
		{object(versioned(deleteMarker(1, 1))), false},
		{object(versioned(aborted(1, 1)), deleteMarker(2, 2)), true},
		{object(versioned(aborted(1, 1)), uploading(2, 2)), false},
		{object(versioned(complete(1, 1)), deleteMarker(2, 2)), false},
	} {
		if got := c.o.Join(object()).IsTombstone(); got != c.want {
			t.Errorf("%+v: tombstone %v, want %v", c.o, got, c.want)
		}
	}
}

// Along any history of updates on one replica, DroppedBy reports every
// version it held live that ends up dropped or aborted, exactly once, and
// never one that is live at the end.
func TestDroppedByAlongHistory(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		state := object()
		heldLive := map[VersionID]bool{}
		reported := map[VersionID]int{}
		for range rapid.IntRange(1, 6).Draw(t, "updates") {
			next := state.Join(genObject.Draw(t, "update"))
			for _, v := range DroppedBy(state, next) {
				reported[v.ID]++
				if prev, ok := state.version(v.ID); !ok || !bytes.Equal(encodeState(prev.State), encodeState(v.State)) {
					t.Fatalf("reported %v not as it was before the update", v.ID)
				}
			}
			state = next
			for _, v := range state.Versions {
				if v.State.Kind != Aborted {
					heldLive[v.ID] = true
				}
			}
		}
		for id := range heldLive {
			v, present := state.version(id)
			gone := !present || v.State.Kind == Aborted
			if want := map[bool]int{true: 1, false: 0}[gone]; reported[id] != want {
				t.Fatalf("version %v (gone=%v) reported %d times", id, gone, reported[id])
			}
		}
		for id := range reported {
			if !heldLive[id] {
				t.Fatalf("version %v reported but never held live", id)
			}
		}
	})
}

func TestOlderCompleteDropped(t *testing.T) {
	o := object(complete(1, 10)).Join(object(complete(2, 20)))
	if got := versionIDs(o.Versions); !bytes.Equal(got, []byte{2}) {
		t.Fatalf("versions %v, want only the newer complete one", got)
	}
	// A late copy of the dropped version stays dropped.
	if got := versionIDs(o.Join(object(complete(1, 10))).Versions); !bytes.Equal(got, []byte{2}) {
		t.Fatalf("dropped version came back: %v", got)
	}
	if v, ok := o.Live(); !ok || v.ID != (VersionID{2}) {
		t.Fatalf("live %+v %v", v, ok)
	}
}

func TestUploadingNewerThanCompleteSurvives(t *testing.T) {
	o := object(uploading(1, 5), complete(2, 10), uploading(3, 15)).Join(object())
	if got := versionIDs(o.Versions); !bytes.Equal(got, []byte{2, 3}) {
		t.Fatalf("versions %v, want the complete one and the newer upload", got)
	}
	if up := o.Uploading(); len(up) != 1 || up[0].ID != (VersionID{3}) {
		t.Fatalf("uploading %+v", up)
	}
	if v, ok := o.LastComplete(); !ok || v.ID != (VersionID{2}) {
		t.Fatalf("last complete %+v %v", v, ok)
	}
	if ts := o.NewestTimestamp(); ts != 15 {
		t.Fatalf("newest timestamp %d", ts)
	}
	if ts := object().NewestTimestamp(); ts != 0 {
		t.Fatalf("newest timestamp of nothing %d", ts)
	}
}

func TestAbortedBeatsComplete(t *testing.T) {
	for _, o := range []Object{
		object(complete(1, 10)).Join(object(aborted(1, 10))),
		object(aborted(1, 10)).Join(object(complete(1, 10))),
	} {
		if len(o.Versions) != 1 || o.Versions[0].State.Kind != Aborted {
			t.Fatalf("versions %+v, want the version aborted", o.Versions)
		}
		if _, ok := o.LastComplete(); ok {
			t.Fatal("an aborted version is still complete")
		}
	}
	// Aborting the complete version must not revive the version it
	// superseded, even where that one was not dropped yet: the result may
	// not depend on the order of merges.
	older, newer := object(complete(1, 10)), object(complete(2, 20))
	abort := object(aborted(2, 20))
	x := older.Join(newer).Join(abort)
	y := older.Join(newer.Join(abort))
	z := newer.Join(abort).Join(older)
	if !bytes.Equal(encoded(x), encoded(y)) || !bytes.Equal(encoded(x), encoded(z)) {
		t.Fatalf("order matters: %+v %+v %+v", x, y, z)
	}
	if _, ok := x.Live(); ok || !bytes.Equal(versionIDs(x.Versions), []byte{2}) || !x.Versions[0].State.WasComplete {
		t.Fatalf("got %+v, want only the aborted version, still superseding", x.Versions)
	}
	// An upload aborted before it completed supersedes nothing.
	o := object(complete(1, 10), uploading(2, 20)).Join(object(aborted(2, 20)))
	if v, ok := o.Live(); !ok || v.ID != (VersionID{1}) || len(o.Versions) != 2 {
		t.Fatalf("live %+v %v in %+v", v, ok, o.Versions)
	}
}

// A writer that does not know a version's timestamp may abort it at
// timestamp 1: the version still ends up aborted, at its real timestamp.
func TestAbortWithoutTimestamp(t *testing.T) {
	o := object(complete(1, 10), uploading(2, 20)).Join(object(aborted(2, 1)))
	if v, ok := o.version(VersionID{2}); !ok || v.State.Kind != Aborted || v.Timestamp != 20 {
		t.Fatalf("got %+v", o.Versions)
	}
}

func TestDeleteMarkerHidesObject(t *testing.T) {
	o := object(complete(1, 10)).Join(object(deleteMarker(2, 20)))
	if _, ok := o.Live(); ok {
		t.Fatal("a deleted object is live")
	}
	if v, ok := o.LastComplete(); !ok || v.State.Data != DeleteMarker {
		t.Fatalf("last complete %+v %v, want the delete marker", v, ok)
	}
	if got := versionIDs(o.Versions); !bytes.Equal(got, []byte{2}) {
		t.Fatalf("versions %v, want the marker alone", got)
	}
	// A newer put shows the object again.
	if v, ok := o.Join(object(complete(3, 30))).Live(); !ok || v.ID != (VersionID{3}) {
		t.Fatalf("live %+v %v", v, ok)
	}
}

func TestDroppedBy(t *testing.T) {
	before := object(complete(1, 10), uploading(2, 20), uploading(3, 30), aborted(4, 40), uploading(6, 60)).Join(object())
	after := before.Join(object(aborted(2, 20), complete(5, 50)))
	// 1 and 3 superseded, 2 aborted (and superseded); 4 was already
	// aborted, 5 is new, 6 is still uploading.
	got := DroppedBy(before, after)
	if ids := versionIDs(got); !bytes.Equal(ids, []byte{1, 2, 3}) {
		t.Fatalf("dropped %v, want [1 2 3]", ids)
	}
	if got[1].State.Kind != Uploading {
		t.Fatalf("dropped versions must be reported as they were: %+v", got[1])
	}

	// Aborted without being superseded.
	after = before.Join(object(aborted(6, 60)))
	if ids := versionIDs(DroppedBy(before, after)); !bytes.Equal(ids, []byte{6}) {
		t.Fatalf("dropped %v, want [6]", ids)
	}
	// Completing 6 drops what it supersedes, not 6 itself; a no-op drops
	// nothing.
	after = before.Join(object(complete(6, 60)))
	if ids := versionIDs(DroppedBy(before, after)); !bytes.Equal(ids, []byte{1, 2, 3}) {
		t.Fatalf("dropped %v, want the versions the completion superseded", ids)
	}
	if got := DroppedBy(before, before.Join(before)); len(got) != 0 {
		t.Fatalf("no-op dropped %+v", got)
	}
	if got := DroppedBy(object(), before); len(got) != 0 {
		t.Fatalf("creation dropped %+v", got)
	}
}

// Fields that do not apply to a state are not encoded and do not survive a
// join; headers are sorted whatever order the writer gave.
func TestVersionStateNormalized(t *testing.T) {
	messy := ObjectVersion{ID: VersionID{1}, Timestamp: 1, State: VersionState{
		Kind: Complete, Data: DeleteMarker, Multipart: true, Inline: []byte("x"),
		Meta: ObjectMeta{Size: 3, Headers: []Header{{"x-amz-meta-b", "1"}, {"content-type", "text/plain"}}},
	}}
	clean := deleteMarker(1, 1)
	if !bytes.Equal(encoded(object(messy)), encoded(object(clean))) {
		t.Fatal("ignored fields are encoded")
	}
	if got := object(messy).Join(object()).Versions[0].State; got.Multipart || got.Inline != nil || got.Meta.Size != 0 {
		t.Fatalf("ignored fields survive a join: %+v", got)
	}
	up := ObjectVersion{ID: VersionID{1}, Timestamp: 1, State: VersionState{Kind: Uploading, Meta: messy.State.Meta}}
	o, err := decodeAll(encoded(object(up)), DecodeObject)
	if err != nil {
		t.Fatal(err)
	}
	if hs := o.Versions[0].State.Meta.Headers; len(hs) != 2 || hs[0].Name != "content-type" {
		t.Fatalf("headers %+v", hs)
	}
}

func TestUploadStatesJoin(t *testing.T) {
	a := VersionState{Kind: Uploading, Meta: ObjectMeta{Headers: []Header{{"content-type", "a"}}}}
	b := VersionState{Kind: Uploading, Multipart: true, Meta: ObjectMeta{Headers: []Header{{"content-type", "b"}}}}
	for _, j := range []VersionState{a.Join(b), b.Join(a)} {
		if !j.Multipart || j.Meta.Headers[0].Value != "b" {
			t.Fatalf("got %+v, want multipart and the larger meta", j)
		}
	}
}

func TestObjectDecodeRejects(t *testing.T) {
	raw := func(o Object) []byte { return rawEncoded(o, Object.encode) }
	cases := map[string][]byte{
		"unsorted versions":              raw(object(uploading(2, 20), uploading(1, 10))),
		"equal timestamps, ids unsorted": raw(object(uploading(2, 10), uploading(1, 10))),
		"repeated version":               raw(object(uploading(1, 10), uploading(1, 10))),
		"repeated id":                    raw(object(uploading(1, 10), aborted(1, 20))),
		"older than a complete":          raw(object(uploading(1, 10), complete(2, 20))),
		"two completes":                  raw(object(complete(1, 10), complete(2, 20))),
		"unsorted headers": raw(object(ObjectVersion{ID: VersionID{1}, State: VersionState{
			Kind: Uploading, Meta: ObjectMeta{Headers: []Header{{"b", ""}, {"a", ""}}}}})),
		"repeated header": raw(object(ObjectVersion{ID: VersionID{1}, State: VersionState{
			Kind: Uploading, Meta: ObjectMeta{Headers: []Header{{"a", "1"}, {"a", "1"}}}}})),
		"bad state":     raw(object(ObjectVersion{ID: VersionID{1}, State: VersionState{Kind: 3}})),
		"bad data kind": raw(object(ObjectVersion{ID: VersionID{1}, State: VersionState{Kind: Complete, Data: 3}})),
		"trailing byte": append(raw(object(complete(1, 10))), 0),
	}
	for name, b := range cases {
		if _, err := decodeAll(b, DecodeObject); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	ok := raw(object(complete(1, 10), uploading(2, 10), uploading(3, 20)))
	if _, err := decodeAll(ok, DecodeObject); err != nil {
		t.Errorf("canonical object refused: %v", err)
	}
}

func TestParseVersionID(t *testing.T) {
	id := VersionID{0xab, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xff}
	if s := id.String(); len(s) != 32 || !strings.HasPrefix(s, "ab01") {
		t.Fatalf("String %q", s)
	}
	if back, err := ParseVersionID(id.String()); err != nil || back != id {
		t.Fatalf("parse %v %v", back, err)
	}
	for _, bad := range []string{"", "ab", id.String() + "00", strings.Repeat("zz", 16)} {
		if _, err := ParseVersionID(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestEntryKeys(t *testing.T) {
	v := VersionID{1}
	h := cluster.Hash{2}
	if k := ObjectKey(testBucket, "a/b"); k.Partition != testBucket.String() || k.Sort != "a/b" {
		t.Errorf("object key %+v", k)
	}
	if k := VersionKey(v); k.Partition != v.String() || k.Sort != "" {
		t.Errorf("version key %+v", k)
	}
	if k := BlockRefKey(h, v); k.Partition != string(h[:]) || k.Sort != v.String() {
		t.Errorf("block ref key %+v", k)
	}
	if k := UploadKey(v); k.Partition != v.String() || k.Sort != "" {
		t.Errorf("upload key %+v", k)
	}
}

// Many concurrent uploads: all kept, and a repeated id still refused.
func TestObjectManyUploads(t *testing.T) {
	var vs []ObjectVersion
	for i := range byte(12) {
		vs = append(vs, uploading(i+1, uint64(i)))
	}
	o := object(vs...).Join(object())
	if len(o.Uploading()) != 12 {
		t.Fatalf("uploads %d", len(o.Uploading()))
	}
	if _, ok := o.LastComplete(); ok {
		t.Fatal("nothing completed yet")
	}
	if _, err := decodeAll(encoded(o), DecodeObject); err != nil {
		t.Fatal(err)
	}
	vs[11] = uploading(1, 11)
	if _, err := decodeAll(rawEncoded(object(vs...), Object.encode), DecodeObject); err == nil {
		t.Fatal("repeated version id accepted")
	}
}

// Attributes join per name, newest stamp first, whichever replica the
// change reached, and survive a completion's copies joining.
func TestVersionAttrsJoin(t *testing.T) {
	base := complete(1, 1)
	a := base
	a.State = a.State.WithAttr("tags", 5, []byte("x"))
	b := base
	b.State = b.State.WithAttr("tags", 7, []byte("y")).WithAttr("hold", 2, []byte("on"))
	for _, j := range []Object{object(a).Join(object(b)), object(b).Join(object(a)), object(base).Join(object(a)).Join(object(b))} {
		v, _ := j.LastComplete()
		if tags, _ := v.State.Attr("tags"); string(tags) != "y" {
			t.Fatalf("tags %q, want the newer y", tags)
		}
		if hold, ok := v.State.Attr("hold"); !ok || string(hold) != "on" {
			t.Fatalf("hold %q %v", hold, ok)
		}
	}
	if _, ok := object(a).Join(object(aborted(1, 1))).Versions[0].State.Attr("tags"); ok {
		t.Fatal("an aborted version kept its attributes")
	}
}
