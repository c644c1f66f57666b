package object_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
)

// putChunks writes an object version whose blocks are chunks, in order,
// with headers, and returns it.
func (o *oneNode) putChunks(bucket model.BucketID, key string, versioned bool, chunks [][]byte, headers ...model.Header) object.Written {
	o.t.Helper()
	id := o.id()
	var size uint64
	var hashes []cluster.Hash
	for _, c := range chunks {
		size += uint64(len(c))
		hashes = append(hashes, cluster.Sum(c))
	}
	meta := model.ObjectMeta{Size: size, ETag: "e", Headers: headers}
	begun := o.must(object.PutBegin{Bucket: bucket, Key: key, Version: id, Meta: meta, Versioned: versioned}).(object.Written)
	var off uint64
	for i, c := range chunks {
		o.must(object.PutBlock{Bucket: bucket, Key: key, Version: id, Part: 1, Offset: off, Hash: hashes[i], Size: uint64(len(c)), Data: c})
		off += uint64(len(c))
	}
	w := o.must(object.PutComplete{Bucket: bucket, Key: key, Version: id, Timestamp: begun.Timestamp, Meta: meta,
		FirstBlock: hashes[0], Blocks: hashes, Versioned: versioned}).(object.Written)
	o.tick(10 * time.Millisecond)
	return w
}

func (o *oneNode) refCount(h cluster.Hash) uint64 {
	o.t.Helper()
	return o.must(admin.GetBlockInfo{Hash: h.String()}).(admin.BlockInfo).RefCount
}

// listed is the ids of key's versions ListObjectVersions shows, newest
// first.
func (o *oneNode) listed(bucket model.BucketID, key string) []model.VersionID {
	o.t.Helper()
	var ids []model.VersionID
	for _, k := range o.must(object.ListVersions{Bucket: bucket}).(object.VersionListing).Keys {
		if k.Key == key {
			for _, v := range k.Versions {
				ids = append(ids, v.ID)
			}
		}
	}
	return ids
}

