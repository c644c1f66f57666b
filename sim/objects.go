package sim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
)

// The object workload stores objects in one bucket. Each put writes a
// unique value: its id ("c3-17") heads the content, which is otherwise
// filler drawn from the id, and travels as user metadata, so a read can
// prove the bytes it got are exactly the bytes written (or report them as a
// phantom value when they are not).
const valueHeader = "x-amz-meta-sim-value"

// objectTask is a task that records itself in the history.
type objectTask interface {
	task
	describe(h *checker.Op)
}

// content is the deterministic body of a value of the given size.
func content(value string, size int) []byte {
	head := value + "|" + strconv.Itoa(size) + "|"
	if size < len(head) {
		size = len(head)
	}
	b := make([]byte, size)
	copy(b, head)
	f := fnv.New64a()
	f.Write([]byte(value))
	r := rand.New(rand.NewPCG(f.Sum64(), 7))
	for i := len(head); i < size; i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], r.Uint64())
		copy(b[i:], w[:])
	}
	return b
}

// valueOf names the value a body holds, or reports it as corrupt.
func valueOf(body []byte) string {
	parts := strings.SplitN(string(body[:min(len(body), 64)]), "|", 3)
	if len(parts) == 3 {
		if size, err := strconv.Atoi(parts[1]); err == nil && bytes.Equal(content(parts[0], size), body) {
			return parts[0]
		}
	}
	return fmt.Sprintf("corrupt:%x", cluster.Sum(body))
}

// objectStamp orders object versions as the object table does.
func objectStamp(ts uint64, id model.VersionID) checker.Stamp {
	return checker.Stamp(object.Stamp(ts, id))
}

func (s *Sim) versionID() model.VersionID {
	var id model.VersionID
	binary.BigEndian.PutUint64(id[:8], s.rng.Uint64())
	binary.BigEndian.PutUint64(id[8:], s.rng.Uint64())
	return id
}

// randomObjectTask draws an object operation: 40% puts, 35% gets, 10%
// deletes, 15% listings.
func (s *Sim) randomObjectTask(c *client) task {
	key := s.objectKeys[s.rng.IntN(len(s.objectKeys))]
	if s.opts.CopyShare > 0 && s.rng.IntN(100) < s.opts.CopyShare {
		return s.newCopy(key, s.objectKeys[s.rng.IntN(len(s.objectKeys))])
	}
	if s.opts.Versioned && s.rng.IntN(100) < s.opts.VersionShare {
		return s.randomVersionTask(key)
	}
	switch r := s.rng.IntN(100); {
	case r < 40:
		size := 100 + s.rng.IntN(model.InlineThreshold-200) // inline
		if s.rng.IntN(3) > 0 {
			size = model.InlineThreshold + s.rng.IntN(5*s.opts.BlockSize) // 1 to 6 blocks
		}
		value := fmt.Sprintf("c%d-%d", c.idx, c.issued)
		if s.opts.MultipartShare > 0 && s.rng.IntN(100) < s.opts.MultipartShare {
			return s.newMultipart(key, value, size)
		}
		return s.newPut(key, value, size)
	case r < 75:
		return &getObject{sim: s, key: key}
	case r < 85:
		return s.newDelete(key)
	default:
		start := ""
		if s.rng.IntN(2) == 0 {
			start = key
		}
		return listObjects{bucket: s.bucket, start: start, limit: s.opts.RangeLimit}
	}
}

// putObject writes a value: inline when small, else begin, one request per
// block, complete.
type putObject struct {
	sim      *Sim
	key      string
	value    string
	body     []byte
	version  model.VersionID
	ts       uint64
	next     int // next block to write
	hashes   []cluster.Hash
	complete bool // PutComplete was sent: the outcome is no longer certain
	locked   bool // written under an object lock (see lockShare)
}

// lockShare is the percentage of a versioned run's puts that lock their
// version with a COMPLIANCE retention outlasting the run, which the core
// must keep whatever deletions by id ask (the checker's locked-kept).
const lockShare = 20

