package object_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/table"
)

// oneNode drives a single node (replication 1): its messages to itself
// loop back, its disk operations run against a map.
type oneNode struct {
	t       *testing.T
	now     cluster.Time
	n       *node.Node
	disk    map[cluster.Hash][]byte
	replies map[uint64]node.Reply
	nextReq uint64
	nextID  byte
}

func newOneNode(t *testing.T) *oneNode {
	id := cluster.NodeID(cluster.SumString("n0"))
	v, err := layout.Assign(1, []layout.Member{{ID: id, Role: layout.Role{Zone: "z", Capacity: 1}}}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := node.Config{ID: id, Table: table.DefaultConfig(), Block: block.Config{GCDelay: time.Second}}
	n, err := node.New(cfg, meta.New(), layout.NewHistory(v))
	if err != nil {
		t.Fatal(err)
	}
	o := &oneNode{t: t, now: cluster.Time(time.Hour), n: n, disk: map[cluster.Hash][]byte{}, replies: map[uint64]node.Reply{}}
	o.settle()
	return o
}

func (o *oneNode) settle() {
	for range 100000 {
		if !o.n.HasReady() {
			return
		}
		rd := o.n.Ready()
		for _, r := range rd.Replies {
			o.replies[r.ID] = r
		}
		for _, m := range rd.Messages {
			o.now += cluster.Time(time.Microsecond)
			o.n.Step(o.now, m)
		}
		for _, req := range rd.IO {
			res := block.IOResult{ID: req.ID}
			data, ok := o.disk[req.Hash]
			switch req.Kind {
			case block.IOWrite:
				if !ok {
					o.disk[req.Hash] = req.Data
				}
			case block.IORead:
				res.Data = data
				if !ok {
					res.Err = block.ErrNotFound
				}
			case block.IOStat:
				res.Present = ok
			case block.IODelete, block.IOQuarantine:
				delete(o.disk, req.Hash)
			case block.IOVerify:
			default:
				res.Err = fmt.Errorf("unexpected disk operation %v", req.Kind)
			}
			o.n.Complete(o.now, res)
		}
	}
	o.t.Fatal("no quiescence")
}

func (o *oneNode) tick(d time.Duration) {
	for end := o.now.Add(d); o.now < end; {
		o.now += cluster.Time(100 * time.Millisecond)
		o.n.Tick(o.now)
		o.settle()
	}
}

// submit starts op and returns its request id.
func (o *oneNode) submit(op node.Op) uint64 {
	o.nextReq++
	o.n.Submit(o.now, node.Request{ID: o.nextReq, Op: op})
	return o.nextReq
}

func (o *oneNode) wait(id uint64) (any, error) {
	o.settle()
	for range 100 {
		if r, ok := o.replies[id]; ok {
			return r.Result, r.Err
		}
		o.tick(100 * time.Millisecond)
	}
	o.t.Fatalf("no reply to request %d", id)
	return nil, nil
}

func (o *oneNode) do(op node.Op) (any, error) { return o.wait(o.submit(op)) }

func (o *oneNode) must(op node.Op) any {
	o.t.Helper()
	r, err := o.do(op)
	if err != nil {
		o.t.Fatalf("%s: %v", op.OpName(), err)
	}
	return r
}

func (o *oneNode) id() model.VersionID {
	o.nextID++
	return model.VersionID{0xee, o.nextID}
}

// part is one part upload in the making.
type part struct {
	number  uint32
	version model.VersionID
	ts      uint64
	data    []byte
	hashes  []cluster.Hash
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

const blockSize = 1000

// begin starts a part upload and writes its blocks (blockSize bytes each).
func (o *oneNode) begin(bucket model.BucketID, key string, upload model.VersionID, number uint32, data []byte) part {
	p := part{number: number, version: o.id(), data: data}
	p.ts = o.must(object.PutPartBegin{Bucket: bucket, Key: key, UploadID: upload, Part: number, Version: p.version}).(object.PartBegun).Timestamp
	for off := 0; off < len(data); off += blockSize {
		chunk := data[off:min(off+blockSize, len(data))]
		h := cluster.Sum(chunk)
		p.hashes = append(p.hashes, h)
		o.must(object.PutBlock{Bucket: bucket, Key: key, Version: p.version, Part: number, Offset: uint64(off), Hash: h, Size: uint64(len(chunk)), Data: chunk})
	}
	return p
}

func (o *oneNode) finish(bucket model.BucketID, key string, upload model.VersionID, p part) error {
	_, err := o.do(object.PutPartComplete{Bucket: bucket, Key: key, UploadID: upload, Part: p.number, Version: p.version,
		Timestamp: p.ts, ETag: md5Hex(p.data), Size: uint64(len(p.data)), Blocks: p.hashes})
	return err
}

// read gets an object and fetches its blocks in the order Get lists them.
func (o *oneNode) read(bucket model.BucketID, key string) (object.Object, []byte) {
	obj := o.must(object.Get{Bucket: bucket, Key: key}).(object.Object)
	var out []byte
	for _, b := range obj.Blocks {
		blk := o.must(object.GetBlock{Hash: b.Hash}).(object.Block)
		out = append(out, blk.Data...)
	}
	return obj, append(out, obj.Inline...)
}

func filled(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7/5)
	}
	return b
}

