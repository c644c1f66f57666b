package object_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
)

// putBlocks writes a one-block object version, versioned or not, and
// returns its version and the block's hash.
func (o *oneNode) putBlocks(bucket model.BucketID, key string, data []byte, versioned bool) (object.Written, cluster.Hash) {
	o.t.Helper()
	id := o.id()
	meta := model.ObjectMeta{Size: uint64(len(data)), ETag: md5Hex(data)}
	begun := o.must(object.PutBegin{Bucket: bucket, Key: key, Version: id, Meta: meta, Versioned: versioned}).(object.Written)
	h := cluster.Sum(data)
	o.must(object.PutBlock{Bucket: bucket, Key: key, Version: id, Hash: h, Size: uint64(len(data)), Data: data})
	w := o.must(object.PutComplete{Bucket: bucket, Key: key, Version: id, Timestamp: begun.Timestamp, Meta: meta,
		FirstBlock: h, Blocks: []cluster.Hash{h}, Versioned: versioned}).(object.Written)
	o.tick(10 * time.Millisecond)
	return w, h
}

func (o *oneNode) readVersion(bucket model.BucketID, key string, ref model.VersionRef) (object.Object, []byte) {
	o.t.Helper()
	obj := o.must(object.Get{Bucket: bucket, Key: key, Version: ref}).(object.Object)
	var out []byte
	for _, b := range obj.Blocks {
		out = append(out, o.must(object.GetBlock{Hash: b.Hash}).(object.Block).Data...)
	}
	return obj, append(out, obj.Inline...)
}

func ref(w object.Written) model.VersionRef {
	if !w.Versioned {
		return model.VersionRef{Set: true, Null: true}
	}
	return model.VersionRef{Set: true, ID: w.Version}
}

// A versioned bucket's history: a null version from before versioning, two
// versioned puts, a delete marker; each stays readable by its id, the
// marker hides the object, deleting versions by id makes the previous one
// current, and a deleted version's block loses its reference while the
// others keep theirs.
func TestVersionsKeptAndDeletedByID(t *testing.T) {
	o := newOneNode(t)
	bucket := model.BucketID{9}
	data := [][]byte{filled(1, 1500), filled(2, 1600), filled(3, 1700)}
	null, hNull := o.putBlocks(bucket, "k", data[0], false)
	v1, h1 := o.putBlocks(bucket, "k", data[1], true)
	v2, h2 := o.putBlocks(bucket, "k", data[2], true)

	for i, w := range []object.Written{null, v1, v2} {
		obj, got := o.readVersion(bucket, "k", ref(w))
		if !obj.Found || obj.Version != w.Version || !bytes.Equal(got, data[i]) {
			t.Fatalf("version %d: found %v, version %s, %d bytes", i, obj.Found, obj.Version, len(got))
		}
	}
	if cur, got := o.read(bucket, "k"); cur.Version != v2.Version || !bytes.Equal(got, data[2]) {
		t.Fatalf("current is %s, want the newest %s", cur.Version, v2.Version)
	}

	marker := o.must(object.Delete{Bucket: bucket, Key: "k", Version: o.id(), Versioned: true}).(object.Written)
	if cur := o.must(object.Get{Bucket: bucket, Key: "k"}).(object.Object); cur.Found || !cur.Marker || cur.Version != marker.Version {
		t.Fatalf("after a versioned delete: %+v, want the marker %s", cur, marker.Version)
	}
	listing := o.must(object.ListVersions{Bucket: bucket, NullMarkers: true}).(object.VersionListing)
	if len(listing.Keys) != 1 || len(listing.Keys[0].Versions) != 4 || listing.Keys[0].Versions[0].ID != marker.Version {
		t.Fatalf("listing %+v, want 4 versions, the marker first", listing)
	}

	// Deleting the marker by id makes v2 current again; deleting v2, v1.
	for _, c := range []struct {
		gone object.Written
		next object.Written
	}{{marker, v2}, {v2, v1}} {
		res := o.must(object.DeleteVersion{Bucket: bucket, Key: "k", Version: ref(c.gone)}).(object.VersionDeleted)
		if !res.Found || res.Version.ID != c.gone.Version {
			t.Fatalf("delete %s: %+v", c.gone.Version, res)
		}
		if cur := o.must(object.Get{Bucket: bucket, Key: "k"}).(object.Object); !cur.Found || cur.Version != c.next.Version {
			t.Fatalf("after deleting %s the current is %+v, want %s", c.gone.Version, cur, c.next.Version)
		}
	}
	if got := o.must(object.Get{Bucket: bucket, Key: "k", Version: ref(v2)}).(object.Object); got.Found || got.Marker {
		t.Fatalf("a deleted version still reads: %+v", got)
	}
	if res := o.must(object.DeleteVersion{Bucket: bucket, Key: "k", Version: ref(v2)}).(object.VersionDeleted); res.Found {
		t.Fatalf("deleted twice: %+v", res)
	}
	o.tick(5 * time.Second)
	for h, want := range map[cluster.Hash]uint64{hNull: 1, h1: 1, h2: 0} {
		if rc := o.n.Blocks().RefCount(h); rc.Count != want {
			t.Errorf("block %s: %d references, want %d", h, rc.Count, want)
		}
	}

	// The null version, then v1: nothing is left, and the entry is a tombstone.
	o.must(object.DeleteVersion{Bucket: bucket, Key: "k", Version: model.VersionRef{Set: true, Null: true}})
	o.must(object.DeleteVersion{Bucket: bucket, Key: "k", Version: ref(v1)})
	if cur := o.must(object.Get{Bucket: bucket, Key: "k"}).(object.Object); cur.Found || cur.Marker {
		t.Fatalf("every version deleted, yet %+v", cur)
	}
	if l := o.must(object.ListVersions{Bucket: bucket, NullMarkers: true}).(object.VersionListing); len(l.Keys) != 0 {
		t.Fatalf("listing after deleting everything: %+v", l)
	}
}

