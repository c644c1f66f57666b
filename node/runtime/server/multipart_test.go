package server

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/blockstore"
	"github.com/garagego/garage/node/runtime/transport"
)

const (
	mpuBlockSize = 16 << 10
	mpuMinPart   = 20 << 10
)

// mpuNodes starts three nodes cutting 16 KiB blocks and collecting
// unreferenced blocks after a second, and connects every pair of them.
// (threeNodes bootstraps the second and third node from the first only;
// they may learn of each other by the first's periodic gossip only, 30 s
// later, and until then a block held by all three cannot be collected,
// since collection asks every other holder first.)
func mpuNodes(t *testing.T) ([]*Server, model.BucketID) {
	servers, bucket := threeNodes(t, func(c *Config) {
		c.BlockSize = mpuBlockSize
		c.Node.Block.GCDelay = time.Second
		c.Node.Block.ErrorBackoff = 200 * time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, a := range servers {
		for _, b := range servers {
			if a != b {
				if err := a.tr.Connect(ctx, transport.Peer{ID: b.ID(), Addr: b.RPCAddr()}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return servers, bucket
}

func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	(&pseudoRandom{r: rand.New(rand.NewPCG(seed, 7))}).Read(b)
	return b
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// blocksOf cuts data as the server does and hashes each block.
func blocksOf(data []byte) []cluster.Hash {
	var out []cluster.Hash
	for len(data) > 0 {
		n := min(len(data), mpuBlockSize)
		out = append(out, blockstore.Sum(data[:n]))
		data = data[n:]
	}
	return out
}

// s3ETag computes a multipart ETag independently of the object package.
func s3ETag(parts ...[]byte) string {
	var cat []byte
	for _, p := range parts {
		s := md5.Sum(p)
		cat = append(cat, s[:]...)
	}
	return fmt.Sprintf("%x-%d", md5.Sum(cat), len(parts))
}

func putPart(t *testing.T, s *Server, bucket model.BucketID, key string, upload model.VersionID, n uint32, data []byte) string {
	t.Helper()
	etag, size, err := s.PutPart(context.Background(), bucket, key, upload, n, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("put part %d: %v", n, err)
	}
	if etag != md5Hex(data) || size != uint64(len(data)) {
		t.Fatalf("part %d: etag %s size %d, want %s and %d", n, etag, size, md5Hex(data), len(data))
	}
	return etag
}

func mustFail(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", what, err, want)
	}
}

// refsSettled waits until every node counts want references to each block
// and, if want is 0, no node keeps a live reference or the block itself
// (it was collected); with want > 0, the block must stay on every node and
// its live references be exactly those of the versions live.
func refsSettled(t *testing.T, servers []*Server, what string, hashes []cluster.Hash, want uint64, live ...model.VersionID) {
	t.Helper()
	var wantLive []string
	for _, v := range live {
		wantLive = append(wantLive, v.String())
	}
	slices.Sort(wantLive)
	var last string
	ok := func() bool {
		for _, h := range hashes {
			for i, s := range servers {
				info := do(t, s, admin.GetBlockInfo{Hash: h.String()}).(admin.BlockInfo)
				var gotLive []string
				for _, r := range info.References {
					if !r.Deleted {
						gotLive = append(gotLive, r.Version)
					}
				}
				slices.Sort(gotLive)
				present, _, _, err := s.blocks.Stat(h)
				if err != nil {
					t.Fatal(err)
				}
				if info.RefCount != want || !slices.Equal(gotLive, wantLive) || present != (want > 0) {
					last = fmt.Sprintf("block %s on node %d: count %d, live references %v, on disk %v (queued %v, zero since %q, error %+v)",
						h, i, info.RefCount, gotLive, present, info.Queued, info.ZeroSince, info.Error)
					return false
				}
			}
		}
		return true
	}
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMultipartUploadAcrossNodes(t *testing.T) {
	servers, bucket := mpuNodes(t)
	ctx := context.Background()
	const key = "mp/object"

	// An object already there stays visible until the upload completes.
	old := randomBytes(100, 40_000)
	if _, _, err := servers[0].PutObject(ctx, bucket, key, nil, bytes.NewReader(old)); err != nil {
		t.Fatal(err)
	}
	up, err := servers[0].CreateMultipart(ctx, bucket, key, []model.Header{{Name: "content-type", Value: "application/x-test"}})
	if err != nil {
		t.Fatal(err)
	}
	id := up.Version
	other, err := servers[1].CreateMultipart(ctx, bucket, "mp/other", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := servers[1].CreateMultipart(ctx, bucket, "zz", nil); err != nil {
		t.Fatal(err)
	}

	p1 := randomBytes(1, 2*mpuBlockSize+100) // 3 blocks
	p2a := randomBytes(2, 33_000)            // replaced by p2b
	p2b := randomBytes(3, 36_000)
	p3 := randomBytes(4, 3*mpuBlockSize) // exactly 3 blocks; not used
	p4 := randomBytes(5, 5_000)          // smaller than the minimum
	p5 := randomBytes(6, 20_480)         // not used
	e1 := putPart(t, servers[1], bucket, key, id, 1, p1)
	e2a := putPart(t, servers[2], bucket, key, id, 2, p2a)
	e2b := putPart(t, servers[0], bucket, key, id, 2, p2b)
	e3 := putPart(t, servers[1], bucket, key, id, 3, p3)
	e4 := putPart(t, servers[2], bucket, key, id, 4, p4)
	e5 := putPart(t, servers[0], bucket, key, id, 5, p5)
	if _, _, err := servers[0].PutPart(ctx, bucket, key, id, 0, bytes.NewReader(p4)); !errors.Is(err, object.ErrInvalidPartNumber) {
		t.Fatalf("part 0: %v, want ErrInvalidPartNumber", err)
	}

	// Parts: the latest upload of each number, paged.
	l := do(t, servers[2], object.ListParts{Bucket: bucket, Key: key, UploadID: id}).(object.PartList)
	want := []struct {
		n    uint32
		etag string
		size int
	}{{1, e1, len(p1)}, {2, e2b, len(p2b)}, {3, e3, len(p3)}, {4, e4, len(p4)}, {5, e5, len(p5)}}
	if len(l.Parts) != len(want) || l.More {
		t.Fatalf("parts: %+v", l)
	}
	for i, w := range want {
		if p := l.Parts[i]; p.Number != w.n || p.ETag != w.etag || p.Size != uint64(w.size) || p.Timestamp == 0 {
			t.Fatalf("part %d listed as %+v, want %+v", w.n, p, w)
		}
	}
	page := do(t, servers[1], object.ListParts{Bucket: bucket, Key: key, UploadID: id, Limit: 2}).(object.PartList)
	if len(page.Parts) != 2 || !page.More || page.Next != 2 {
		t.Fatalf("first page of parts: %+v", page)
	}
	page = do(t, servers[1], object.ListParts{Bucket: bucket, Key: key, UploadID: id, After: page.Next}).(object.PartList)
	if len(page.Parts) != 3 || page.More || page.Parts[0].Number != 3 {
		t.Fatalf("second page of parts: %+v", page)
	}

	// Uploads in progress under a prefix.
	ul := do(t, servers[2], object.ListMultipartUploads{Bucket: bucket, Prefix: "mp/"}).(object.UploadList)
	if len(ul.Uploads) != 2 || ul.Uploads[0].Key != key || ul.Uploads[0].UploadID != id || ul.Uploads[0].Timestamp != up.Timestamp ||
		ul.Uploads[1].Key != "mp/other" || ul.Uploads[1].UploadID != other.Version {
		t.Fatalf("uploads under mp/: %+v", ul)
	}

	var got bytes.Buffer
	if _, err := servers[2].GetObject(ctx, bucket, key, &got); err != nil || !bytes.Equal(got.Bytes(), old) {
		t.Fatalf("the object before completion: %v (%d bytes)", err, got.Len())
	}

	// Each way a completion is refused.
	complete := func(via int, parts ...object.CompletedPart) (object.Completed, error) {
		return servers[via].CompleteMultipart(ctx, object.CompleteMultipart{Bucket: bucket, Key: key, UploadID: id, Parts: parts, MinPartSize: mpuMinPart})
	}
	part := func(n uint32, etag string) object.CompletedPart { return object.CompletedPart{Number: n, ETag: etag} }
	_, err = complete(0, part(2, e2b), part(1, e1))
	mustFail(t, "parts out of order", err, object.ErrInvalidPartOrder)
	_, err = complete(0, part(1, e1), part(1, e1))
	mustFail(t, "a part twice", err, object.ErrInvalidPartOrder)
	_, err = complete(1, part(1, e1), part(2, e2a))
	mustFail(t, "the replaced upload's ETag", err, object.ErrInvalidPart)
	_, err = complete(1, part(1, e1), part(7, e1))
	mustFail(t, "a part never uploaded", err, object.ErrInvalidPart)
	_, err = complete(2, part(1, e1), part(4, e4), part(5, e5))
	mustFail(t, "a small part not last", err, object.ErrEntityTooSmall)
	_, err = complete(2)
	mustFail(t, "no parts", err, object.ErrEntityTooSmall)
	_, err = servers[0].CompleteMultipart(ctx, object.CompleteMultipart{Bucket: bucket, Key: key, UploadID: newVersionID(), Parts: []object.CompletedPart{part(1, e1)}})
	mustFail(t, "an unknown upload", err, object.ErrNoSuchUpload)
	_, err = servers[0].CompleteMultipart(ctx, object.CompleteMultipart{Bucket: bucket, Key: "mp/elsewhere", UploadID: id, Parts: []object.CompletedPart{part(1, e1)}})
	mustFail(t, "the upload under another key", err, object.ErrNoSuchUpload)

	// Complete with parts 1, 2 and 4 (3 and 5 and the first upload of 2 are
	// left out), the ETag quoted as S3 clients send it.
	done, err := complete(2, part(1, e1), part(2, `"`+e2b+`"`), part(4, e4))
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	body := slices.Concat(p1, p2b, p4)
	wantETag := s3ETag(p1, p2b, p4)
	if !regexp.MustCompile(`^[0-9a-f]{32}-3$`).MatchString(done.Meta.ETag) || done.Meta.ETag != wantETag {
		t.Fatalf("ETag %q, want %q", done.Meta.ETag, wantETag)
	}
	if done.Version != id || done.Timestamp != up.Timestamp || done.Meta.Size != uint64(len(body)) {
		t.Fatalf("completed as %+v", done)
	}
	got.Reset()
	obj, err := servers[1].GetObject(ctx, bucket, key, &got)
	if err != nil {
		t.Fatalf("read the completed object: %v", err)
	}
	if !bytes.Equal(got.Bytes(), body) {
		t.Fatalf("read back %d bytes, want %d, or they differ", got.Len(), len(body))
	}
	if obj.Version != id || obj.Meta.ETag != wantETag || obj.Meta.Size != uint64(len(body)) ||
		len(obj.Meta.Headers) != 1 || obj.Meta.Headers[0].Value != "application/x-test" {
		t.Fatalf("the completed object reads as %+v", obj.Meta)
	}
	for i, b := range obj.Blocks {
		if i > 0 && (b.Part < obj.Blocks[i-1].Part || b.Part == obj.Blocks[i-1].Part && b.Offset <= obj.Blocks[i-1].Offset) {
			t.Fatalf("blocks out of order: %+v", obj.Blocks)
		}
	}

	// Completing again with the same parts answers the same; with other
	// parts, or adding parts, the upload is no more.
	again, err := complete(0, part(1, e1), part(2, e2b), part(4, e4))
	if err != nil || again.Version != done.Version || again.Timestamp != done.Timestamp || again.Meta.ETag != done.Meta.ETag {
		t.Fatalf("completing again: %+v, %v; first %+v", again, err, done)
	}
	_, err = complete(1, part(1, e1), part(2, e2b))
	mustFail(t, "completing again with other parts", err, object.ErrNoSuchUpload)
	_, _, err = servers[1].PutPart(ctx, bucket, key, id, 6, bytes.NewReader(p4))
	mustFail(t, "a part after completion", err, object.ErrNoSuchUpload)
	_, err = servers[1].Do(ctx, object.ListParts{Bucket: bucket, Key: key, UploadID: id})
	mustFail(t, "parts after completion", err, object.ErrNoSuchUpload)
	mustFail(t, "abort after completion", servers[2].AbortMultipart(ctx, bucket, key, id), object.ErrNoSuchUpload)
	ul = do(t, servers[0], object.ListMultipartUploads{Bucket: bucket, Prefix: "mp/"}).(object.UploadList)
	if len(ul.Uploads) != 1 || ul.Uploads[0].UploadID != other.Version {
		t.Fatalf("uploads under mp/ after completion: %+v", ul)
	}
	got.Reset()
	if _, err := servers[0].GetObject(ctx, bucket, key, &got); err != nil || !bytes.Equal(got.Bytes(), body) {
		t.Fatalf("the object after a second completion: %v", err)
	}

	// The chosen parts' blocks are referenced by the object's version only;
	// the others' lost every reference and were collected.
	used := slices.Concat(blocksOf(p1), blocksOf(p2b), blocksOf(p4))
	unused := slices.Concat(blocksOf(p2a), blocksOf(p3), blocksOf(p5))
	refsSettled(t, servers, "the chosen parts' blocks", used, 1, id)
	refsSettled(t, servers, "the parts left out", unused, 0)
	got.Reset()
	if _, err := servers[2].GetObject(ctx, bucket, key, &got); err != nil || !bytes.Equal(got.Bytes(), body) {
		t.Fatalf("the object after collection: %v", err)
	}
}

func TestMultipartAbortReleasesParts(t *testing.T) {
	servers, bucket := mpuNodes(t)
	ctx := context.Background()
	const key = "ab/object"
	up, err := servers[0].CreateMultipart(ctx, bucket, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := up.Version
	p1a, p1b, p2 := randomBytes(11, 2*mpuBlockSize), randomBytes(12, 25_000), randomBytes(13, 40_000)
	putPart(t, servers[0], bucket, key, id, 1, p1a)
	putPart(t, servers[1], bucket, key, id, 2, p2)
	e1 := putPart(t, servers[2], bucket, key, id, 1, p1b)
	all := slices.Concat(blocksOf(p1a), blocksOf(p1b), blocksOf(p2))
	for _, h := range all {
		if info := do(t, servers[0], admin.GetBlockInfo{Hash: h.String()}).(admin.BlockInfo); len(info.References) != 1 || info.References[0].Deleted {
			t.Fatalf("block %s before the abort: %+v", h, info)
		}
	}

	if err := servers[2].AbortMultipart(ctx, bucket, key, id); err != nil {
		t.Fatal(err)
	}
	refsSettled(t, servers, "the aborted upload's blocks", all, 0)

	mustFail(t, "abort again", servers[1].AbortMultipart(ctx, bucket, key, id), object.ErrNoSuchUpload)
	_, _, err = servers[0].PutPart(ctx, bucket, key, id, 3, bytes.NewReader(p2))
	mustFail(t, "a part after the abort", err, object.ErrNoSuchUpload)
	_, err = servers[1].CompleteMultipart(ctx, object.CompleteMultipart{Bucket: bucket, Key: key, UploadID: id, Parts: []object.CompletedPart{{Number: 1, ETag: e1}}})
	mustFail(t, "complete after the abort", err, object.ErrNoSuchUpload)
	_, err = servers[2].Do(ctx, object.ListParts{Bucket: bucket, Key: key, UploadID: id})
	mustFail(t, "parts after the abort", err, object.ErrNoSuchUpload)
	if _, err := servers[0].GetObject(ctx, bucket, key, &bytes.Buffer{}); !errors.Is(err, ErrNoSuchObject) {
		t.Fatalf("get after the abort: %v", err)
	}
	if ul := do(t, servers[0], object.ListMultipartUploads{Bucket: bucket, Prefix: "ab/"}).(object.UploadList); len(ul.Uploads) != 0 {
		t.Fatalf("uploads after the abort: %+v", ul)
	}
}

// TestMultipartPartOutlivedByItsUpload: a part begun before the upload is
// aborted and finished after gets ErrNoSuchUpload, and its blocks, written
// after the upload's deletion dropped the part's version, lose their
// references all the same.
func TestMultipartPartOutlivedByItsUpload(t *testing.T) {
	servers, bucket := mpuNodes(t)
	ctx := context.Background()
	const key = "late"
	up, err := servers[0].CreateMultipart(ctx, bucket, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := up.Version
	version := newVersionID()
	begun := do(t, servers[1], object.PutPartBegin{Bucket: bucket, Key: key, UploadID: id, Part: 1, Version: version}).(object.PartBegun)
	if err := servers[2].AbortMultipart(ctx, bucket, key, id); err != nil {
		t.Fatal(err)
	}
	// Let the cascade run (the upload's deletion deletes the part's
	// version), so that the blocks below are listed in a deleted version.
	idle := func() bool {
		for _, s := range servers {
			if do(t, s, admin.ListWorkers{}).(admin.Workers).InsertQueue != 0 {
				return false
			}
		}
		return true
	}
	waitFor(t, "the cascade of the abort", func() bool {
		if !idle() {
			return false
		}
		time.Sleep(300 * time.Millisecond)
		return idle()
	})
	data := randomBytes(21, 2*mpuBlockSize)
	hashes := blocksOf(data)
	for i, h := range hashes {
		chunk := data[i*mpuBlockSize : (i+1)*mpuBlockSize]
		do(t, servers[1], object.PutBlock{Bucket: bucket, Key: key, Version: version, Part: 1, Offset: uint64(i * mpuBlockSize), Hash: h, Size: uint64(len(chunk)), Data: chunk})
	}
	_, err = servers[1].Do(ctx, object.PutPartComplete{Bucket: bucket, Key: key, UploadID: id, Part: 1, Version: version,
		Timestamp: begun.Timestamp, ETag: md5Hex(data), Size: uint64(len(data)), Blocks: hashes})
	mustFail(t, "finishing a part of an aborted upload", err, object.ErrNoSuchUpload)
	refsSettled(t, servers, "the late part's blocks", hashes, 0)
}