// Parts uploaded out of order, one of them twice with the earlier-begun
// upload finishing last, and an empty last part: the object reads back in
// part order, from the upload of the part uploaded twice that finished
// last (its client got its ETag last), though it began first. The two
// finish within one millisecond here, so the later finish is stamped after
// the earlier one's stamp.
func TestMultipartAssemblesInPartOrder(t *testing.T) {
	o := newOneNode(t)
	bucket, key := model.BucketID{1}, "k"
	up := o.must(object.CreateMultipart{Bucket: bucket, Key: key, UploadID: o.id()}).(object.Written)
	p3 := o.begin(bucket, key, up.Version, 3, filled(30, 2500))
	p1 := o.begin(bucket, key, up.Version, 1, filled(10, 3000))
	p2old := o.begin(bucket, key, up.Version, 2, filled(20, 1500))
	p2new := o.begin(bucket, key, up.Version, 2, filled(21, 1200))
	p4 := o.begin(bucket, key, up.Version, 4, nil)
	if p2new.ts <= p2old.ts {
		t.Fatalf("the second upload of part 2 has timestamp %d, the first %d", p2new.ts, p2old.ts)
	}
	for _, p := range []part{p3, p1, p2new, p2old, p4} {
		if err := o.finish(bucket, key, up.Version, p); err != nil {
			t.Fatal(err)
		}
	}
	l := o.must(object.ListParts{Bucket: bucket, Key: key, UploadID: up.Version}).(object.PartList)
	if len(l.Parts) != 4 || l.Parts[1].ETag != md5Hex(p2old.data) {
		t.Fatalf("parts: %+v", l)
	}
	var req []object.CompletedPart
	for _, p := range []part{p1, p2old, p3, p4} {
		req = append(req, object.CompletedPart{Number: p.number, ETag: md5Hex(p.data)})
	}
	done := o.must(object.CompleteMultipart{Bucket: bucket, Key: key, UploadID: up.Version, Parts: req, MinPartSize: 1000,
		Meta: model.ObjectMeta{Headers: []model.Header{{Name: "x-amz-meta-a", Value: "1"}}}}).(object.Completed)
	want := slices.Concat(p1.data, p2old.data, p3.data)
	obj, got := o.read(bucket, key)
	if !bytes.Equal(got, want) || obj.Meta.Size != uint64(len(want)) || obj.Meta.ETag != done.Meta.ETag {
		t.Fatalf("read %d bytes (want %d), meta %+v, completed as %+v", len(got), len(want), obj.Meta, done)
	}
	var cat []byte
	for _, p := range []part{p1, p2old, p3, p4} {
		s := md5.Sum(p.data)
		cat = append(cat, s[:]...)
	}
	if s := md5.Sum(cat); done.Meta.ETag != hex.EncodeToString(s[:])+"-4" {
		t.Fatalf("ETag %s", done.Meta.ETag)
	}
	if len(obj.Meta.Headers) != 1 || obj.Meta.Headers[0].Name != "x-amz-meta-a" {
		t.Fatalf("headers %+v", obj.Meta.Headers)
	}

	// The blocks of the upload of part 2 that finished first are collected;
	// the others stay.
	o.tick(5 * time.Second)
	for _, h := range p2new.hashes {
		if _, ok := o.disk[h]; ok {
			t.Fatalf("block %s of the replaced part upload is still stored", h)
		}
	}
	for _, h := range slices.Concat(p1.hashes, p2old.hashes, p3.hashes) {
		if _, ok := o.disk[h]; !ok {
			t.Fatalf("block %s of the object was collected", h)
		}
	}
}

