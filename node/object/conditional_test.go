package object_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/rpc"
)

// stepper drives a oneNode one message or disk operation at a time, so that
// a test can start an operation at any point of another's progress.
type stepper struct {
	o       *oneNode
	msgs    []rpc.Message
	ios     []block.IORequest
	replies map[uint64]node.Reply
}

func newStepper(o *oneNode) *stepper { return &stepper{o: o, replies: map[uint64]node.Reply{}} }

func (s *stepper) collect() {
	for s.o.n.HasReady() {
		rd := s.o.n.Ready()
		for _, r := range rd.Replies {
			s.replies[r.ID] = r
		}
		s.msgs = append(s.msgs, rd.Messages...)
		s.ios = append(s.ios, rd.IO...)
	}
}

// step delivers the oldest pending message, else the oldest disk
// operation; false when nothing is pending.
func (s *stepper) step() bool {
	s.collect()
	o := s.o
	switch {
	case len(s.msgs) > 0:
		m := s.msgs[0]
		s.msgs = s.msgs[1:]
		o.now += cluster.Time(time.Microsecond)
		o.n.Step(o.now, m)
	case len(s.ios) > 0:
		req := s.ios[0]
		s.ios = s.ios[1:]
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
		}
		o.n.Complete(o.now, res)
	default:
		return false
	}
	s.collect()
	return true
}

func (s *stepper) submit(op node.Op) uint64 {
	s.o.nextReq++
	s.o.n.Submit(s.o.now, node.Request{ID: s.o.nextReq, Op: op})
	s.collect()
	return s.o.nextReq
}

// run steps until nothing is pending, then returns the replies of ids.
func (s *stepper) run(t *testing.T, ids ...uint64) []node.Reply {
	t.Helper()
	for i := 0; s.step(); i++ {
		if i > 100000 {
			t.Fatal("no quiescence")
		}
	}
	out := make([]node.Reply, len(ids))
	for i, id := range ids {
		r, ok := s.replies[id]
		if !ok {
			t.Fatalf("no reply to request %d", id)
		}
		out[i] = r
	}
	return out
}

// steps counts how many steps op takes alone, on a fresh node set up by
// setup.
func steps(t *testing.T, setup func(*stepper), op func(*stepper) node.Op) int {
	s := newStepper(newOneNode(t))
	setup(s)
	s.submit(op(s))
	n := 0
	for s.step() {
		n++
	}
	return n
}

// valueOf reads the key's current data ("" when there is none).
func valueOf(o *oneNode, bucket model.BucketID, key string) string {
	res, err := o.do(object.Get{Bucket: bucket, Key: key})
	if err != nil {
		return "error: " + err.Error()
	}
	obj := res.(object.Object)
	if !obj.Found {
		return ""
	}
	_, data := o.read(bucket, key)
	return string(data)
}

var condBucket = model.BucketID{3}

// blockPut is an unconditional put of a value large enough for blocks,
// begun and with its blocks written: only its PutComplete is left.
type blockPut struct {
	version model.VersionID
	ts      uint64
	data    []byte
	hashes  []cluster.Hash
}

func beginBlockPut(s *stepper, key string, data []byte) blockPut {
	o := s.o
	p := blockPut{version: o.id(), data: data}
	id := s.submit(object.PutBegin{Bucket: condBucket, Key: key, Version: p.version})
	p.ts = s.run(o.t, id)[0].Result.(object.Written).Timestamp
	h := cluster.Sum(data)
	p.hashes = []cluster.Hash{h}
	id = s.submit(object.PutBlock{Bucket: condBucket, Key: key, Version: p.version, Part: 1, Hash: h, Size: uint64(len(data)), Data: data})
	if r := s.run(o.t, id)[0]; r.Err != nil {
		o.t.Fatal(r.Err)
	}
	return p
}

func (p blockPut) complete(key string) object.PutComplete {
	return object.PutComplete{Bucket: condBucket, Key: key, Version: p.version, Timestamp: p.ts,
		Meta: model.ObjectMeta{Size: uint64(len(p.data)), ETag: md5Hex(p.data)}, FirstBlock: p.hashes[0], Blocks: p.hashes}
}

func bigValue(c byte) []byte {
	return []byte(fmt.Sprintf("%c", c) + string(filled(c, model.InlineThreshold+100)))
}

