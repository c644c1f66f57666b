package server

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/blockstore"
)

// CreateMultipart starts a multipart upload of key with the given headers
// (applied when it completes) and returns it: Version is the upload id.
func (s *Server) CreateMultipart(ctx context.Context, bucket model.BucketID, key string, headers []model.Header) (object.Written, error) {
	return s.CreateMultipartWith(ctx, bucket, key, headers, checksum.Spec{}, false)
}

// CreateMultipartWith is CreateMultipart with the checksum algorithm and
// type the parts' checksums are computed in and combined by, and whether
// the bucket's versioning is enabled.
func (s *Server) CreateMultipartWith(ctx context.Context, bucket model.BucketID, key string, headers []model.Header, spec checksum.Spec, versioned bool) (object.Written, error) {
	res, err := s.Do(ctx, object.CreateMultipart{Bucket: bucket, Key: key, UploadID: newVersionID(), Meta: model.ObjectMeta{Headers: headers}, Checksum: spec, Versioned: versioned})
	if err != nil {
		return object.Written{}, err
	}
	return res.(object.Written), nil
}

// PutPart uploads part number part of an upload from r, in bounded memory
// (as PutObject: one block read at a time, putWindow in flight), and
// returns the part's ETag (hex MD5 of its content) and size. Uploading a
// part number again replaces the earlier upload when the upload completes.
// A part that fails is abandoned: its blocks lose their references.
func (s *Server) PutPart(ctx context.Context, bucket model.BucketID, key string, upload model.VersionID, part uint32, r io.Reader) (etag string, size uint64, err error) {
	return s.PutPartChecked(ctx, bucket, key, upload, part, r, nil)
}

// PutPartChecked is PutPart with a check of the body (nil: none) run before
// the part is recorded; the meta it is given holds the part's size and ETag.
// The part is recorded without a checksum.
func (s *Server) PutPartChecked(ctx context.Context, bucket model.BucketID, key string, upload model.VersionID, part uint32, r io.Reader, check BodyCheck) (etag string, size uint64, err error) {
	var partCheck PartCheck
	if check != nil {
		partCheck = func(meta *model.ObjectMeta) (string, error) { return "", check(meta) }
	}
	etag, size, _, err = s.PutPartWith(ctx, PartUpload{Bucket: bucket, Key: key, Upload: upload, Part: part, Body: r, Check: partCheck})
	return etag, size, err
}

// PartCheck checks a part's body once it has been read, before the part is
// recorded (an error abandons it, and is returned as is), and returns the
// part's checksum to record: base64, in the algorithm the upload's
// PartBegun names (its checksum.Spec.Effective one). It may replace the
// ETag it is given (the plaintext's MD5) with the one to record.
type PartCheck func(meta *model.ObjectMeta) (checksum string, err error)

// PartUpload is one part upload: where it goes, its body, how it is
// sealed, and the hooks the caller checks it with (each may be nil).
type PartUpload struct {
	Bucket model.BucketID
	Key    string
	Upload model.VersionID
	Part   uint32
	Body   io.Reader
	// Seal seals the part's blocks (nil: plaintext).
	Seal Sealer
	// Begun runs once the upload has accepted the part, before the body is
	// read; it learns the upload's checksum, and may refuse the part.
	Begun func(object.PartBegun) error
	Check PartCheck
}

