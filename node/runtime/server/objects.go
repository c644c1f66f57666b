package server

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/blockstore"
	"github.com/garagego/garage/node/s3/sse"
)

// Objects stream through the node in bounded memory: a put reads one
// block at a time and keeps at most putWindow blocks in flight (each hashed,
// and compressed if configured, on the caller's goroutine — never on the
// loop); a get fetches at most getWindow blocks ahead of what it writes.
const (
	putWindow = 3
	getWindow = 2
)

func newVersionID() model.VersionID {
	var id model.VersionID
	if _, err := rand.Read(id[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return id
}

// BodyCheck runs once a whole body has been read and before anything
// becomes visible. It may complete meta (checksums a streamed body sends in
// its trailer) or refuse the body (a digest that does not match): nothing is
// then written, and the error is returned as is.
type BodyCheck func(meta *model.ObjectMeta) error

// PutObject stores the object read from r under key, with the given headers,
// and returns its version and metadata (size, ETag = MD5 of the content).
func (s *Server) PutObject(ctx context.Context, bucket model.BucketID, key string, headers []model.Header, r io.Reader) (object.Written, model.ObjectMeta, error) {
	return s.PutObjectChecked(ctx, bucket, key, headers, r, nil)
}

// PutObjectChecked is PutObject with a check of the body (nil: none) run
// before the object is committed.
func (s *Server) PutObjectChecked(ctx context.Context, bucket model.BucketID, key string, headers []model.Header, r io.Reader, check BodyCheck) (object.Written, model.ObjectMeta, error) {
	return s.PutObjectWith(ctx, bucket, key, headers, r, PutOptions{Check: check})
}

// PutOptions are what a put may add to PutObject; each may be nil.
type PutOptions struct {
	// Check runs once the body is read, before the object is committed.
	Check BodyCheck
	// Seal seals the object's data: every block, and an inline body, is
	// written sealed, never in plaintext. The version's block list keeps
	// the plaintext sizes; the MD5 the check sees is the plaintext's.
	Seal Sealer
	// Cond is judged by the core as the object commits (see
	// object.Condition); a refused put stores nothing.
	Cond *object.Condition
	// Versioned: the bucket's versioning is enabled (the new version stays
	// beside the others).
	Versioned bool
}

// WriteOptions are the options of a copy or a delete: the condition
// judged as it commits (nil: none), and whether the bucket's versioning is
// enabled.
type WriteOptions struct {
	Cond      *object.Condition
	Versioned bool
}

// PutObjectWith is PutObject with options.
func (s *Server) PutObjectWith(ctx context.Context, bucket model.BucketID, key string, headers []model.Header, r io.Reader, opts PutOptions) (object.Written, model.ObjectMeta, error) {
	check, seal, cond := opts.Check, opts.Seal, opts.Cond
	meta := model.ObjectMeta{Headers: headers}
	md5sum := md5.New()
	// A body shorter than this goes inline: sealed, it must still be.
	inline := model.InlineThreshold
	if seal != nil {
		inline -= sse.Overhead
	}
	first := make([]byte, inline)
	n, err := io.ReadFull(r, first)
	first = first[:n]
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		md5sum.Write(first)
		meta.Size, meta.ETag = uint64(n), hex.EncodeToString(md5sum.Sum(nil))
		if check != nil {
			if err := check(&meta); err != nil {
				return object.Written{}, meta, err
			}
		}
		data := first
		if seal != nil {
			if data, err = seal.Seal(sse.InlinePart, 0, first); err != nil {
				return object.Written{}, meta, fmt.Errorf("seal the object: %w", err)
			}
		}
		res, err := s.Do(ctx, object.PutInline{Bucket: bucket, Key: key, Version: newVersionID(), Meta: meta, Data: data, Cond: cond, Versioned: opts.Versioned})
		if err != nil {
			return object.Written{}, meta, err
		}
		return res.(object.Written), meta, nil
	}
	if err != nil {
		return object.Written{}, meta, fmt.Errorf("read object body: %w", err)
	}
	version := newVersionID()
	res, err := s.Do(ctx, object.PutBegin{Bucket: bucket, Key: key, Version: version, Meta: meta, Versioned: opts.Versioned})
	if err != nil {
		return object.Written{}, meta, err
	}
	begun := res.(object.Written)
	if plantedAckBeforeBlocks {
		go s.finishPut(context.Background(), bucket, key, version, begun, meta, io.MultiReader(bytes.NewReader(first), r), md5sum, opts) //nolint:errcheck // the planted bug drops the outcome
		return begun, meta, nil
	}
	return s.finishPut(ctx, bucket, key, version, begun, meta, io.MultiReader(bytes.NewReader(first), r), md5sum, opts)
}

// finishPut streams a begun version's blocks, checks the body and
// completes the version, or abandons it.
func (s *Server) finishPut(ctx context.Context, bucket model.BucketID, key string, version model.VersionID, begun object.Written,
	meta model.ObjectMeta, r io.Reader, md5sum hash.Hash, opts PutOptions) (object.Written, model.ObjectMeta, error) {
	check, cond := opts.Check, opts.Cond
	hashes, size, err := s.streamBlocks(ctx, bucket, key, version, 1, r, md5sum, opts.Seal)
	if err == nil {
		meta.Size, meta.ETag = size, hex.EncodeToString(md5sum.Sum(nil))
		if check != nil {
			err = check(&meta)
		}
	}
	if err != nil {
		// Abandon the version; its blocks are collected by the cascade.
		abort, cancel := context.WithTimeout(context.Background(), adminTimeout)
		defer cancel()
		s.Do(abort, object.PutAbort{Bucket: bucket, Key: key, Version: version, Timestamp: begun.Timestamp, Blocks: hashes, Versioned: opts.Versioned}) //nolint:errcheck // best effort
		return object.Written{}, meta, err
	}
	res, err := s.Do(ctx, object.PutComplete{Bucket: bucket, Key: key, Version: version, Timestamp: begun.Timestamp,
		Meta: meta, FirstBlock: hashes[0], Blocks: hashes, Cond: cond, Versioned: opts.Versioned})
	if err != nil {
		return object.Written{}, meta, err
	}
	return res.(object.Written), meta, nil
}

// ErrNoSuchObject reports a key with no live version.
var ErrNoSuchObject = errors.New("no such object")

// GetObject writes the object's content to w and returns its metadata.
func (s *Server) GetObject(ctx context.Context, bucket model.BucketID, key string, w io.Writer) (object.Object, error) {
	obj, err := s.HeadObject(ctx, bucket, key)
	if err != nil {
		return obj, err
	}
	return obj, s.ReadObject(ctx, obj, 0, obj.Meta.Size, w)
}

// HeadObject reads the object's current version: its metadata and where
// its data is. ErrNoSuchObject if it has none.
func (s *Server) HeadObject(ctx context.Context, bucket model.BucketID, key string) (object.Object, error) {
	return s.HeadObjectVersion(ctx, bucket, key, model.VersionRef{})
}

// HeadObjectVersion is HeadObject of the version ref names (the current
// one if none). ErrNoSuchObject if there is no such version, or it is a
// delete marker (then the result says so: Marker).
func (s *Server) HeadObjectVersion(ctx context.Context, bucket model.BucketID, key string, ref model.VersionRef) (object.Object, error) {
	res, err := s.Do(ctx, object.Get{Bucket: bucket, Key: key, Version: ref})
	if err != nil {
		return object.Object{}, err
	}
	obj := res.(object.Object)
	if !obj.Found {
		return obj, ErrNoSuchObject
	}
	return obj, nil
}

// ReadObject writes bytes [from, to) of obj's content to w, fetching only
// the blocks that hold them, getWindow blocks ahead of what it writes.
func (s *Server) ReadObject(ctx context.Context, obj object.Object, from, to uint64, w io.Writer) error {
	return s.ReadObjectSealed(ctx, obj, from, to, w, nil)
}

// ReadObjectSealed is ReadObject for an object whose data seal sealed
// (nil: plaintext); each block is opened, and so authenticated, before any
// of it is written.
func (s *Server) ReadObjectSealed(ctx context.Context, obj object.Object, from, to uint64, w io.Writer, seal Sealer) error {
	to = min(to, obj.Meta.Size)
	if from >= to {
		return nil
	}
	if obj.Blocks == nil {
		inline := obj.Inline
		if seal != nil {
			var err error
			if inline, err = seal.Open(sse.InlinePart, 0, obj.Inline); err != nil {
				return fmt.Errorf("open the inline object: %w", err)
			}
		}
		_, err := w.Write(inline[from:min(to, uint64(len(inline)))])
		return err
	}
	// span is one block with the slice of it to write.
	type span struct {
		block  model.VersionBlock
		lo, hi uint64
	}
	var spans []span
	var at uint64
	for _, b := range obj.Blocks {
		if at < to && at+b.Size > from {
			spans = append(spans, span{b, max(from, at) - at, min(to, at+b.Size) - at})
		}
		at += b.Size
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ahead := make(chan chan fetched, getWindow)
	go func() {
		defer close(ahead)
		for _, sp := range spans {
			ch := make(chan fetched, 1)
			select {
			case ahead <- ch:
			case <-ctx.Done():
				return
			}
			go func(b model.VersionBlock) {
				ch <- s.fetchBlock(ctx, b, seal)
			}(sp.block)
		}
	}()
	i := 0
	for ch := range ahead {
		f := <-ch
		if f.err != nil {
			return f.err
		}
		sp := spans[i]
		i++
		if uint64(len(f.data)) < sp.hi {
			return fmt.Errorf("block %s: %d bytes, the version lists %d", sp.block.Hash, len(f.data), sp.block.Size)
		}
		if _, err := w.Write(f.data[sp.lo:sp.hi]); err != nil {
			return err
		}
	}
	if i < len(spans) {
		return ctx.Err()
	}
	return nil
}

// fetched is a block read ahead, or why it could not be.
type fetched struct {
	data []byte
	err  error
}

// fetchBlock reads one block, decompresses it and checks its hash, so a
// corrupt copy is never returned as object data; a sealed block's hash is
// of what is stored, and opening it authenticates its plaintext.
func (s *Server) fetchBlock(ctx context.Context, b model.VersionBlock, seal Sealer) fetched {
	res, err := s.Do(ctx, object.GetBlock{Hash: b.Hash})
	if err != nil {
		return fetched{err: err}
	}
	blk := res.(object.Block)
	data := blk.Data
	if blk.Compressed {
		if data, err = blockstore.Decompress(blk.Data); err != nil {
			return fetched{err: fmt.Errorf("block %s: %w", b.Hash, err)}
		}
	}
	if blockstore.Sum(data) != b.Hash {
		return fetched{err: fmt.Errorf("block %s: content does not match its hash", b.Hash)}
	}
	if seal != nil {
		if data, err = seal.Open(b.Part, b.Offset, data); err != nil {
			return fetched{err: fmt.Errorf("block %s: %w", b.Hash, err)}
		}
	}
	return fetched{data: data}
}

// CopyObject stores a new version of key with src's data and the given
// headers, sharing src's blocks instead of moving its bytes.
func (s *Server) CopyObject(ctx context.Context, bucket model.BucketID, key string, src object.Object, headers []model.Header) (object.Written, model.ObjectMeta, error) {
	return s.CopyObjectWith(ctx, bucket, key, src, headers, WriteOptions{})
}

// CopyObjectWith is CopyObject with options; the condition is on the
// destination.
func (s *Server) CopyObjectWith(ctx context.Context, bucket model.BucketID, key string, src object.Object, headers []model.Header, opts WriteOptions) (object.Written, model.ObjectMeta, error) {
	meta := model.ObjectMeta{Size: src.Meta.Size, ETag: src.Meta.ETag, Headers: headers}
	res, err := s.Do(ctx, object.CopyObject{Bucket: bucket, Key: key, Version: newVersionID(), Source: src, Meta: meta, Cond: opts.Cond, Versioned: opts.Versioned})
	if err != nil {
		return object.Written{}, meta, err
	}
	return res.(object.Written), meta, nil
}

// DeleteObject writes a delete marker for key and returns it.
func (s *Server) DeleteObject(ctx context.Context, bucket model.BucketID, key string) (object.Written, error) {
	return s.DeleteObjectWith(ctx, bucket, key, WriteOptions{})
}

// DeleteObjectWith is DeleteObject with options.
func (s *Server) DeleteObjectWith(ctx context.Context, bucket model.BucketID, key string, opts WriteOptions) (object.Written, error) {
	res, err := s.Do(ctx, object.Delete{Bucket: bucket, Key: key, Version: newVersionID(), Cond: opts.Cond, Versioned: opts.Versioned})
	if err != nil {
		return object.Written{}, err
	}
	return res.(object.Written), nil
}

// DeleteObjectVersion removes the version ref names for good (see
// object.DeleteVersion).
func (s *Server) DeleteObjectVersion(ctx context.Context, bucket model.BucketID, key string, ref model.VersionRef) (object.VersionDeleted, error) {
	res, err := s.Do(ctx, object.DeleteVersion{Bucket: bucket, Key: key, Version: ref})
	if err != nil {
		return object.VersionDeleted{}, err
	}
	return res.(object.VersionDeleted), nil
}

// SetObjectAttr sets a mutable attribute of the version ref names (the
// current one if none), in place (see object.SetAttr).
func (s *Server) SetObjectAttr(ctx context.Context, bucket model.BucketID, key string, ref model.VersionRef, name string, value []byte) (model.ObjectVersion, error) {
	res, err := s.Do(ctx, object.SetAttr{Bucket: bucket, Key: key, Version: ref, Name: name, Value: value})
	if err != nil {
		return model.ObjectVersion{}, err
	}
	return res.(object.AttrSet).Version, nil
}

// ListObjectVersions reads one page of a bucket's versions (see
// object.ListVersions).
func (s *Server) ListObjectVersions(ctx context.Context, op object.ListVersions) (object.VersionListing, error) {
	res, err := s.Do(ctx, op)
	if err != nil {
		return object.VersionListing{}, err
	}
	return res.(object.VersionListing), nil
}