// lockedForever is the retention of a locked put: COMPLIANCE until long
// after any run ends.
var lockedForever = string(model.Retention{Mode: model.Compliance, Until: 1 << 62}.Encode())

func (s *Sim) newPut(key, value string, size int) *putObject {
	t := &putObject{sim: s, key: key, value: value, body: content(value, size), version: s.versionID()}
	t.locked = s.opts.Versioned && s.rng.IntN(100) < lockShare
	s.noteVersion(key, t.version)
	return t
}

func (t *putObject) meta() model.ObjectMeta {
	headers := []model.Header{{Name: valueHeader, Value: t.value}}
	if t.locked {
		headers = append(headers, model.Header{Name: model.HeaderRetention, Value: lockedForever})
	}
	return model.ObjectMeta{Size: uint64(len(t.body)), ETag: fmt.Sprintf("%x", cluster.Sum(t.body))[:32], Headers: headers}
}

func (t *putObject) describe(h *checker.Op) {
	h.Kind, h.Key, h.Value = checker.Put, checker.Key{Partition: t.sim.bucket.String(), Sort: t.key}, t.value
	h.Version, h.Locked = t.sim.historyVersion(t.version), t.locked
}

func (t *putObject) first() node.Op {
	v := t.sim.opts.Versioned
	if len(t.body) < model.InlineThreshold {
		t.complete = true
		return object.PutInline{Bucket: t.sim.bucket, Key: t.key, Version: t.version, Meta: t.meta(), Data: t.body, Versioned: v}
	}
	return object.PutBegin{Bucket: t.sim.bucket, Key: t.key, Version: t.version, Meta: t.meta(), Versioned: v}
}

func (t *putObject) advance(r node.Reply, op *checker.Op) node.Op {
	if t.complete {
		w := r.Result.(object.Written)
		op.Stamp, op.Outcome = objectStamp(w.Timestamp, w.Version), checker.OK
		return nil
	}
	if w, ok := r.Result.(object.Written); ok && t.ts == 0 {
		t.ts = w.Timestamp
	}
	if put, ok := t.sim.blockPut(t.key, t.version, 1, t.body, t.next); ok {
		t.hashes = append(t.hashes, put.Hash)
		t.next++
		return put
	}
	t.complete = true
	return object.PutComplete{Bucket: t.sim.bucket, Key: t.key, Version: t.version, Timestamp: t.ts, Meta: t.meta(),
		FirstBlock: t.hashes[0], Blocks: t.hashes, Versioned: t.sim.opts.Versioned}
}

// blockPut is the PutBlock for the i-th block of data (a whole object, or a
// part of a multipart upload), or false past its end.
func (s *Sim) blockPut(key string, version model.VersionID, part uint32, data []byte, i int) (object.PutBlock, bool) {
	bs := s.opts.BlockSize
	off := i * bs
	if off >= len(data) {
		return object.PutBlock{}, false
	}
	chunk := data[off:min(off+bs, len(data))]
	return object.PutBlock{Bucket: s.bucket, Key: key, Version: version, Part: part, Offset: uint64(off),
		Hash: cluster.Sum(chunk), Size: uint64(len(chunk)), Data: chunk}, true
}

func (t *putObject) abandon(err error, op *checker.Op) node.Op {
	if t.complete {
		op.Outcome = checker.Unknown // the version may or may not have become visible
		return nil
	}
	// Nothing visible was written: an uploading version is never read.
	op.Outcome = checker.Failed
	if t.ts != 0 {
		return object.PutAbort{Bucket: t.sim.bucket, Key: t.key, Version: t.version, Timestamp: t.ts, Versioned: t.sim.opts.Versioned}
	}
	return nil
}

// getObject reads an object (its current version, or the one version
// names), then its blocks one by one, and checks the bytes.
type getObject struct {
	sim     *Sim
	key     string
	version model.VersionRef
	result  object.Object
	body    []byte
	next    int
}