// A conditional create (If-None-Match: *) of a key, and an unconditional
// put of the same key that began before it and completes while it commits,
// started at every step of the conditional one: never may both succeed with
// the conditional write's value left, which would mean the conditional
// write overwrote a write it never judged.
func TestConditionalCreateAgainstACommittingPut(t *testing.T) {
	const key = "race"
	setup := func(s *stepper) {}
	cond := func(s *stepper) node.Op {
		return object.PutInline{Bucket: condBucket, Key: key, Version: s.o.id(), Data: []byte("conditional"),
			Meta: model.ObjectMeta{Size: 11, ETag: md5Hex([]byte("conditional"))}, Cond: &object.Condition{IfNoneMatch: true}}
	}
	total := steps(t, setup, cond)
	outcomes := map[string]int{}
	for k := 0; k <= total; k++ {
		s := newStepper(newOneNode(t))
		setup(s)
		x := beginBlockPut(s, key, bigValue('x'))
		w := s.submit(cond(s))
		for range k {
			s.step()
		}
		xr := s.submit(x.complete(key))
		r := s.run(t, w, xr)
		final := valueOf(s.o, condBucket, key)
		wOK, xOK := r[0].Err == nil, r[1].Err == nil
		outcome := fmt.Sprintf("cond %v, put %v, final %q", errName(r[0].Err), errName(r[1].Err), clip(final))
		outcomes[outcome]++
		switch {
		case wOK && xOK && final != string(x.data):
			t.Fatalf("k=%d: both succeeded and the conditional write superseded the put it never judged (%s)", k, outcome)
		case wOK && !xOK && !errors.Is(r[1].Err, object.ErrConditionalConflict) && !errors.Is(r[1].Err, object.ErrOutcomeUnknown):
			t.Fatalf("k=%d: the put failed otherwise: %v", k, r[1].Err)
		case !wOK && !errors.Is(r[0].Err, object.ErrPreconditionFailed) && !errors.Is(r[0].Err, object.ErrConditionalConflict):
			t.Fatalf("k=%d: the conditional write failed otherwise: %v", k, r[0].Err)
		case wOK && errors.Is(r[1].Err, object.ErrConditionalConflict) && final != "conditional":
			t.Fatalf("k=%d: the put answered a conflict but its value is there (%s)", k, outcome)
		case !wOK && xOK && final != string(x.data):
			t.Fatalf("k=%d: the put succeeded alone but its value is not there (%s)", k, outcome)
		}
	}
	t.Logf("%d interleavings: %v", total+1, outcomes)
	if len(outcomes) < 2 {
		t.Errorf("every interleaving ended alike (%v): the race was not exercised", outcomes)
	}
}

// Two conditional creates of one key, the second started at every step of
// the first: at most one succeeds.
func TestConditionalCreatesExcludeEachOther(t *testing.T) {
	const key = "both"
	mk := func(s *stepper, v string) node.Op {
		return object.PutInline{Bucket: condBucket, Key: key, Version: s.o.id(), Data: []byte(v),
			Meta: model.ObjectMeta{Size: uint64(len(v)), ETag: md5Hex([]byte(v))}, Cond: &object.Condition{IfNoneMatch: true}}
	}
	total := steps(t, func(*stepper) {}, func(s *stepper) node.Op { return mk(s, "a") })
	wins := 0
	for k := 0; k <= total; k++ {
		s := newStepper(newOneNode(t))
		a := s.submit(mk(s, "a"))
		for range k {
			s.step()
		}
		b := s.submit(mk(s, "b"))
		r := s.run(t, a, b)
		if r[0].Err == nil && r[1].Err == nil {
			t.Fatalf("k=%d: both conditional creates succeeded", k)
		}
		for i, v := range []string{"a", "b"} {
			if r[i].Err == nil {
				wins++
				if got := valueOf(s.o, condBucket, key); got != v {
					t.Fatalf("k=%d: %s succeeded, the key holds %q", k, v, got)
				}
			} else if !errors.Is(r[i].Err, object.ErrPreconditionFailed) && !errors.Is(r[i].Err, object.ErrConditionalConflict) {
				t.Fatalf("k=%d: %s: %v", k, v, r[i].Err)
			}
		}
	}
	if wins == 0 {
		t.Fatal("no interleaving let one of them succeed")
	}
}

// A conditional delete (If-Match the current ETag) and a put begun before
// it that completes while it commits: if both succeed, the put's value must
// be what remains.
func TestConditionalDeleteAgainstACommittingPut(t *testing.T) {
	const key = "del"
	first := []byte("first version")
	setup := func(s *stepper) {
		id := s.submit(object.PutInline{Bucket: condBucket, Key: key, Version: s.o.id(), Data: first, Meta: model.ObjectMeta{Size: uint64(len(first)), ETag: md5Hex(first)}})
		if r := s.run(s.o.t, id)[0]; r.Err != nil {
			s.o.t.Fatal(r.Err)
		}
	}
	del := func(s *stepper) node.Op {
		return object.Delete{Bucket: condBucket, Key: key, Version: s.o.id(), Cond: &object.Condition{IfMatch: `"` + md5Hex(first) + `"`}}
	}
	total := steps(t, setup, del)
	outcomes := map[string]int{}
	for k := 0; k <= total; k++ {
		s := newStepper(newOneNode(t))
		setup(s)
		x := beginBlockPut(s, key, bigValue('y'))
		w := s.submit(del(s))
		for range k {
			s.step()
		}
		xr := s.submit(x.complete(key))
		r := s.run(t, w, xr)
		final := valueOf(s.o, condBucket, key)
		outcomes[fmt.Sprintf("delete %v, put %v, final %q", errName(r[0].Err), errName(r[1].Err), clip(final))]++
		if r[0].Err == nil && r[1].Err == nil && final != string(x.data) {
			t.Fatalf("k=%d: delete and put both succeeded, the key holds %q", k, clip(final))
		}
		if r[0].Err != nil && r[1].Err == nil && final != string(x.data) {
			t.Fatalf("k=%d: the delete failed (%v), the put succeeded, the key holds %q", k, r[0].Err, clip(final))
		}
	}
	t.Logf("%d interleavings: %v", total+1, outcomes)
}

