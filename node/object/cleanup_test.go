package object_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
)

// upload creates a multipart upload of key with one finished part of
// data.
func (o *oneNode) upload(bucket model.BucketID, key string, data []byte) (model.VersionID, part) {
	o.t.Helper()
	id := o.must(object.CreateMultipart{Bucket: bucket, Key: key, UploadID: o.id()}).(object.Written).Version
	p := o.begin(bucket, key, id, 1, data)
	if err := o.finish(bucket, key, id, p); err != nil {
		o.t.Fatal(err)
	}
	return id, p
}

// TestCleanupIncompleteUploads (admin.CleanupIncompleteUploads over the
// object operations): only uploads older than the age go, each as
// AbortMultipart ends it (its part's blocks lose their references), and
// InspectObject shows an upload's blocks, then its abortion.
func TestCleanupIncompleteUploads(t *testing.T) {
	o := newOneNode(t)
	b := o.quotaBucket("uploads")
	data := bytes.Repeat([]byte("old part "), 250) // 3 blocks
	old, oldPart := o.upload(b.ID, "old", data)
	o.tick(10 * time.Second)
	young, _ := o.upload(b.ID, "young", []byte("young part"))

	info := o.must(admin.InspectObject{Bucket: "uploads", Key: "old"}).(admin.ObjectInfo)
	if len(info.Versions) != 1 || info.Versions[0].State != "uploading" || !info.Versions[0].Multipart || len(info.Versions[0].Blocks) != 3 {
		t.Fatalf("inspect the old upload: %+v", info)
	}
	for i, blk := range info.Versions[0].Blocks {
		if want := (admin.BlockPos{Part: 1, Offset: uint64(i * 1000), Hash: oldPart.hashes[i].String(), Size: uint64(min(1000, len(data)-i*1000))}); blk != want {
			t.Fatalf("block %d: %+v, want %+v", i, blk, want)
		}
	}

	if bi := o.must(admin.GetBlockInfo{Hash: oldPart.hashes[0].String()}).(admin.BlockInfo); bi.RefCount != 1 {
		t.Fatalf("the old part's block has %d references before, want 1", bi.RefCount)
	}

	clean := func(age uint64) uint64 {
		t.Helper()
		res := o.must(admin.CleanupIncompleteUploads{Bucket: "uploads", OlderThanSecs: age}).(admin.UploadsCleaned)
		if res.Bucket != b.ID.String() {
			t.Fatalf("cleaned bucket %s, want %s", res.Bucket, b.ID)
		}
		return res.Aborted
	}
	uploads := func() []model.VersionID {
		t.Helper()
		var ids []model.VersionID
		for _, u := range o.must(object.ListMultipartUploads{Bucket: b.ID}).(object.UploadList).Uploads {
			ids = append(ids, u.UploadID)
		}
		return ids
	}
	if n := clean(3600); n != 0 || len(uploads()) != 2 {
		t.Fatalf("an hour: %d aborted, %d uploads left, want 0 and 2", n, len(uploads()))
	}
	if n := clean(5); n != 1 {
		t.Fatalf("5 s: %d aborted, want the old upload only", n)
	}
	if left := uploads(); len(left) != 1 || left[0] != young {
		t.Fatalf("after 5 s: uploads %v, want only %s", left, young)
	}
	o.tick(3 * time.Second) // the hooks' cascade runs through the insert queue
	info = o.must(admin.InspectObject{Bucket: "uploads", Key: "old"}).(admin.ObjectInfo)
	if len(info.Versions) != 1 || info.Versions[0].Internal != old.String() || info.Versions[0].State != "aborted" || len(info.Versions[0].Blocks) != 0 {
		t.Fatalf("inspect the aborted upload: %+v", info)
	}
	for _, h := range oldPart.hashes {
		if bi := o.must(admin.GetBlockInfo{Hash: h.String()}).(admin.BlockInfo); bi.RefCount != 0 {
			t.Fatalf("the aborted part's block %s still has %d references", h, bi.RefCount)
		}
	}
	if n := clean(0); n != 1 || len(uploads()) != 0 {
		t.Fatalf("age 0: %d aborted, %d left, want 1 and 0", n, len(uploads()))
	}
	if n := clean(0); n != 0 {
		t.Fatalf("nothing left: %d aborted", n)
	}
	if _, err := o.do(admin.CleanupIncompleteUploads{Bucket: "nosuchbucket"}); !errors.Is(err, admin.ErrNotFound) {
		t.Fatalf("unknown bucket: %v", err)
	}
	young2, _ := o.upload(b.ID, "young", []byte("again"))
	if n := clean(1 << 62); n != 0 || len(uploads()) != 1 || uploads()[0] != young2 {
		t.Fatalf("an age reaching before 1970: %d aborted", n)
	}
}
