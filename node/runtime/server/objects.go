package server

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/blockstore"
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

// PutObject stores the object read from r under key, with the given headers,
// and returns its version and metadata (size, ETag = MD5 of the content).
func (s *Server) PutObject(ctx context.Context, bucket model.BucketID, key string, headers []model.Header, r io.Reader) (object.Written, model.ObjectMeta, error) {
	meta := model.ObjectMeta{Headers: headers}
	md5sum := md5.New()
	first := make([]byte, s.cfg.BlockSize)
	n, err := io.ReadFull(r, first)
	first = first[:n]
	md5sum.Write(first)
	if (err == io.EOF || err == io.ErrUnexpectedEOF) && n < model.InlineThreshold {
		meta.Size, meta.ETag = uint64(n), hex.EncodeToString(md5sum.Sum(nil))
		res, err := s.Do(ctx, object.PutInline{Bucket: bucket, Key: key, Version: newVersionID(), Meta: meta, Data: first})
		if err != nil {
			return object.Written{}, meta, err
		}
		return res.(object.Written), meta, nil
	}
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return object.Written{}, meta, fmt.Errorf("read object body: %w", err)
	}
	version := newVersionID()
	res, err := s.Do(ctx, object.PutBegin{Bucket: bucket, Key: key, Version: version, Meta: meta})
	if err != nil {
		return object.Written{}, meta, err
	}
	begun := res.(object.Written)
	hashes, size, err := s.putBlocks(ctx, bucket, key, version, first, r, md5sum)
	if err != nil {
		// Abandon the version; its blocks are collected by the cascade.
		abort, cancel := context.WithTimeout(context.Background(), adminTimeout)
		defer cancel()
		s.Do(abort, object.PutAbort{Bucket: bucket, Key: key, Version: version, Timestamp: begun.Timestamp}) //nolint:errcheck // best effort
		return object.Written{}, meta, err
	}
	meta.Size, meta.ETag = size, hex.EncodeToString(md5sum.Sum(nil))
	res, err = s.Do(ctx, object.PutComplete{Bucket: bucket, Key: key, Version: version, Timestamp: begun.Timestamp,
		Meta: meta, FirstBlock: hashes[0], Blocks: hashes})
	if err != nil {
		return object.Written{}, meta, err
	}
	return res.(object.Written), meta, nil
}

// putBlocks writes the body block by block, putWindow at a time.
func (s *Server) putBlocks(ctx context.Context, bucket model.BucketID, key string, version model.VersionID, first []byte, r io.Reader, md5sum io.Writer) ([]cluster.Hash, uint64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slots := make(chan struct{}, putWindow)
	errs := make(chan error, 1)
	failed := func(err error) {
		select {
		case errs <- err:
		default:
		}
		cancel()
	}
	var hashes []cluster.Hash
	var offset uint64
	pending := 0
	done := make(chan struct{}, 1024)
	chunk, eof := first, false
	for len(chunk) > 0 {
		h := blockstore.Sum(chunk)
		hashes = append(hashes, h)
		op := object.PutBlock{Bucket: bucket, Key: key, Version: version, Part: 1, Offset: offset, Hash: h, Size: uint64(len(chunk)), Data: chunk}
		if lvl := s.cfg.CompressionLevel; lvl != nil {
			if z, err := blockstore.Compress(chunk, *lvl); err == nil {
				op.Data, op.Compressed = z, true
			}
		}
		offset += uint64(len(chunk))
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		pending++
		go func() {
			defer func() { <-slots; done <- struct{}{} }()
			if _, err := s.Do(ctx, op); err != nil {
				failed(fmt.Errorf("block at offset %d: %w", op.Offset, err))
			}
		}()
		if eof {
			break
		}
		next := make([]byte, s.cfg.BlockSize) // a fresh buffer: the node may still hold the last one
		n, err := io.ReadFull(r, next)
		chunk = next[:n]
		md5sum.Write(chunk)
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			eof = true
		case err != nil:
			failed(fmt.Errorf("read object body: %w", err))
			chunk = nil
		}
	}
	for range pending {
		<-done
	}
	select {
	case err := <-errs:
		return nil, 0, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	return hashes, offset, nil
}

// ErrNoSuchObject reports a key with no live version.
var ErrNoSuchObject = errors.New("no such object")

// GetObject writes the object's content to w and returns its metadata.
func (s *Server) GetObject(ctx context.Context, bucket model.BucketID, key string, w io.Writer) (object.Object, error) {
	res, err := s.Do(ctx, object.Get{Bucket: bucket, Key: key})
	if err != nil {
		return object.Object{}, err
	}
	obj := res.(object.Object)
	if !obj.Found {
		return obj, ErrNoSuchObject
	}
	if obj.Blocks == nil {
		_, err := w.Write(obj.Inline)
		return obj, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ahead := make(chan chan fetched, getWindow)
	go func() {
		defer close(ahead)
		for _, b := range obj.Blocks {
			ch := make(chan fetched, 1)
			select {
			case ahead <- ch:
			case <-ctx.Done():
				return
			}
			go func(b model.VersionBlock) {
				ch <- s.fetchBlock(ctx, b)
			}(b)
		}
	}()
	for ch := range ahead {
		f := <-ch
		if f.err != nil {
			return obj, f.err
		}
		if _, err := w.Write(f.data); err != nil {
			return obj, err
		}
	}
	return obj, ctx.Err()
}

// fetched is a block read ahead, or why it could not be.
type fetched struct {
	data []byte
	err  error
}

// fetchBlock reads one block, decompresses it and checks its hash, so a
// corrupt copy is never returned as object data.
func (s *Server) fetchBlock(ctx context.Context, b model.VersionBlock) fetched {
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
	return fetched{data: data}
}