// Two completions with different parts at once: the block lists mix, so
// neither may complete the object; the upload can still be aborted, which
// releases everything.
func TestConcurrentCompletionsWithOtherPartsConflict(t *testing.T) {
	o := newOneNode(t)
	bucket, key := model.BucketID{2}, "k"
	up := o.must(object.CreateMultipart{Bucket: bucket, Key: key, UploadID: o.id()}).(object.Written)
	p1 := o.begin(bucket, key, up.Version, 1, filled(1, 2000))
	p2 := o.begin(bucket, key, up.Version, 2, filled(2, 2000))
	for _, p := range []part{p1, p2} {
		if err := o.finish(bucket, key, up.Version, p); err != nil {
			t.Fatal(err)
		}
	}
	a := o.submit(object.CompleteMultipart{Bucket: bucket, Key: key, UploadID: up.Version, MinPartSize: 1,
		Parts: []object.CompletedPart{{Number: 1, ETag: md5Hex(p1.data)}}})
	b := o.submit(object.CompleteMultipart{Bucket: bucket, Key: key, UploadID: up.Version, MinPartSize: 1,
		Parts: []object.CompletedPart{{Number: 2, ETag: md5Hex(p2.data)}}})
	_, errA := o.wait(a)
	_, errB := o.wait(b)
	if !errors.Is(errA, object.ErrCompleteConflict) || !errors.Is(errB, object.ErrCompleteConflict) {
		t.Fatalf("concurrent completions answered %v and %v", errA, errB)
	}
	if obj := o.must(object.Get{Bucket: bucket, Key: key}).(object.Object); obj.Found {
		t.Fatalf("a conflicting completion completed the object: %+v", obj)
	}
	_, err := o.do(object.CompleteMultipart{Bucket: bucket, Key: key, UploadID: up.Version, MinPartSize: 1,
		Parts: []object.CompletedPart{{Number: 1, ETag: md5Hex(p1.data)}}})
	if !errors.Is(err, object.ErrCompleteConflict) {
		t.Fatalf("completing after the conflict: %v", err)
	}
	o.must(object.AbortMultipart{Bucket: bucket, Key: key, UploadID: up.Version})
	o.tick(5 * time.Second)
	if len(o.disk) != 0 {
		t.Fatalf("%d blocks left after the abort", len(o.disk))
	}
	for _, h := range slices.Concat(p1.hashes, p2.hashes) {
		if rc := o.n.Blocks().RefCount(h); rc.Count != 0 {
			t.Fatalf("block %s still counted %d times", h, rc.Count)
		}
	}
}

