package object_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
)

// quotaBucket creates a bucket through the admin operations and returns
// its entry.
func (o *oneNode) quotaBucket(name string) model.Bucket {
	o.t.Helper()
	info := o.must(admin.CreateBucket{Name: name, ID: strings.Repeat("ab", 32)}).(admin.BucketInfo)
	id, err := model.ParseBucketID(info.ID)
	if err != nil {
		o.t.Fatal(err)
	}
	return model.Bucket{ID: id}
}

func u64(v uint64) *uint64 { return &v }

func (o *oneNode) putInline(bucket model.BucketID, key string, data []byte, versioned bool) (object.Written, error) {
	res, err := o.do(object.PutInline{Bucket: bucket, Key: key, Version: o.id(), Data: data, Versioned: versioned,
		Meta: model.ObjectMeta{Size: uint64(len(data)), ETag: md5Hex(data)}})
	o.tick(time.Second) // the counters go through the insert queue
	if err != nil {
		return object.Written{}, err
	}
	return res.(object.Written), nil
}

// putBlocksErr is putBlocks that reports the completion's error and the
// block's hash.
func (o *oneNode) putBlocksErr(bucket model.BucketID, key string, data []byte) (cluster.Hash, error) {
	id := o.id()
	meta := model.ObjectMeta{Size: uint64(len(data)), ETag: md5Hex(data)}
	begun := o.must(object.PutBegin{Bucket: bucket, Key: key, Version: id, Meta: meta}).(object.Written)
	h := cluster.Sum(data)
	o.must(object.PutBlock{Bucket: bucket, Key: key, Version: id, Hash: h, Size: uint64(len(data)), Data: data})
	_, err := o.do(object.PutComplete{Bucket: bucket, Key: key, Version: id, Timestamp: begun.Timestamp, Meta: meta, FirstBlock: h, Blocks: []cluster.Hash{h}})
	o.tick(time.Second)
	return h, err
}

// checkUsage compares the counters with a scan of the bucket and with what
// the test expects.
func (o *oneNode) checkUsage(b model.Bucket, want model.Usage) {
	o.t.Helper()
	o.checkUsageScan(b, want, want)
}

// checkUsageScan is checkUsage where the scan is expected to differ.
func (o *oneNode) checkUsageScan(b model.Bucket, want, wantScan model.Usage) {
	o.t.Helper()
	o.tick(time.Second)
	scan := o.usage(b, true)
	scan.UnfinishedUploads = wantScan.UnfinishedUploads // the scan does not see uploads
	if got := o.usage(b, false); got != want || scan != wantScan {
		o.t.Fatalf("counters %+v, scan %+v, want %+v and %+v", got, scan, want, wantScan)
	}
}