// Without versioning a put replaces the null version and frees its block;
// with versioning suspended, a put replaces only the null version and keeps
// the versioned ones.
func TestNullVersionReplaced(t *testing.T) {
	o := newOneNode(t)
	bucket := model.BucketID{10}
	_, h0 := o.putBlocks(bucket, "k", filled(1, 1500), false)
	v1, h1 := o.putBlocks(bucket, "k", filled(2, 1500), true)
	_, h2 := o.putBlocks(bucket, "k", filled(3, 1500), false) // suspended: a null version
	_, h3 := o.putBlocks(bucket, "k", filled(4, 1500), false) // replaces it
	o.tick(5 * time.Second)
	for h, want := range map[cluster.Hash]uint64{h0: 0, h1: 1, h2: 0, h3: 1} {
		if rc := o.n.Blocks().RefCount(h); rc.Count != want {
			t.Errorf("block %s: %d references, want %d", h, rc.Count, want)
		}
	}
	l := o.must(object.ListVersions{Bucket: bucket}).(object.VersionListing)
	if len(l.Keys) != 1 || len(l.Keys[0].Versions) != 2 || l.Keys[0].Versions[1].ID != v1.Version {
		t.Fatalf("listing %+v, want the null version then v1", l)
	}
	// An unversioned delete leaves a null marker that is listed only where
	// versioning was ever on.
	o.must(object.Delete{Bucket: bucket, Key: "other", Version: o.id()})
	if l := o.must(object.ListVersions{Bucket: bucket, Start: "other"}).(object.VersionListing); len(l.Keys) != 0 {
		t.Fatalf("a null marker listed where versioning was never on: %+v", l)
	}
	if l := o.must(object.ListVersions{Bucket: bucket, Start: "other", NullMarkers: true}).(object.VersionListing); len(l.Keys) != 1 {
		t.Fatalf("a null marker not listed: %+v", l)
	}
}