// PutPartWith uploads a part (as PutPart) with the caller's hooks, and
// returns its ETag, size and recorded checksum.
func (s *Server) PutPartWith(ctx context.Context, p PartUpload) (etag string, size uint64, sum string, err error) {
	version := newVersionID()
	res, err := s.Do(ctx, object.PutPartBegin{Bucket: p.Bucket, Key: p.Key, UploadID: p.Upload, Part: p.Part, Version: version})
	if err != nil {
		return "", 0, "", err
	}
	begun := res.(object.PartBegun)
	abandon := func(hashes []cluster.Hash) {
		abort, cancel := context.WithTimeout(context.Background(), adminTimeout)
		defer cancel()
		s.Do(abort, object.PutPartAbort{Bucket: p.Bucket, Key: p.Key, Version: version, Blocks: hashes}) //nolint:errcheck // best effort
	}
	if p.Begun != nil {
		if err := p.Begun(begun); err != nil {
			abandon(nil)
			return "", 0, "", err
		}
	}
	md5sum := md5.New()
	hashes, size, err := s.streamBlocks(ctx, p.Bucket, p.Key, version, p.Part, p.Body, md5sum, p.Seal)
	etag = hex.EncodeToString(md5sum.Sum(nil))
	if err == nil && p.Check != nil {
		meta := model.ObjectMeta{Size: size, ETag: etag}
		sum, err = p.Check(&meta)
		etag = meta.ETag
	}
	if err != nil {
		abandon(hashes)
		return "", 0, "", err
	}
	_, err = s.Do(ctx, object.PutPartComplete{Bucket: p.Bucket, Key: p.Key, UploadID: p.Upload, Part: p.Part, Version: version,
		Timestamp: begun.Timestamp, ETag: etag, Size: size, Checksum: sum, Blocks: hashes})
	if err != nil {
		return "", 0, "", err
	}
	return etag, size, sum, nil
}

// CompleteMultipart completes an upload (see object.CompleteMultipart).
func (s *Server) CompleteMultipart(ctx context.Context, op object.CompleteMultipart) (object.Completed, error) {
	res, err := s.Do(ctx, op)
	if err != nil {
		return object.Completed{}, err
	}
	return res.(object.Completed), nil
}

// AbortMultipart abandons an upload; its parts' blocks lose their
// references and are collected.
func (s *Server) AbortMultipart(ctx context.Context, bucket model.BucketID, key string, upload model.VersionID) error {
	_, err := s.Do(ctx, object.AbortMultipart{Bucket: bucket, Key: key, UploadID: upload})
	return err
}

// streamBlocks writes r block by block into version as part number part,
// putWindow blocks at a time, each block read into a fresh buffer (the
// node may still hold the previous ones), hashed and compressed on the
// caller's goroutine. A sealed block is hashed as stored and never
// compressed (ciphertext does not compress, and compressing first would
// tell each block's compressibility by its size). It returns the hashes of
// every block it attempted, also on failure (so that their references can
// be dropped), and the (plaintext) size.
func (s *Server) streamBlocks(ctx context.Context, bucket model.BucketID, key string, version model.VersionID, part uint32, r io.Reader, sum hash.Hash, seal Sealer) ([]cluster.Hash, uint64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	slots := make(chan struct{}, putWindow)
	var hashes []cluster.Hash
	var offset uint64
	var spare []byte // a sealed block's plaintext buffer: only its sealed copy is kept
	for ctx.Err() == nil {
		buf := spare
		if buf == nil {
			buf = make([]byte, s.cfg.BlockSize)
		}
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			chunk := buf[:n]
			sum.Write(chunk)
			stored := chunk
			if seal != nil {
				var serr error
				if stored, serr = seal.Seal(part, offset, chunk); serr != nil {
					fail(fmt.Errorf("part %d: seal the block at offset %d: %w", part, offset, serr))
					break
				}
				spare = buf
			}
			h := blockstore.Sum(stored)
			hashes = append(hashes, h)
			op := object.PutBlock{Bucket: bucket, Key: key, Version: version, Part: part, Offset: offset, Hash: h, Size: uint64(n), Data: stored}
			if lvl := s.cfg.CompressionLevel; lvl != nil && seal == nil {
				if z, zerr := blockstore.Compress(chunk, *lvl); zerr == nil {
					op.Data, op.Compressed = z, true
				}
			}
			offset += uint64(n)
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				if _, err := s.Do(ctx, op); err != nil {
					fail(fmt.Errorf("part %d: block at offset %d: %w", part, op.Offset, err))
				}
			}()
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			fail(fmt.Errorf("read part %d: %w", part, err))
		}
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if firstErr != nil {
		return hashes, 0, firstErr
	}
	if err := ctx.Err(); err != nil {
		return hashes, 0, err
	}
	return hashes, offset, nil
}