// TestPurgeBlocks (admin.PurgeBlocks over the object operations): every
// user of the purged block goes — a three-block null object, a noncurrent
// versioned version, a current one (the previous becomes current), a
// completed multipart object, an upload in progress whose part holds it —
// with counts as Garage's; everything else stays; the purged block and the
// other blocks of the purged versions lose their references; purging again
// changes nothing.
func TestPurgeBlocks(t *testing.T) {
	o := newOneNode(t)
	b := o.quotaBucket("purge").ID
	lost := filled(9, blockSize)
	hLost := cluster.Sum(lost)
	first, last := filled(1, blockSize), filled(2, 500)

	o.putChunks(b, "plain", false, [][]byte{first, lost, last})
	old := o.putChunks(b, "noncurrent", true, [][]byte{lost})
	keep := o.putChunks(b, "noncurrent", true, [][]byte{filled(3, 700)})
	prev := o.putChunks(b, "current", true, [][]byte{filled(4, 700)})
	o.putChunks(b, "current", true, [][]byte{filled(5, 300), lost})
	other := o.putChunks(b, "other", false, [][]byte{filled(6, 900)})

	done, donePart := o.upload(b, "completed", append(filled(7, blockSize), lost...))
	o.must(object.CompleteMultipart{Bucket: b, Key: "completed", UploadID: done, MinPartSize: 1,
		Parts: []object.CompletedPart{{Number: 1, ETag: md5Hex(donePart.data)}}})
	up, upPart := o.upload(b, "up", append(slices.Clone(lost), filled(8, 100)...))
	otherUp, _ := o.upload(b, "otherup", filled(10, 400))
	o.tick(3 * time.Second)
	if n := o.refCount(hLost); n != 5 {
		t.Fatalf("the block has %d references before, want 5", n)
	}

	if _, err := o.do(admin.PurgeBlocks{Hashes: []string{hLost.String()[:10]}}); !errors.Is(err, admin.ErrInvalid) {
		t.Fatalf("a hash prefix: %v, want ErrInvalid", err)
	}
	got := o.must(admin.PurgeBlocks{Hashes: []string{hLost.String()}}).(admin.BlocksPurged)
	want := admin.BlocksPurged{BlocksPurged: 1, ObjectsDeleted: 4, UploadsDeleted: 1, VersionsDeleted: 5, BlockRefsPurged: 5}
	if got != want {
		t.Fatalf("purged %+v, want %+v", got, want)
	}
	o.tick(3 * time.Second) // the hooks' cascade runs through the insert queue

	for _, key := range []string{"plain", "completed"} {
		if obj := o.must(object.Get{Bucket: b, Key: key}).(object.Object); obj.Found || obj.Marker {
			t.Fatalf("%s is still there: %+v", key, obj)
		}
	}
	if ids := o.listed(b, "noncurrent"); !slices.Equal(ids, []model.VersionID{keep.Version}) {
		t.Fatalf("noncurrent: versions %v, want only %s", ids, keep.Version)
	}
	if ids := o.listed(b, "current"); !slices.Equal(ids, []model.VersionID{prev.Version}) {
		t.Fatalf("current: versions %v, want only the previous %s", ids, prev.Version)
	}
	if _, data := o.readVersion(b, "current", model.VersionRef{}); string(data) != string(filled(4, 700)) {
		t.Fatal("the previous version of current does not read back as current")
	}
	if _, data := o.read(b, "other"); string(data) != string(filled(6, 900)) || o.listed(b, "other")[0] != other.Version {
		t.Fatal("an object without the block changed")
	}
	var uploads []model.VersionID
	for _, u := range o.must(object.ListMultipartUploads{Bucket: b}).(object.UploadList).Uploads {
		uploads = append(uploads, u.UploadID)
	}
	if !slices.Equal(uploads, []model.VersionID{otherUp}) {
		t.Fatalf("uploads %v, want only %s (not %s)", uploads, otherUp, up)
	}
	for _, h := range append([]cluster.Hash{hLost, cluster.Sum(first), cluster.Sum(last), donePart.hashes[0]}, upPart.hashes...) {
		if n := o.refCount(h); n != 0 {
			t.Fatalf("block %s of a purged version still has %d references", h, n)
		}
	}
	if n := o.refCount(cluster.Sum(filled(6, 900))); n != 1 {
		t.Fatalf("the other object's block has %d references, want 1", n)
	}
	if obj := o.must(object.Get{Bucket: b, Key: "noncurrent", Version: ref(old)}).(object.Object); obj.Found {
		t.Fatalf("the purged noncurrent version still reads by its id: %+v", obj)
	}

	again := o.must(admin.PurgeBlocks{Hashes: []string{hLost.String(), hLost.String()}}).(admin.BlocksPurged)
	if again != (admin.BlocksPurged{BlocksPurged: 2}) {
		t.Fatalf("purging again: %+v, want nothing done", again)
	}
}

// A version under a COMPLIANCE retention is not purged: the purge stops
// with ErrObjectLocked and leaves it whole (its entry, its block list and
// the reference); a GOVERNANCE retention is bypassed.
func TestPurgeBlocksRespectsCompliance(t *testing.T) {
	o := newOneNode(t)
	b := o.quotaBucket("locked").ID
	lost := filled(9, blockSize)
	hLost := cluster.Sum(lost)
	until := time.Duration(o.now) + time.Hour
	gov := o.putChunks(b, "gov", true, [][]byte{lost}, retentionHeader(model.Governance, until))
	w := o.putChunks(b, "worm", true, [][]byte{lost}, retentionHeader(model.Compliance, until))
	_, err := o.do(admin.PurgeBlocks{Hashes: []string{hLost.String()}})
	if !errors.Is(err, object.ErrObjectLocked) {
		t.Fatalf("purging a COMPLIANCE version's block: %v, want ErrObjectLocked", err)
	}
	o.tick(3 * time.Second)
	if _, data := o.readVersion(b, "worm", ref(w)); string(data) != string(lost) {
		t.Fatal("the locked version no longer reads")
	}
	if o.stillThere(b, "gov", gov) {
		t.Fatal("the GOVERNANCE version (before it in the references) is still there")
	}
	if n := o.refCount(hLost); n != 1 {
		t.Fatalf("the block has %d references, want the locked version's", n)
	}
}