// An attribute set on an old version changes it in place: same id, same
// data, still noncurrent; set again, the newer value wins; a delete
// marker takes none.
func TestSetAttrInPlace(t *testing.T) {
	o := newOneNode(t)
	bucket := model.BucketID{11}
	v1, _ := o.putBlocks(bucket, "k", filled(1, 1500), true)
	v2, _ := o.putBlocks(bucket, "k", filled(2, 1500), true)
	for _, val := range []string{"a=1", "a=2"} {
		o.must(object.SetAttr{Bucket: bucket, Key: "k", Version: ref(v1), Name: "tags", Value: []byte(val)})
	}
	got, data := o.readVersion(bucket, "k", ref(v1))
	if !bytes.Equal(data, filled(1, 1500)) || got.Version != v1.Version {
		t.Fatalf("the version changed: %+v", got)
	}
	if len(got.Attrs) != 1 || string(got.Attrs[0].Value) != "a=2" {
		t.Fatalf("attributes %+v, want tags a=2", got.Attrs)
	}
	if cur := o.must(object.Get{Bucket: bucket, Key: "k"}).(object.Object); cur.Version != v2.Version || len(cur.Attrs) != 0 {
		t.Fatalf("the current version is %+v", cur)
	}
	o.must(object.Delete{Bucket: bucket, Key: "k", Version: o.id(), Versioned: true})
	if _, err := o.do(object.SetAttr{Bucket: bucket, Key: "k", Name: "tags", Value: []byte("x")}); !errors.Is(err, object.ErrNoSuchVersion) {
		t.Fatalf("tagging a delete marker: %v", err)
	}
}

// Usage counts objects, versions, markers and bytes; Entry shows every
// version, aborted ones too.
func TestUsageAndEntry(t *testing.T) {
	o := newOneNode(t)
	b := model.Bucket{ID: model.BucketID{12}}
	o.putBlocks(b.ID, "a", filled(1, 1500), true)
	gone, _ := o.putBlocks(b.ID, "a", filled(2, 1600), true)
	o.putBlocks(b.ID, "b", filled(3, 1700), true)
	o.must(object.Delete{Bucket: b.ID, Key: "b", Version: o.id(), Versioned: true})
	o.must(object.DeleteVersion{Bucket: b.ID, Key: "a", Version: ref(gone)})
	o.tick(time.Second) // the counters go through the insert queue
	want := model.Usage{Objects: 1, Versions: 2, DeleteMarkers: 1, Bytes: 1500 + 1700}
	if got := o.usage(b, false); got != want {
		t.Fatalf("usage %+v, want %+v", got, want)
	}
	if got := o.usage(b, true); got != want {
		t.Fatalf("scanned usage %+v, want %+v", got, want)
	}
	var entry model.Object
	o.n.Objects().Entry(o.now, b.ID, "a", func(_ cluster.Time, e model.Object, err error) {
		if err != nil {
			t.Fatal(err)
		}
		entry = e
	})
	o.settle()
	if len(entry.Versions) != 2 || entry.Versions[1].State.Kind != model.Aborted {
		t.Fatalf("entry %+v, want a live version and the aborted one", entry.Versions)
	}
}

// usage is what the bucket's counters say it holds, or, with scan, what a
// scan of its object entries counts.
func (o *oneNode) usage(b model.Bucket, scan bool) model.Usage {
	o.t.Helper()
	var got model.Usage
	var gotErr error
	f := o.n.Objects().Usage
	if scan {
		f = o.n.Objects().UsageScan
	}
	f(o.now, b, func(_ cluster.Time, u model.Usage, err error) { got, gotErr = u, err })
	o.settle()
	if gotErr != nil {
		o.t.Fatal(gotErr)
	}
	return got
}