// A part may not be begun or finished under another key or an upload that
// is no multipart upload, and part numbers and ETags are checked.
func TestPartsAreChecked(t *testing.T) {
	o := newOneNode(t)
	bucket := model.BucketID{3}
	up := o.must(object.CreateMultipart{Bucket: bucket, Key: "k", UploadID: o.id()}).(object.Written)
	plain := o.id()
	o.must(object.PutBegin{Bucket: bucket, Key: "plain", Version: plain})
	for _, c := range []struct {
		key  string
		id   model.VersionID
		n    uint32
		want error
	}{
		{"other", up.Version, 1, object.ErrNoSuchUpload},
		{"plain", plain, 1, object.ErrNoSuchUpload},
		{"k", up.Version, 0, object.ErrInvalidPartNumber},
		{"k", up.Version, object.MaxPartNumber + 1, object.ErrInvalidPartNumber},
	} {
		_, err := o.do(object.PutPartBegin{Bucket: bucket, Key: c.key, UploadID: c.id, Part: c.n, Version: o.id()})
		if !errors.Is(err, c.want) || !errors.Is(err, object.ErrNotWritten) {
			t.Errorf("part %d of %s under %q: %v, want %v", c.n, c.id, c.key, err, c.want)
		}
	}
	p := o.begin(bucket, "k", up.Version, 1, filled(4, 10))
	_, err := o.do(object.PutPartComplete{Bucket: bucket, Key: "k", UploadID: up.Version, Part: 1, Version: p.version, Timestamp: p.ts, ETag: "nothex", Size: 10})
	if !errors.Is(err, object.ErrNotWritten) {
		t.Errorf("a part with a bad ETag: %v", err)
	}
	// Finishing a part of an upload never created: refused, nothing kept.
	ghost := o.id()
	_, err = o.do(object.PutPartComplete{Bucket: bucket, Key: "k", UploadID: ghost, Part: 1, Version: p.version, Timestamp: p.ts, ETag: md5Hex(p.data), Size: 10, Blocks: p.hashes})
	if !errors.Is(err, object.ErrNoSuchUpload) {
		t.Errorf("a part of an unknown upload: %v", err)
	}
	if _, err := o.do(object.ListParts{Bucket: bucket, Key: "k", UploadID: ghost}); !errors.Is(err, object.ErrNoSuchUpload) {
		t.Errorf("parts of an unknown upload: %v", err)
	}
	// The uploads listed are the multipart ones in progress.
	ul := o.must(object.ListMultipartUploads{Bucket: bucket}).(object.UploadList)
	if len(ul.Uploads) != 1 || ul.Uploads[0].UploadID != up.Version || ul.Uploads[0].Key != "k" {
		t.Errorf("uploads: %+v", ul)
	}
}

// finishWith completes a part upload recording its checksum in algo.
func (o *oneNode) finishWith(bucket model.BucketID, key string, upload model.VersionID, p part, algo checksum.Algorithm) error {
	_, err := o.do(object.PutPartComplete{Bucket: bucket, Key: key, UploadID: upload, Part: p.number, Version: p.version,
		Timestamp: p.ts, ETag: md5Hex(p.data), Size: uint64(len(p.data)), Blocks: p.hashes, Checksum: checksum.Encode(algo.Sum(p.data))})
	return err
}