// The conditions themselves, one write at a time.
func TestConditionsJudged(t *testing.T) {
	o := newOneNode(t)
	const key = "c"
	put := func(data string, cond *object.Condition) error {
		_, err := o.do(object.PutInline{Bucket: condBucket, Key: key, Version: o.id(), Data: []byte(data),
			Meta: model.ObjectMeta{Size: uint64(len(data)), ETag: md5Hex([]byte(data))}, Cond: cond})
		return err
	}
	del := func(cond *object.Condition) error {
		_, err := o.do(object.Delete{Bucket: condBucket, Key: key, Version: o.id(), Cond: cond})
		return err
	}
	size := func(n uint64) *uint64 { return &n }
	secs := func(n int64) *int64 { return &n }
	mustIs := func(what string, err, want error) {
		t.Helper()
		if want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Fatalf("%s: %v, want %v", what, err, want)
		}
	}
	mustIs("If-Match on a missing key", put("a", &object.Condition{IfMatch: md5Hex([]byte("zz"))}), object.ErrConditionNoObject)
	mustIs("If-Match * on a missing key", put("a", &object.Condition{IfMatch: "*"}), object.ErrConditionNoObject)
	mustIs("delete If-Match on a missing key", del(&object.Condition{IfMatch: "*"}), object.ErrConditionNoObject)
	mustIs("delete with a size on a missing key", del(&object.Condition{IfMatchSize: size(3)}), nil)
	mustIs("create", put("aaa", &object.Condition{IfNoneMatch: true}), nil)
	mustIs("create again", put("bbb", &object.Condition{IfNoneMatch: true}), object.ErrPreconditionFailed)
	mustIs("If-Match another ETag", put("bbb", &object.Condition{IfMatch: `"` + md5Hex([]byte("zzz")) + `"`}), object.ErrPreconditionFailed)
	mustIs("If-Match a list holding the ETag", put("bbb", &object.Condition{IfMatch: `"x", "` + md5Hex([]byte("aaa")) + `"`}), nil)
	if got := valueOf(o, condBucket, key); got != "bbb" {
		t.Fatalf("value %q", got)
	}
	mustIs("delete, wrong size", del(&object.Condition{IfMatchSize: size(4)}), object.ErrPreconditionFailed)
	obj := o.must(object.Get{Bucket: condBucket, Key: key}).(object.Object)
	mustIs("delete, wrong time", del(&object.Condition{IfMatchModified: secs(int64(obj.Timestamp/1000) - 1)}), object.ErrPreconditionFailed)
	mustIs("delete, everything right", del(&object.Condition{IfMatch: md5Hex([]byte("bbb")), IfMatchSize: size(3), IfMatchModified: secs(int64(obj.Timestamp / 1000))}), nil)
	if got := valueOf(o, condBucket, key); got != "" {
		t.Fatalf("after the delete: %q", got)
	}
	mustIs("create after the delete", put("ccc", &object.Condition{IfNoneMatch: true}), nil)
	// A refused write leaves nothing: the key still holds the last value.
	mustIs("refused", put("ddd", &object.Condition{IfNoneMatch: true}), object.ErrPreconditionFailed)
	if got := valueOf(o, condBucket, key); got != "ccc" {
		t.Fatalf("after a refused write: %q", got)
	}
}

// A put whose blocks uploaded while a conditional create committed: the
// create never judged it, so the put cannot claim success under it.
func TestPutSupersededByAConditionalWriteConflicts(t *testing.T) {
	s := newStepper(newOneNode(t))
	const key = "slow"
	x := beginBlockPut(s, key, bigValue('z'))
	w := s.submit(object.PutInline{Bucket: condBucket, Key: key, Version: s.o.id(), Data: []byte("w"),
		Meta: model.ObjectMeta{Size: 1, ETag: md5Hex([]byte("w"))}, Cond: &object.Condition{IfNoneMatch: true}})
	if r := s.run(t, w)[0]; r.Err != nil {
		t.Fatalf("the conditional create: %v", r.Err)
	}
	xr := s.submit(x.complete(key))
	r := s.run(t, xr)[0]
	if !errors.Is(r.Err, object.ErrConditionalConflict) || !errors.Is(r.Err, object.ErrNotWritten) {
		t.Fatalf("the slow put: %v, want a conflict that wrote nothing", r.Err)
	}
	if got := valueOf(s.o, condBucket, key); got != "w" {
		t.Fatalf("the key holds %q", clip(got))
	}
}

func errName(err error) string {
	for _, e := range []error{object.ErrPreconditionFailed, object.ErrConditionalConflict, object.ErrConditionNoObject, object.ErrOutcomeUnknown} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	if err != nil {
		return err.Error()
	}
	return "ok"
}

func clip(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}