// The counters follow every kind of change and agree with a full scan:
// puts inline and in blocks, overwrites, deletes, multipart uploads
// (unfinished, completed, aborted), versioned puts, delete markers of
// both kinds, versions deleted by id.
func TestCountersFollowAScan(t *testing.T) {
	o := newOneNode(t)
	b := o.quotaBucket("counted")
	o.checkUsage(b, model.Usage{})
	if _, err := o.putInline(b.ID, "a", filled(1, 100), false); err != nil {
		t.Fatal(err)
	}
	o.putBlocks(b.ID, "b", filled(2, 4000), false)
	o.checkUsage(b, model.Usage{Objects: 2, Versions: 2, Bytes: 4100})
	o.putBlocks(b.ID, "a", filled(3, 5000), false) // overwrites the inline "a"
	o.checkUsage(b, model.Usage{Objects: 2, Versions: 2, Bytes: 9000})
	o.must(object.Delete{Bucket: b.ID, Key: "b", Version: o.id()})
	o.checkUsage(b, model.Usage{Objects: 1, Versions: 1, Bytes: 5000}) // an unversioned bucket lists no null marker

	up := o.must(object.CreateMultipart{Bucket: b.ID, Key: "m", UploadID: o.id()}).(object.Written)
	up2 := o.must(object.CreateMultipart{Bucket: b.ID, Key: "n", UploadID: o.id()}).(object.Written)
	o.checkUsage(b, model.Usage{Objects: 1, Versions: 1, Bytes: 5000, UnfinishedUploads: 2})
	p := o.begin(b.ID, "m", up.Version, 1, filled(4, 1200))
	if err := o.finish(b.ID, "m", up.Version, p); err != nil {
		t.Fatal(err)
	}
	o.must(object.CompleteMultipart{Bucket: b.ID, Key: "m", UploadID: up.Version, Parts: []object.CompletedPart{{Number: 1, ETag: md5Hex(p.data)}}})
	o.must(object.AbortMultipart{Bucket: b.ID, Key: "n", UploadID: up2.Version})
	o.checkUsage(b, model.Usage{Objects: 2, Versions: 2, Bytes: 6200})

	// Versioning enabled: versions stay, markers are listed.
	o.must(admin.SetBucketConfig{Bucket: b.ID, Name: model.ConfigVersioning, Value: []byte(model.VersioningEnabled)})
	b.Configs = b.Configs.Set(model.ConfigVersioning, crdt.Put(crdt.Stamp{TS: 1}, []byte(model.VersioningEnabled)))
	// The scan now lists the null marker "b" was deleted with while the
	// bucket was unversioned (a tombstone until collected); the counters
	// never count a tombstone: they would drift when it is collected.
	plus := func(u model.Usage) model.Usage { u.DeleteMarkers++; return u }
	v1, _ := o.putBlocks(b.ID, "a", filled(5, 3000), true)
	want := model.Usage{Objects: 2, Versions: 3, Bytes: 9200}
	o.checkUsageScan(b, want, plus(want))
	o.must(object.Delete{Bucket: b.ID, Key: "a", Version: o.id(), Versioned: true})
	want = model.Usage{Objects: 1, Versions: 3, DeleteMarkers: 1, Bytes: 9200}
	o.checkUsageScan(b, want, plus(want))
	o.must(object.DeleteVersion{Bucket: b.ID, Key: "a", Version: ref(v1)})
	want = model.Usage{Objects: 1, Versions: 2, DeleteMarkers: 1, Bytes: 6200}
	o.checkUsageScan(b, want, plus(want))
	// A null delete marker (as versioning suspended writes) over a
	// versioned history is listed, and counted; it supersedes the null
	// version (the 1,200 bytes of "m"), not the versioned one.
	o.putBlocks(b.ID, "m", filled(6, 800), true)
	o.must(object.Delete{Bucket: b.ID, Key: "m", Version: o.id()})
	want = model.Usage{Objects: 0, Versions: 2, DeleteMarkers: 2, Bytes: 5800}
	o.checkUsageScan(b, want, plus(want))
}

// quotaMessage is the refusal's message, failing the test if err is not a
// quota refusal that wrote nothing.
func quotaMessage(t *testing.T, err error) string {
	t.Helper()
	var r *object.Refusal
	if !errors.Is(err, object.ErrQuotaExceeded) || !errors.Is(err, object.ErrNotWritten) || !errors.As(err, &r) {
		t.Fatalf("want a quota refusal, got %v", err)
	}
	return r.Message
}

