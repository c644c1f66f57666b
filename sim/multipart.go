package sim

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
)

// multipartPut writes a value as an S3 multipart upload: create, then
// each part (begin, its blocks, complete), then complete the upload. It
// is recorded as one put: visible only once the completion is acknowledged.
type multipartPut struct {
	sim    *Sim
	key    string
	value  string
	body   []byte
	upload model.VersionID
	ts     uint64 // the upload's timestamp, from CreateMultipart
	parts  []*mpuPart
	cur    int  // part being written
	next   int  // next block of the current part
	done   bool // CompleteMultipart was sent: the outcome is no longer certain
}

// mpuPart is one part of the upload: a slice of the body with its own
// version.
type mpuPart struct {
	number  uint32
	data    []byte
	version model.VersionID
	ts      uint64
	hashes  []cluster.Hash
	begun   bool
}

func (s *Sim) newMultipart(key, value string, size int) *multipartPut {
	t := s.newMultipartOf(key, value, content(value, size))
	s.noteVersion(key, t.upload)
	return t
}

// newMultipartOf uploads body, split into one to three parts at arbitrary
// offsets (for a copy by parts, ranges of the source).
func (s *Sim) newMultipartOf(key, value string, body []byte) *multipartPut {
	t := &multipartPut{sim: s, key: key, value: value, body: body, upload: s.versionID()}
	n := 1 + s.rng.IntN(3)
	for i := range n {
		from, to := len(t.body)*i/n, len(t.body)*(i+1)/n
		t.parts = append(t.parts, &mpuPart{number: uint32(i + 1), data: t.body[from:to], version: s.versionID()})
	}
	return t
}

func (t *multipartPut) meta() model.ObjectMeta {
	return model.ObjectMeta{Headers: []model.Header{{Name: valueHeader, Value: t.value}}}
}

func (t *multipartPut) describe(h *checker.Op) {
	h.Kind, h.Key, h.Value = checker.Put, checker.Key{Partition: t.sim.bucket.String(), Sort: t.key}, t.value
	h.Version = t.sim.historyVersion(t.upload) // a completed upload's version is its upload id
}

func (t *multipartPut) first() node.Op {
	return object.CreateMultipart{Bucket: t.sim.bucket, Key: t.key, UploadID: t.upload, Meta: t.meta(), Versioned: t.sim.opts.Versioned}
}

func (t *multipartPut) advance(r node.Reply, op *checker.Op) node.Op {
	switch res := r.Result.(type) {
	case object.Completed:
		op.Stamp, op.Outcome = objectStamp(res.Timestamp, res.Version), checker.OK
		t.sim.stats.MultipartCompleted++
		return nil
	case object.Written:
		t.ts = res.Timestamp
	case object.PartBegun:
		t.parts[t.cur].ts = res.Timestamp
	}
	for t.cur < len(t.parts) {
		p := t.parts[t.cur]
		if !p.begun {
			p.begun = true
			return object.PutPartBegin{Bucket: t.sim.bucket, Key: t.key, UploadID: t.upload, Part: p.number, Version: p.version}
		}
		if put, ok := t.sim.blockPut(t.key, p.version, p.number, p.data, t.next); ok {
			p.hashes = append(p.hashes, put.Hash)
			t.next++
			return put
		}
		t.cur, t.next = t.cur+1, 0
		sum := md5.Sum(p.data)
		return object.PutPartComplete{Bucket: t.sim.bucket, Key: t.key, UploadID: t.upload, Part: p.number, Version: p.version,
			Timestamp: p.ts, ETag: hex.EncodeToString(sum[:]), Size: uint64(len(p.data)), Blocks: p.hashes}
	}
	t.done = true
	var parts []object.CompletedPart
	for _, p := range t.parts {
		sum := md5.Sum(p.data)
		parts = append(parts, object.CompletedPart{Number: p.number, ETag: hex.EncodeToString(sum[:])})
	}
	return object.CompleteMultipart{Bucket: t.sim.bucket, Key: t.key, UploadID: t.upload, Timestamp: t.ts, Parts: parts,
		Meta: t.meta(), MinPartSize: 1}
}

// abandon: before the completion, nothing is visible and the upload is
// aborted (its parts' blocks are then collected); after it, the outcome is
// unknown unless the node says nothing was written. An upload superseded
// by a newer version of its object ends (as in Garage), and is counted.
func (t *multipartPut) abandon(err error, op *checker.Op) node.Op {
	if errors.Is(err, object.ErrNoSuchUpload) {
		t.sim.stats.UploadsSuperseded++
	}
	if t.done && !errors.Is(err, object.ErrNotWritten) {
		op.Outcome = checker.Unknown
		return nil
	}
	op.Outcome = checker.Failed
	if t.done {
		return nil
	}
	if t.ts != 0 {
		return object.AbortMultipart{Bucket: t.sim.bucket, Key: t.key, UploadID: t.upload}
	}
	return nil
}

func (t *multipartPut) String() string { return fmt.Sprintf("multipart put %s=%s", t.key, t.value) }