// An upload's object checksum is combined from its parts' (FULL_OBJECT:
// the CRC of the whole object; COMPOSITE: the digest of the digests), the
// completion's statements are checked against it, and each part keeps its
// own checksum for reads of that part.
func TestMultipartChecksums(t *testing.T) {
	bucket := model.BucketID{4}
	datas := [][]byte{filled(1, 3000), filled(2, 2000), filled(3, 1000)}
	for _, spec := range []checksum.Spec{{Algorithm: checksum.CRC32, Type: checksum.FullObject}, {Algorithm: checksum.CRC64NVME, Type: checksum.FullObject},
		{Algorithm: checksum.SHA256, Type: checksum.Composite}, {Algorithm: checksum.CRC32C, Type: checksum.Composite}, {}} {
		t.Run(spec.Algorithm.String()+"-"+spec.Type.String(), func(t *testing.T) {
			o := newOneNode(t)
			key := "k"
			eff := spec.Effective()
			up := o.must(object.CreateMultipart{Bucket: bucket, Key: key, UploadID: o.id(), Checksum: spec}).(object.Written)
			var parts []part
			for i, d := range datas {
				p := o.begin(bucket, key, up.Version, uint32(i+1), d)
				if err := o.finishWith(bucket, key, up.Version, p, eff.Algorithm); err != nil {
					t.Fatal(err)
				}
				parts = append(parts, p)
			}
			l := o.must(object.ListParts{Bucket: bucket, Key: key, UploadID: up.Version}).(object.PartList)
			if l.Checksum != spec || len(l.Parts) != 3 || l.Parts[1].Checksum != checksum.Encode(eff.Algorithm.Sum(datas[1])) {
				t.Fatalf("list parts %+v", l)
			}
			listed := func(with bool) []object.CompletedPart {
				var out []object.CompletedPart
				for _, p := range parts {
					cp := object.CompletedPart{Number: p.number, ETag: md5Hex(p.data)}
					if with {
						cp.ChecksumAlgorithm, cp.Checksum = eff.Algorithm, checksum.Encode(eff.Algorithm.Sum(p.data))
					}
					out = append(out, cp)
				}
				return out
			}
			whole := slices.Concat(datas...)
			var want string
			if eff.Type == checksum.FullObject {
				want = checksum.Encode(eff.Algorithm.Sum(whole))
			} else {
				h := eff.Algorithm.New()
				for _, d := range datas {
					h.Write(eff.Algorithm.Sum(d))
				}
				want = checksum.Encode(h.Sum(nil)) + "-3"
			}
			complete := func(mod func(*object.CompleteMultipart)) error {
				op := object.CompleteMultipart{Bucket: bucket, Key: key, UploadID: up.Version, Parts: listed(true), MinPartSize: 1000}
				mod(&op)
				_, err := o.do(op)
				return err
			}
			refused := func(what string, want error, mod func(*object.CompleteMultipart)) {
				t.Helper()
				if err := complete(mod); !errors.Is(err, want) {
					t.Fatalf("%s: %v, want %v", what, err, want)
				}
			}
			other := checksum.SHA1
			if eff.Algorithm == other {
				other = checksum.CRC32
			}
			if spec.Algorithm.Valid() {
				refused("a part's checksum missing", object.ErrChecksumRequest, func(op *object.CompleteMultipart) {
					op.Parts[1].ChecksumAlgorithm, op.Parts[1].Checksum = checksum.None, ""
				})
				refused("parts not numbered 1, 2, 3", object.ErrInvalidPartOrder, func(op *object.CompleteMultipart) { op.Parts = op.Parts[1:] })
				refused("a part's checksum of another algorithm", object.ErrBadDigest, func(op *object.CompleteMultipart) {
					op.Parts[0].ChecksumAlgorithm, op.Parts[0].Checksum = other, checksum.Encode(other.Sum(datas[0]))
				})
			}
			refused("a wrong part checksum", object.ErrInvalidPart, func(op *object.CompleteMultipart) {
				op.Parts[2].Checksum = checksum.Encode(eff.Algorithm.Sum(datas[0]))
			})
			otherType := checksum.Composite
			if eff.Type == checksum.Composite {
				otherType = checksum.FullObject
			}
			refused("another checksum type", object.ErrChecksumRequest, func(op *object.CompleteMultipart) { op.ChecksumType = otherType })
			refused("a wrong object checksum", object.ErrBadDigest, func(op *object.CompleteMultipart) {
				op.Checksum = object.ObjectChecksum{Algorithm: eff.Algorithm, Value: checksum.Encode(eff.Algorithm.Sum(datas[0]))}
			})
			refused("an object checksum of another algorithm", object.ErrChecksumRequest, func(op *object.CompleteMultipart) {
				op.Checksum = object.ObjectChecksum{Algorithm: other, Value: checksum.Encode(other.Sum(whole))}
			})
			refused("a wrong object size", object.ErrObjectSize, func(op *object.CompleteMultipart) { n := uint64(len(whole) - 1); op.Size = &n })

			stated := strings.TrimSuffix(want, "-3") // a composite checksum may come without its part count
			done := complete(func(op *object.CompleteMultipart) {
				n := uint64(len(whole))
				op.Size, op.ChecksumType, op.Checksum = &n, eff.Type, object.ObjectChecksum{Algorithm: eff.Algorithm, Value: stated}
				if !spec.Algorithm.Valid() {
					op.Parts = listed(false)
				}
			})
			if done != nil {
				t.Fatalf("complete: %v", done)
			}
			obj, got := o.read(bucket, key)
			if !bytes.Equal(got, whole) {
				t.Fatal("data")
			}
			hv := func(name string) string {
				for _, h := range obj.Meta.Headers {
					if h.Name == name {
						return h.Value
					}
				}
				return ""
			}
			if hv(eff.Algorithm.Header()) != want || hv("x-amz-checksum-type") != eff.Type.String() {
				t.Fatalf("headers %+v, want %s %s", obj.Meta.Headers, want, eff.Type)
			}
			if len(obj.Parts) != 3 || obj.Parts[2].Checksum != checksum.Encode(eff.Algorithm.Sum(datas[2])) {
				t.Fatalf("parts %+v", obj.Parts)
			}
		})
	}
}