func (t *getObject) describe(h *checker.Op) {
	h.Kind, h.Key = checker.Get, checker.Key{Partition: t.sim.bucket.String(), Sort: t.key}
	if t.version.Set {
		h.Version = t.version.ID.String()
	}
}

func (t *getObject) first() node.Op {
	return object.Get{Bucket: t.sim.bucket, Key: t.key, Version: t.version}
}

func (t *getObject) advance(r node.Reply, op *checker.Op) node.Op {
	switch res := r.Result.(type) {
	case object.Object:
		t.result = res
		t.body = append([]byte(nil), res.Inline...)
	case object.Block:
		t.body = append(t.body, res.Data...)
	}
	if t.result.Found && t.next < len(t.result.Blocks) {
		b := t.result.Blocks[t.next]
		t.next++
		return object.GetBlock{Hash: b.Hash}
	}
	op.Outcome = checker.OK
	op.Stamp = objectStamp(t.result.Timestamp, t.result.Version)
	if t.version.Set && (t.result.Found || t.result.Marker) {
		t.sim.stats.VersionReadsFound++
	}
	if t.result.Found {
		op.Found, op.Value = true, valueOf(t.body)
		if meta := headerValue(t.result.Meta, valueHeader); meta != op.Value {
			op.Value = fmt.Sprintf("mismatch:%s/%s", meta, op.Value) // content and metadata disagree
		}
	}
	return nil
}

func (t *getObject) abandon(err error, op *checker.Op) node.Op {
	op.Outcome = checker.Failed
	return nil
}

func headerValue(m model.ObjectMeta, name string) string {
	for _, h := range m.Headers {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}

// deleteObject writes a delete marker.
type deleteObject struct {
	bucket    model.BucketID
	key       string
	version   model.VersionID
	versioned bool   // the marker stays beside the other versions
	id        string // the marker's version id in the history ("" unversioned)
}

func (s *Sim) newDelete(key string) deleteObject {
	t := deleteObject{bucket: s.bucket, key: key, version: s.versionID(), versioned: s.opts.Versioned}
	t.id = s.historyVersion(t.version)
	s.noteVersion(key, t.version)
	return t
}

func (t deleteObject) describe(h *checker.Op) {
	h.Kind, h.Key, h.Version = checker.Delete, checker.Key{Partition: t.bucket.String(), Sort: t.key}, t.id
}

func (t deleteObject) first() node.Op {
	return object.Delete{Bucket: t.bucket, Key: t.key, Version: t.version, Versioned: t.versioned}
}

func (t deleteObject) advance(r node.Reply, op *checker.Op) node.Op {
	w := r.Result.(object.Written)
	op.Stamp, op.Outcome = objectStamp(w.Timestamp, w.Version), checker.OK
	return nil
}

func (t deleteObject) abandon(err error, op *checker.Op) node.Op {
	if errors.Is(err, object.ErrNotWritten) {
		op.Outcome = checker.Failed
	} else {
		op.Outcome = checker.Unknown
	}
	return nil
}

// listObjects lists the bucket.
type listObjects struct {
	bucket model.BucketID
	start  string
	limit  int
}

func (t listObjects) describe(h *checker.Op) {
	h.Kind, h.Key = checker.Range, checker.Key{Partition: t.bucket.String()}
	h.Start, h.Limit = t.start, t.limit
}

func (t listObjects) first() node.Op {
	return object.List{Bucket: t.bucket, Start: t.start, Limit: t.limit}
}

func (t listObjects) advance(r node.Reply, op *checker.Op) node.Op {
	l := r.Result.(object.Listing)
	op.More, op.Next, op.Outcome = l.More, l.Next, checker.OK
	for _, e := range l.Entries {
		op.Entries = append(op.Entries, checker.Entry{Sort: e.Key, Value: headerValue(e.Meta, valueHeader), Stamp: objectStamp(e.Timestamp, e.Version)})
	}
	return nil
}

func (t listObjects) abandon(err error, op *checker.Op) node.Op {
	op.Outcome = checker.Failed
	return nil
}