// Quotas refuse what would go over, with Garage's messages, and nothing
// refused becomes visible or keeps its blocks; what does not grow the
// bucket passes at the limit.
func TestQuotasRefuseWritesOverTheLimit(t *testing.T) {
	o := newOneNode(t)
	b := o.quotaBucket("limited")
	o.must(admin.SetBucketQuotas{Name: "limited", MaxSize: u64(6000), MaxObjects: u64(2)})
	if _, err := o.putInline(b.ID, "a", filled(1, 1000), false); err != nil {
		t.Fatal(err)
	}
	if _, err := o.putBlocksErr(b.ID, "b", filled(2, 4000)); err != nil {
		t.Fatal(err)
	}
	// 5,000 bytes stored: 1,500 more in blocks goes over.
	h, err := o.putBlocksErr(b.ID, "a", filled(3, 2500))
	want := "Bucket size quota is reached, maximum total size of objects for this bucket: 6000. The bucket is already 5000 bytes, and this object would add 1500 bytes."
	if msg := quotaMessage(t, err); msg != want {
		t.Fatalf("message %q, want %q", msg, want)
	}
	if obj, data := o.read(b.ID, "a"); obj.Meta.Size != 1000 || len(data) != 1000 {
		t.Fatalf("the refused put replaced the object: %+v", obj.Meta)
	}
	o.tick(5 * time.Second)
	if _, ok := o.disk[h]; ok {
		t.Fatal("the refused put's block is still stored")
	}
	// A third key goes over the object quota, even small and inline.
	_, err = o.putInline(b.ID, "c", []byte("x"), false)
	if msg := quotaMessage(t, err); msg != "Object quota is reached, maximum objects for this bucket: 2" {
		t.Fatalf("message %q", msg)
	}
	if obj := o.must(object.Get{Bucket: b.ID, Key: "c"}).(object.Object); obj.Found {
		t.Fatal("the refused put is visible")
	}
	// Overwrites that do not grow the bucket pass: the same size, smaller.
	if _, err := o.putInline(b.ID, "a", filled(4, 1000), false); err != nil {
		t.Fatalf("overwrite of the same size: %v", err)
	}
	if _, err := o.putBlocksErr(b.ID, "b", filled(5, 3500)); err != nil {
		t.Fatalf("smaller overwrite: %v", err)
	}
	o.checkUsage(b, model.Usage{Objects: 2, Versions: 2, Bytes: 4500})

	// A completion over the size quota is refused; the upload is aborted,
	// its parts released, nothing visible.
	up := o.must(object.CreateMultipart{Bucket: b.ID, Key: "a", UploadID: o.id()}).(object.Written)
	p := o.begin(b.ID, "a", up.Version, 1, filled(6, 2600))
	if err := o.finish(b.ID, "a", up.Version, p); err != nil {
		t.Fatal(err)
	}
	_, err = o.do(object.CompleteMultipart{Bucket: b.ID, Key: "a", UploadID: up.Version, Parts: []object.CompletedPart{{Number: 1, ETag: md5Hex(p.data)}}})
	if msg := quotaMessage(t, err); !strings.Contains(msg, "would add 1600 bytes") {
		t.Fatalf("message %q", msg)
	}
	if _, err := o.do(object.ListParts{Bucket: b.ID, Key: "a", UploadID: up.Version}); !errors.Is(err, object.ErrNoSuchUpload) {
		t.Fatalf("the refused upload's parts: %v", err)
	}
	o.tick(5 * time.Second)
	for _, h := range p.hashes {
		if _, ok := o.disk[h]; ok {
			t.Fatal("a refused upload's block is still stored")
		}
	}
	if obj, _ := o.read(b.ID, "a"); obj.Meta.Size != 1000 {
		t.Fatalf("after the refused completion: %+v", obj.Meta)
	}

	// A copy is a write like the others.
	src := o.must(object.Get{Bucket: b.ID, Key: "b"}).(object.Object)
	_, err = o.do(object.CopyObject{Bucket: b.ID, Key: "c", Version: o.id(), Source: src, Meta: src.Meta})
	if msg := quotaMessage(t, err); !strings.HasPrefix(msg, "Object quota is reached") {
		t.Fatalf("copy: %q", msg)
	}
	// Quotas removed: the same writes pass.
	o.must(admin.SetBucketQuotas{Name: "limited"})
	if _, err := o.do(object.CopyObject{Bucket: b.ID, Key: "c", Version: o.id(), Source: src, Meta: src.Meta}); err != nil {
		t.Fatal(err)
	}
	o.checkUsage(b, model.Usage{Objects: 3, Versions: 3, Bytes: 8000})
}
