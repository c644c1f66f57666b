package sim

import (
	"errors"
	"fmt"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
)

// copyObject copies an object to another key the two ways S3 does: whole
// (CopyObject: the new version shares the source's blocks, with
// references of its own) or by ranged parts (UploadPartCopy: a multipart
// upload whose parts are byte ranges of the source, read and written
// anew). It is recorded as a put of the source's value on the
// destination, so the checker holds the copy to the source's bytes as they
// were when it was copied, for as long as nothing overwrites it: in
// particular once the source is deleted (which the copy is often followed
// by) and its blocks' grace period has passed. A copy that forgot its own
// block references would lose its data then.
type copyObject struct {
	sim      *Sim
	src, dst string
	byParts  bool
	version  model.VersionID

	source object.Object
	body   []byte // the source's bytes, read for a copy by parts
	next   int    // next source block to read
	copied bool   // CopyObject sent: the outcome is no longer certain
	parts  *multipartPut
	// deleteSource asks for the source to be deleted right after.
	deleteSource bool
}

func (s *Sim) newCopy(src, dst string) *copyObject {
	t := &copyObject{sim: s, src: src, dst: dst, byParts: s.rng.IntN(3) == 0, version: s.versionID(), deleteSource: s.rng.IntN(2) == 0}
	s.noteVersion(dst, t.version)
	return t
}

func (t *copyObject) describe(h *checker.Op) {
	// The value is the source's, known once it is read; until then a name
	// of its own, which a copy that never wrote anything keeps.
	h.Kind, h.Key = checker.Put, checker.Key{Partition: t.sim.bucket.String(), Sort: t.dst}
	h.Value, h.Copy = fmt.Sprintf("copy-%s-of-%s", t.version, t.src), true
	h.Version = t.sim.historyVersion(t.version)
}

func (t *copyObject) first() node.Op { return object.Get{Bucket: t.sim.bucket, Key: t.src} }

func (t *copyObject) advance(r node.Reply, op *checker.Op) node.Op {
	switch {
	case t.parts != nil:
		return t.parts.advance(r, op)
	case t.copied:
		w := r.Result.(object.Written)
		op.Stamp, op.Outcome = objectStamp(w.Timestamp, w.Version), checker.OK
		return nil
	}
	switch res := r.Result.(type) {
	case object.Object:
		if !res.Found {
			op.Outcome = checker.Failed // no source: nothing was written
			t.sim.stats.CopiesOfNothing++
			return nil
		}
		t.source = res
		t.body = append([]byte(nil), res.Inline...)
		op.Value = headerValue(res.Meta, valueHeader)
		if !t.byParts {
			t.copied = true
			return object.CopyObject{Bucket: t.sim.bucket, Key: t.dst, Version: t.version, Source: res, Meta: res.Meta, Versioned: t.sim.opts.Versioned}
		}
	case object.Block:
		t.body = append(t.body, res.Data...)
	}
	if t.next < len(t.source.Blocks) {
		b := t.source.Blocks[t.next]
		t.next++
		return object.GetBlock{Hash: b.Hash}
	}
	// The whole source is read: write it back as ranges, part by part.
	if value := valueOf(t.body); value != op.Value {
		op.Value = fmt.Sprintf("mismatch:%s/%s", op.Value, value) // what was read is not what the metadata says
	}
	t.parts = t.sim.newMultipartOf(t.dst, op.Value, t.body)
	if t.sim.opts.Versioned {
		t.parts.upload = t.version // the version the history recorded for the copy
	}
	return t.parts.first()
}

func (t *copyObject) abandon(err error, op *checker.Op) node.Op {
	switch {
	case t.parts != nil:
		return t.parts.abandon(err, op)
	case t.copied && !errors.Is(err, object.ErrNotWritten):
		op.Outcome = checker.Unknown
	default:
		op.Outcome = checker.Failed // still reading the source
	}
	return nil
}

// followUp is the delete of the source a successful copy may ask for.
func (t *copyObject) followUp(op checker.Op) task {
	if !t.deleteSource || op.Outcome != checker.OK {
		return nil
	}
	return t.sim.newDelete(t.src)
}

func (t *copyObject) String() string {
	return fmt.Sprintf("copy %s -> %s (parts %v)", t.src, t.dst, t.byParts)
}
