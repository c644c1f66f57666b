package object

import (
	"cmp"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
)

// fanOutWidth bounds the quorum operations a multipart completion keeps in
// flight (part version reads, block reference writes).
const fanOutWidth = 16

// uploadUpdated drops the versions of every part upload (finished or not)
// when an upload's entry is deleted: the upload completed (its version has
// its own copy of the chosen parts' block list and references) or ended
// otherwise. The version table's hook then drops their block references.
func (s *Service) uploadUpdated(now cluster.Time, old model.MultipartUpload, existed bool, new model.MultipartUpload) {
	if !existed || old.Deleted || !new.Deleted {
		return
	}
	for _, p := range old.Parts {
		s.versions.QueueInsert(model.VersionKey(p.Version), model.Version{ID: p.Version, Deleted: true, Bucket: old.Bucket, Key: old.Key})
	}
}

// endedUploads deletes the entries of the multipart uploads that a change
// of an object took out of the Uploading state: completed, aborted, or
// dropped as superseded by a newer complete version.
func (s *Service) endedUploads(old, new model.Object) {
	for _, v := range old.Versions {
		if v.State.Kind != model.Uploading || !v.State.Multipart {
			continue
		}
		if cur, found := findVersion(new, v.ID); found && cur.State.Kind == model.Uploading {
			continue
		}
		s.uploads.QueueInsert(model.UploadKey(v.ID), deletedUpload(v.ID, v.Timestamp, old.Bucket, old.Key))
	}
}

func deletedUpload(id model.VersionID, ts uint64, bucket model.BucketID, key string) model.MultipartUpload {
	return model.MultipartUpload{UploadID: id, Timestamp: ts, Deleted: true, Bucket: bucket, Key: key}
}

func findVersion(o model.Object, id model.VersionID) (model.ObjectVersion, bool) {
	for _, v := range o.Versions {
		if v.ID == id {
			return v, true
		}
	}
	return model.ObjectVersion{}, false
}

// upload is what a quorum read knows of a multipart upload: its version in
// the object entry and its entry in the multipart table.
type upload struct {
	version  model.ObjectVersion
	found    bool // the object holds a version with the upload's id
	mpu      model.MultipartUpload
	mpuFound bool
}

// inProgress reports, as ErrNoSuchUpload, why the upload does not accept
// parts or a completion.
func (u upload) inProgress(id model.VersionID) error {
	if err := uploading(u.version, u.found, id); err != nil {
		return err
	}
	switch {
	case !u.mpuFound:
		return fmt.Errorf("%w: %s has no upload entry", ErrNoSuchUpload, id)
	case u.mpu.Deleted:
		return fmt.Errorf("%w: %s has ended", ErrNoSuchUpload, id)
	}
	return nil
}

// uploading reports, as ErrNoSuchUpload, why an object's version (found or
// not) is not a multipart upload in progress.
func uploading(v model.ObjectVersion, found bool, id model.VersionID) error {
	switch {
	case !found:
		return fmt.Errorf("%w: %s is not an upload of this object", ErrNoSuchUpload, id)
	case v.State.Kind != model.Uploading:
		return fmt.Errorf("%w: %s is %s", ErrNoSuchUpload, id, v.State.Kind)
	case !v.State.Multipart:
		return fmt.Errorf("%w: %s is not a multipart upload", ErrNoSuchUpload, id)
	}
	return nil
}

// readUpload reads the object entry and the upload's entry, each from a
// read quorum, at once.
func (s *Service) readUpload(now cluster.Time, bucket model.BucketID, key string, id model.VersionID, done func(cluster.Time, upload, error)) {
	var u upload
	var first error
	pending := 2
	finish := func(now cluster.Time, err error) {
		if first == nil {
			first = err
		}
		if pending--; pending == 0 {
			done(now, u, first)
		}
	}
	s.objects.Get(now, model.ObjectKey(bucket, key), func(now cluster.Time, o model.Object, _ bool, err error) {
		if err != nil {
			finish(now, fmt.Errorf("read object entry: %w", err))
			return
		}
		u.version, u.found = findVersion(o, id)
		finish(now, nil)
	})
	s.uploads.Get(now, model.UploadKey(id), func(now cluster.Time, m model.MultipartUpload, found bool, err error) {
		if err != nil {
			finish(now, fmt.Errorf("read upload entry: %w", err))
			return
		}
		u.mpu, u.mpuFound = m, found
		finish(now, nil)
	})
}

// fanOut runs step for i in [0, n), at most width at once, and calls done
// once: with the first error (steps in flight then finish unobserved), or
// with nil once every step succeeded. Each step calls its callback once.
func fanOut(now cluster.Time, n, width int, step func(now cluster.Time, i int, done func(cluster.Time, error)), done func(cluster.Time, error)) {
	if n == 0 {
		done(now, nil)
		return
	}
	next, running, over := 0, 0, false
	var launch func(now cluster.Time)
	finished := func(now cluster.Time, err error) {
		running--
		switch {
		case over:
		case err != nil:
			over = true
			done(now, err)
		case next == n && running == 0:
			over = true
			done(now, nil)
		default:
			launch(now)
		}
	}
	launch = func(now cluster.Time) {
		for !over && running < width && next < n {
			i := next
			next++
			running++
			step(now, i, finished)
		}
	}
	launch(now)
}

func checkPartNumber(n uint32) error {
	if n < 1 || n > MaxPartNumber {
		return fmt.Errorf("%w: %d is not in [1, %d]", ErrInvalidPartNumber, n, MaxPartNumber)
	}
	return nil
}

// partETag checks that a part's ETag is a hex MD5 and returns it in lower
// case, unquoted.
func partETag(etag string) (string, error) {
	b, err := hex.DecodeString(strings.Trim(etag, `"`))
	if err != nil || len(b) != md5.Size {
		return "", fmt.Errorf("part ETag %q is not a hex MD5", etag)
	}
	return hex.EncodeToString(b), nil
}

// requestETag is how a listed ETag compares with a recorded one: unquoted,
// in lower case.
func requestETag(etag string) string { return strings.ToLower(strings.Trim(etag, `"`)) }

func (s *Service) createMultipart(now cluster.Time, op CreateMultipart, done Done) {
	s.stampNew(now, op.Bucket, op.Key, op.Versioned, func(now cluster.Time, ts uint64, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		meta := model.ObjectMeta{Headers: op.Meta.Headers}
		v := model.ObjectVersion{ID: op.UploadID, Timestamp: ts, Versioned: op.Versioned, State: model.VersionState{Kind: model.Uploading, Multipart: true, Meta: meta}}
		s.writeVersion(now, op.Bucket, op.Key, v, func(now cluster.Time, result any, err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			entry := model.MultipartUpload{UploadID: op.UploadID, Timestamp: ts, Bucket: op.Bucket, Key: op.Key, Checksum: op.Checksum}
			s.uploads.Insert(now, model.UploadKey(op.UploadID), entry, func(now cluster.Time, err error) {
				if err != nil {
					// The upload is listed but takes no parts: abort it
					// (durably queued) so that it does not linger.
					v.State = model.VersionState{Kind: model.Aborted}
					s.objects.QueueInsert(model.ObjectKey(op.Bucket, op.Key), model.Object{Bucket: op.Bucket, Key: op.Key, Versions: []model.ObjectVersion{v}})
					done(now, nil, fmt.Errorf("write upload entry %s: %w", op.UploadID, err))
					return
				}
				done(now, result, nil)
			})
		})
	})
}

func (s *Service) putPartBegin(now cluster.Time, op PutPartBegin, done Done) {
	if err := checkPartNumber(op.Part); err != nil {
		done(now, nil, fmt.Errorf("%w: %w", ErrNotWritten, err))
		return
	}
	s.readUpload(now, op.Bucket, op.Key, op.UploadID, func(now cluster.Time, u upload, err error) {
		if err == nil {
			err = u.inProgress(op.UploadID)
		}
		if err != nil {
			done(now, nil, fmt.Errorf("%w: begin part %d: %w", ErrNotWritten, op.Part, err))
			return
		}
		// After every upload of this part number seen, so that the later
		// upload wins whatever the clocks say.
		var newest uint64
		for _, p := range u.mpu.Parts {
			if p.Number == op.Part {
				newest = max(newest, p.Timestamp)
			}
		}
		ts := crdt.NextTS(now.Millis(), crdt.Stamp{TS: newest})
		entry := model.MultipartUpload{UploadID: op.UploadID, Timestamp: u.mpu.Timestamp, Bucket: op.Bucket, Key: op.Key,
			Parts: []model.MPUPart{{Number: op.Part, Timestamp: ts, Version: op.Version}}}
		s.uploads.Insert(now, model.UploadKey(op.UploadID), entry, func(now cluster.Time, err error) {
			if err != nil {
				done(now, nil, fmt.Errorf("record part %d in upload %s: %w", op.Part, op.UploadID, err))
				return
			}
			done(now, PartBegun{Timestamp: ts, Checksum: u.mpu.Checksum}, nil)
		})
	})
}

// putPartComplete records the part as finished, then reads the upload back:
// if it ended meanwhile, its deletion may have dropped the part's version
// before some blocks were listed in it, so the part's data is released here.
// The finish is stamped with this node's clock; should the read show an
// upload of the same part number that finished at or after that stamp
// (a skewed clock, or one that finished meanwhile), the finish is recorded
// again just after it, so that the part finishing last counts.
func (s *Service) putPartComplete(now cluster.Time, op PutPartComplete, done Done) {
	etag, err := partETag(op.ETag)
	if err == nil {
		err = checkPartNumber(op.Part)
	}
	if err != nil {
		done(now, nil, fmt.Errorf("%w: complete part %d: %w", ErrNotWritten, op.Part, err))
		return
	}
	key := model.UploadKey(op.UploadID)
	part := model.MPUPart{Number: op.Part, Timestamp: op.Timestamp, Version: op.Version, ETag: etag, Size: op.Size,
		Finished: max(now.Millis(), 1), Checksum: op.Checksum}
	record := func(now cluster.Time, part model.MPUPart, then func(cluster.Time)) {
		entry := model.MultipartUpload{UploadID: op.UploadID, Bucket: op.Bucket, Key: op.Key, Parts: []model.MPUPart{part}}
		s.uploads.Insert(now, key, entry, func(now cluster.Time, err error) {
			if err != nil {
				done(now, nil, fmt.Errorf("record part %d of upload %s as finished: %w", op.Part, op.UploadID, err))
				return
			}
			then(now)
		})
	}
	record(now, part, func(now cluster.Time) {
		s.uploads.Get(now, key, func(now cluster.Time, m model.MultipartUpload, found bool, err error) {
			switch {
			case err != nil:
				done(now, nil, fmt.Errorf("read upload %s back: %w", op.UploadID, err))
			case found && !m.Deleted && m.Timestamp != 0:
				if later, ok := finishedSince(m, part); ok {
					part.Finished = crdt.NextTS(now.Millis(), crdt.Stamp{TS: later})
					record(now, part, func(now cluster.Time) { done(now, Stored{}, nil) })
					return
				}
				done(now, Stored{}, nil)
			default:
				if found && !m.Deleted {
					// Never created: the part just wrote the entry. Bury it.
					s.uploads.QueueInsert(key, deletedUpload(op.UploadID, 0, op.Bucket, op.Key))
				}
				s.releasePart(op.Bucket, op.Key, op.Version, op.Blocks)
				done(now, nil, fmt.Errorf("complete part %d: %w: %s is unknown or ended", op.Part, ErrNoSuchUpload, op.UploadID))
			}
		})
	})
}

// finishedSince is the latest finish stamp of another upload of part's
// number in u that is not before part's own, if any.
func finishedSince(u model.MultipartUpload, part model.MPUPart) (uint64, bool) {
	var latest uint64
	found := false
	for _, p := range u.Parts {
		if p.Number != part.Number || p.ETag == "" || p.Timestamp == part.Timestamp && p.Version == part.Version {
			continue
		}
		if p.Finished >= part.Finished {
			latest, found = max(latest, p.Finished), true
		}
	}
	return latest, found
}

// releasePart deletes a part upload's version (whose hook drops the
// references of the blocks it lists) and the references of blocks, which
// may have been written after the version was deleted. Durably queued.
func (s *Service) releasePart(bucket model.BucketID, key string, version model.VersionID, blocks []cluster.Hash) {
	s.versions.QueueInsert(model.VersionKey(version), model.Version{ID: version, Deleted: true, Bucket: bucket, Key: key})
	s.dropRefs(version, blocks)
}

func (s *Service) dropRefs(version model.VersionID, blocks []cluster.Hash) {
	for _, h := range blocks {
		s.refs.QueueInsert(model.BlockRefKey(h, version), model.BlockRef{Block: h, Version: version, Deleted: true})
	}
}

func (s *Service) putPartAbort(now cluster.Time, op PutPartAbort, done Done) {
	s.releasePart(op.Bucket, op.Key, op.Version, op.Blocks)
	done(now, Stored{}, nil)
}

// completion is a CompleteMultipart under way.
type completion struct {
	op        CompleteMultipart
	version   model.ObjectVersion // the upload's, as read
	parts     []model.MPUPart     // chosen, in order
	checksums []model.Header      // the object's checksum and its type
	final     model.Version       // the upload's block list
	hashes    []cluster.Hash      // the distinct blocks of final
	meta      model.ObjectMeta
	done      Done
}

func (s *Service) completeMultipart(now cluster.Time, op CompleteMultipart, done Done) {
	if err := checkPartList(op.Parts); err != nil {
		done(now, nil, fmt.Errorf("%w: complete upload %s: %w", ErrNotWritten, op.UploadID, err))
		return
	}
	refuse := func(now cluster.Time, err error) {
		done(now, nil, fmt.Errorf("%w: complete upload %s: %w", ErrNotWritten, op.UploadID, err))
	}
	s.readUpload(now, op.Bucket, op.Key, op.UploadID, func(now cluster.Time, u upload, err error) {
		switch {
		case err != nil:
			refuse(now, err)
			return
		case u.found && op.Timestamp != 0 && u.version.Timestamp != op.Timestamp:
			refuse(now, fmt.Errorf("%w: %s has timestamp %d, not %d", ErrNoSuchUpload, op.UploadID, u.version.Timestamp, op.Timestamp))
			return
		case u.found && u.version.State.Kind == model.Complete:
			s.completedBefore(now, op, u.version, done)
			return
		}
		if err := u.inProgress(op.UploadID); err != nil {
			refuse(now, err)
			return
		}
		minSize := op.MinPartSize
		if minSize == 0 {
			minSize = DefaultMinPartSize
		}
		parts, err := chooseParts(u.mpu.LatestParts(), op.Parts, minSize)
		if err != nil {
			refuse(now, err)
			return
		}
		sums, err := objectChecksum(u.mpu.Checksum, op, parts)
		if err != nil {
			refuse(now, err)
			return
		}
		c := &completion{op: op, version: u.version, parts: parts, checksums: sums, done: done}
		s.readParts(now, c, refuse)
	})
}

// checkPartList checks a completion's list of parts by itself: not empty,
// numbers strictly ascending.
func checkPartList(parts []CompletedPart) error {
	if len(parts) == 0 {
		return fmt.Errorf("%w: no parts listed", ErrEntityTooSmall)
	}
	for i := 1; i < len(parts); i++ {
		if parts[i].Number <= parts[i-1].Number {
			return fmt.Errorf("%w: part %d listed after part %d", ErrInvalidPartOrder, parts[i].Number, parts[i-1].Number)
		}
	}
	return nil
}

// chooseParts matches a completion's list (checked by checkPartList)
// against the upload of each part number that finished last (sorted by number,
// as LatestParts returns them).
func chooseParts(latest []model.MPUPart, req []CompletedPart, minSize uint64) ([]model.MPUPart, error) {
	out := make([]model.MPUPart, 0, len(req))
	for _, r := range req {
		i, ok := slices.BinarySearchFunc(latest, r.Number, func(p model.MPUPart, n uint32) int { return cmp.Compare(p.Number, n) })
		if !ok {
			return nil, fmt.Errorf("%w: part %d was not uploaded, or its upload did not finish", ErrInvalidPart, r.Number)
		}
		if p := latest[i]; p.ETag != requestETag(r.ETag) {
			return nil, fmt.Errorf("%w: part %d has ETag %q, not %q", ErrInvalidPart, r.Number, p.ETag, r.ETag)
		}
		out = append(out, latest[i])
	}
	for _, p := range out[:len(out)-1] {
		if p.Size < minSize {
			return nil, fmt.Errorf("%w: part %d is %d bytes, less than the minimum part size of %d", ErrEntityTooSmall, p.Number, p.Size, minSize)
		}
	}
	return out, nil
}

// ChecksumTypeHeader is the stored header naming how an object's checksum
// derives from its parts' (COMPOSITE, FULL_OBJECT).
const ChecksumTypeHeader = "x-amz-checksum-type"

// objectChecksum checks what a completion states of checksums against the
// upload's (created with spec) and the chosen parts, and returns the
// object's checksum headers: the checksum its parts combine into, and the
// type.
func objectChecksum(spec checksum.Spec, op CompleteMultipart, parts []model.MPUPart) ([]model.Header, error) {
	eff := spec.Effective()
	explicit := spec.Algorithm.Valid()
	algo := eff.Algorithm
	if op.ChecksumType != checksum.TypeNone && op.ChecksumType != eff.Type {
		return nil, refusal(ErrChecksumRequest, "The upload was created using the %s checksum mode. The complete request must use the same checksum mode.", eff.Type)
	}
	for i, r := range op.Parts {
		p := parts[i]
		switch {
		case r.ChecksumAlgorithm == checksum.None:
			if explicit {
				return nil, refusal(ErrChecksumRequest, "The upload was created using a %s checksum. The complete request must include the checksum for each part. It was missing for part %d in the request.", algo.Lower(), r.Number)
			}
		case r.ChecksumAlgorithm != algo && !explicit:
			return nil, fmt.Errorf("%w: part %d lists a %s checksum, the upload was created without a checksum algorithm", ErrInvalidPart, r.Number, r.ChecksumAlgorithm)
		case r.ChecksumAlgorithm != algo:
			return nil, refusal(ErrBadDigest, "The %s you specified for part %d did not match what we received.", r.ChecksumAlgorithm.Lower(), r.Number)
		case r.Checksum != p.Checksum:
			return nil, fmt.Errorf("%w: part %d has %s checksum %q, not %q", ErrInvalidPart, r.Number, algo, p.Checksum, r.Checksum)
		}
		if explicit && r.Number != uint32(i+1) {
			// S3: with checksums, parts are numbered from 1 without gaps.
			return nil, fmt.Errorf("%w: part %d is listed in position %d: with checksums, parts are numbered 1, 2, 3...", ErrInvalidPartOrder, r.Number, i+1)
		}
	}
	var value string
	var size uint64
	sums := make([][]byte, len(parts))
	pieces := make([]checksum.Part, len(parts))
	recorded := true
	for i, p := range parts {
		size += p.Size
		if p.Checksum == "" && !explicit {
			// A part recorded without a checksum (a caller that computes
			// none): the object gets none either.
			recorded = false
			continue
		}
		sum, err := algo.Decode(p.Checksum)
		if err != nil {
			return nil, fmt.Errorf("%w: part %d has no %s checksum recorded", ErrInvalidPart, p.Number, algo)
		}
		sums[i], pieces[i] = sum, checksum.Part{Sum: sum, Size: p.Size}
	}
	if op.Size != nil && *op.Size != size {
		return nil, refusal(ErrObjectSize, "The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", *op.Size, size)
	}
	if !recorded {
		if op.Checksum.Algorithm != checksum.None {
			return nil, refusal(ErrChecksumRequest, "The object's checksum cannot be checked: its parts were recorded without checksums.")
		}
		return nil, nil
	}
	if eff.Type == checksum.Composite {
		v, err := checksum.CompositeOf(algo, sums)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidPart, err)
		}
		value = v
	} else {
		sum, err := checksum.FullObjectOf(algo, pieces)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidPart, err)
		}
		value = checksum.Encode(sum)
	}
	if stated := op.Checksum; stated.Algorithm != checksum.None {
		if stated.Algorithm != algo {
			return nil, refusal(ErrChecksumRequest, "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s", algo.Lower(), stated.Algorithm.Lower())
		}
		want := stated.Value
		if eff.Type == checksum.Composite && !strings.Contains(want, "-") {
			want += "-" + strconv.Itoa(len(parts))
		}
		if want != value {
			return nil, refusal(ErrBadDigest, "The %s you specified did not match the calculated checksum.", algo.Lower())
		}
	}
	return []model.Header{{Name: algo.Header(), Value: value}, {Name: ChecksumTypeHeader, Value: eff.Type.String()}}, nil
}

// partBlocks checks that a part upload's version holds exactly the part's
// data: its blocks, all of that part number, follow each other from offset
// 0 and add up to the recorded size. An empty part writes no version.
func partBlocks(p model.MPUPart, v model.Version, found bool) ([]model.VersionBlock, error) {
	if v.Deleted || !found && p.Size > 0 {
		return nil, fmt.Errorf("%w: part %d: its data is gone", ErrInvalidPart, p.Number)
	}
	blocks := v.BlocksInOrder()
	var off uint64
	for _, b := range blocks {
		if b.Part != p.Number {
			return nil, fmt.Errorf("%w: part %d: its version holds a block of part %d", ErrInvalidPart, p.Number, b.Part)
		}
		if b.Offset != off {
			return nil, fmt.Errorf("%w: part %d: block at offset %d, expected %d", ErrInvalidPart, p.Number, b.Offset, off)
		}
		off += b.Size
	}
	if off != p.Size {
		return nil, fmt.Errorf("%w: part %d: its blocks hold %d bytes, %d recorded", ErrInvalidPart, p.Number, off, p.Size)
	}
	return blocks, nil
}

// multipartETag is S3's ETag of a multipart object: the hex MD5 of the
// concatenated binary MD5s of the parts, "-", the number of parts.
func multipartETag(parts []model.MPUPart) (string, error) {
	h := md5.New()
	for _, p := range parts {
		b, err := hex.DecodeString(p.ETag)
		if err != nil || len(b) != md5.Size {
			return "", fmt.Errorf("%w: part %d: ETag %q is not a hex MD5", ErrInvalidPart, p.Number, p.ETag)
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)), nil
}

// mergeHeaders returns base with the names given in extra replaced by
// extra's values, sorted by name then value, each once.
func mergeHeaders(base, extra []model.Header) []model.Header {
	replaced := make(map[string]bool, len(extra)) // membership only
	for _, h := range extra {
		replaced[h.Name] = true
	}
	var out []model.Header
	for _, h := range base {
		if !replaced[h.Name] {
			out = append(out, h)
		}
	}
	out = append(out, extra...)
	slices.SortFunc(out, func(a, b model.Header) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return slices.Compact(out)
}

// readParts reads the chosen part uploads' versions and the upload's own
// version entry (which holds nothing unless an earlier completion got as
// far as writing it), and builds the upload's block list.
func (s *Service) readParts(now cluster.Time, c *completion, refuse func(cluster.Time, error)) {
	id := c.op.UploadID
	blocks := make([][]model.VersionBlock, len(c.parts))
	var existing model.Version
	var existed bool
	n := len(c.parts) + 1
	fanOut(now, n, fanOutWidth, func(now cluster.Time, i int, next func(cluster.Time, error)) {
		if i == n-1 {
			s.versions.Get(now, model.VersionKey(id), func(now cluster.Time, v model.Version, found bool, err error) {
				if err != nil {
					err = fmt.Errorf("read the upload's version: %w", err)
				}
				existing, existed = v, found
				next(now, err)
			})
			return
		}
		p := c.parts[i]
		s.versions.Get(now, model.VersionKey(p.Version), func(now cluster.Time, v model.Version, found bool, err error) {
			if err != nil {
				next(now, fmt.Errorf("read part %d's version: %w", p.Number, err))
				return
			}
			blocks[i], err = partBlocks(p, v, found)
			next(now, err)
		})
	}, func(now cluster.Time, err error) {
		if err != nil {
			refuse(now, err)
			return
		}
		c.final = model.Version{ID: id, Bucket: c.op.Bucket, Key: c.op.Key}
		seen := make(map[cluster.Hash]bool) // membership only; hashes keep the blocks' order
		for i, p := range c.parts {
			c.final.Blocks = append(c.final.Blocks, blocks[i]...)
			c.final.PartETags = append(c.final.PartETags, model.PartETag{Part: p.Number, ETag: p.ETag, Checksum: p.Checksum})
			for _, b := range blocks[i] {
				if !seen[b.Hash] {
					seen[b.Hash] = true
					c.hashes = append(c.hashes, b.Hash)
				}
			}
		}
		switch {
		case existed && existing.Deleted:
			refuse(now, fmt.Errorf("%w: %s ended while completing", ErrNoSuchUpload, id))
			return
		case existed && (len(existing.Blocks) > 0 || len(existing.PartETags) > 0) && !sameBlockList(existing, c.final):
			refuse(now, fmt.Errorf("%w: upload %s already records another list of parts", ErrCompleteConflict, id))
			return
		}
		etag, err := multipartETag(c.parts)
		if err != nil {
			refuse(now, err)
			return
		}
		var size uint64
		for _, p := range c.parts {
			size += p.Size
		}
		headers := mergeHeaders(mergeHeaders(c.version.State.Meta.Headers, c.op.Meta.Headers), c.checksums)
		c.meta = model.ObjectMeta{Size: size, ETag: etag, Headers: headers}
		s.checkQuotas(now, c.op.Bucket, c.op.Key, size, c.version.Versioned, func(now cluster.Time, err error) {
			switch {
			case err == nil:
				s.writeFinal(now, c)
			case errors.Is(err, ErrQuotaExceeded):
				// Refused as Garage refuses it: the upload is aborted, its
				// parts released, and nothing became visible.
				s.abortMultipart(now, AbortMultipart{Bucket: c.op.Bucket, Key: c.op.Key, UploadID: id}, func(now cluster.Time, _ any, _ error) {
					c.done(now, nil, fmt.Errorf("complete upload %s: %w", id, err))
				})
			default:
				refuse(now, err)
			}
		})
	})
}

func sameBlockList(a, b model.Version) bool {
	return slices.Equal(a.BlocksInOrder(), b.BlocksInOrder()) && slices.Equal(a.PartETags, b.PartETags)
}

// writeFinal writes the upload's block list, then references its blocks,
// then reads the list back: if the upload ended meanwhile, the deletion of
// its version may have run before the blocks were listed, so their
// references are dropped here; if a concurrent completion listed other
// parts, the lists are mixed and the object must not complete. Only then
// does the object version complete and the upload's entry go.
func (s *Service) writeFinal(now cluster.Time, c *completion) {
	id := c.op.UploadID
	fail := func(now cluster.Time, err error) {
		c.done(now, nil, fmt.Errorf("complete upload %s: %w", id, err))
	}
	s.versions.Insert(now, model.VersionKey(id), c.final, func(now cluster.Time, err error) {
		if err != nil {
			fail(now, fmt.Errorf("write its block list: %w", err))
			return
		}
		s.reference(now, id, c.hashes, func(now cluster.Time, err error) {
			if err != nil {
				fail(now, err)
				return
			}
			s.versions.Get(now, model.VersionKey(id), func(now cluster.Time, v model.Version, found bool, err error) {
				switch {
				case err != nil:
					fail(now, fmt.Errorf("read its block list back: %w", err))
				case !found || v.Deleted:
					// The object version never completed: nothing is visible.
					s.dropRefs(id, c.hashes)
					fail(now, fmt.Errorf("%w: %w: it ended while completing", ErrNotWritten, ErrNoSuchUpload))
				case !sameBlockList(v, c.final):
					fail(now, fmt.Errorf("%w: a concurrent completion listed other parts", ErrCompleteConflict))
				default:
					s.judgeCompletion(now, c)
				}
			})
		})
	})
}

// judgeCompletion completes the upload's object version: at once, or
// through a conditional commit. A refused conditional completion leaves the
// upload in progress (its block list stays recorded, so it can be completed
// again with the same parts, or aborted).
func (s *Service) judgeCompletion(now cluster.Time, c *completion) {
	if c.op.Cond == nil {
		s.finishComplete(now, c, model.Basis{})
		return
	}
	s.commitConditionally(now, conditionalCommit{
		bucket: c.op.Bucket, key: c.op.Key, cond: c.op.Cond, version: c.version,
		commit: func(now cluster.Time, basis model.Basis) { s.finishComplete(now, c, basis) },
		refuse: func(now cluster.Time, err error, intent uint64) {
			v := model.ObjectVersion{ID: c.version.ID, Timestamp: c.version.Timestamp, Versioned: c.version.Versioned,
				State: model.VersionState{Kind: model.Uploading, Multipart: true, Intent: intent, Released: intent}}
			s.endIntent(now, c.op.Bucket, c.op.Key, v, func(now cluster.Time) {
				c.done(now, nil, fmt.Errorf("complete upload %s: %w", c.op.UploadID, err))
			})
		},
	})
}

func (s *Service) finishComplete(now cluster.Time, c *completion, basis model.Basis) {
	var first cluster.Hash
	if len(c.final.Blocks) > 0 {
		first = c.final.Blocks[0].Hash
	}
	v := model.ObjectVersion{ID: c.op.UploadID, Timestamp: c.version.Timestamp, Versioned: c.version.Versioned,
		State: model.VersionState{Kind: model.Complete, Meta: c.meta, Data: model.FirstBlock, FirstBlock: first, Basis: basis}}
	s.writeVersion(now, c.op.Bucket, c.op.Key, v, func(now cluster.Time, result any, err error) {
		if err != nil {
			c.done(now, nil, fmt.Errorf("complete upload %s: %w", c.op.UploadID, err))
			return
		}
		finish := func(now cluster.Time, err error) {
			s.endUpload(now, c.op.UploadID, c.version.Timestamp, c.op.Bucket, c.op.Key, func(now cluster.Time) {
				if err != nil {
					c.done(now, nil, fmt.Errorf("complete upload %s: %w", c.op.UploadID, err))
					return
				}
				c.done(now, Completed{Written: result.(Written), Meta: c.meta}, nil)
			})
		}
		if basis.Conditional || v.Versioned {
			// A versioned version is never superseded, judged or not.
			finish(now, nil)
			return
		}
		s.checkUnjudged(now, c.op.Bucket, c.op.Key, c.version.Timestamp, c.op.UploadID, finish)
	})
}

// endUpload deletes an upload's entry with a quorum, so that a part upload
// finishing later sees it at once; should that fail, the deletion is
// queued (the object table's hook queues it too).
func (s *Service) endUpload(now cluster.Time, id model.VersionID, ts uint64, bucket model.BucketID, key string, done func(cluster.Time)) {
	entry := deletedUpload(id, ts, bucket, key)
	s.uploads.Insert(now, model.UploadKey(id), entry, func(now cluster.Time, err error) {
		if err != nil {
			s.uploads.QueueInsert(model.UploadKey(id), entry)
		}
		done(now)
	})
}

// completedBefore answers a completion of an upload whose version is
// already complete: the same result if it completed with the same parts.
func (s *Service) completedBefore(now cluster.Time, op CompleteMultipart, v model.ObjectVersion, done Done) {
	s.versions.Get(now, model.VersionKey(op.UploadID), func(now cluster.Time, ver model.Version, found bool, err error) {
		if err != nil {
			done(now, nil, fmt.Errorf("%w: complete upload %s: read its block list: %w", ErrNotWritten, op.UploadID, err))
			return
		}
		same := found && !ver.Deleted && len(ver.PartETags) == len(op.Parts)
		for i := 0; same && i < len(op.Parts); i++ {
			same = ver.PartETags[i].Part == op.Parts[i].Number && ver.PartETags[i].ETag == requestETag(op.Parts[i].ETag)
		}
		if !same {
			done(now, nil, fmt.Errorf("%w: complete upload %s: %w: it completed with other parts", ErrNotWritten, op.UploadID, ErrNoSuchUpload))
			return
		}
		// Should the first completion have stopped before deleting the
		// upload's entry, the object table's hook did or will; this makes
		// sure.
		s.uploads.QueueInsert(model.UploadKey(op.UploadID), deletedUpload(op.UploadID, v.Timestamp, op.Bucket, op.Key))
		done(now, Completed{Written: Written{Version: v.ID, Timestamp: v.Timestamp, Versioned: v.Versioned}, Meta: v.State.Meta}, nil)
	})
}

func (s *Service) abortMultipart(now cluster.Time, op AbortMultipart, done Done) {
	s.objects.Get(now, model.ObjectKey(op.Bucket, op.Key), func(now cluster.Time, o model.Object, _ bool, err error) {
		if err != nil {
			done(now, nil, fmt.Errorf("%w: abort upload %s: read object entry: %w", ErrNotWritten, op.UploadID, err))
			return
		}
		cur, found := findVersion(o, op.UploadID)
		if err := uploading(cur, found, op.UploadID); err != nil {
			done(now, nil, fmt.Errorf("%w: abort upload %s: %w", ErrNotWritten, op.UploadID, err))
			return
		}
		v := model.ObjectVersion{ID: op.UploadID, Timestamp: cur.Timestamp, Versioned: cur.Versioned, State: model.VersionState{Kind: model.Aborted}}
		s.writeVersion(now, op.Bucket, op.Key, v, func(now cluster.Time, _ any, err error) {
			if err != nil {
				done(now, nil, fmt.Errorf("abort upload %s: %w", op.UploadID, err))
				return
			}
			s.endUpload(now, op.UploadID, v.Timestamp, op.Bucket, op.Key, func(now cluster.Time) { done(now, Stored{}, nil) })
		})
	})
}

func (s *Service) listParts(now cluster.Time, op ListParts, done Done) {
	s.readUpload(now, op.Bucket, op.Key, op.UploadID, func(now cluster.Time, u upload, err error) {
		if err == nil {
			err = u.inProgress(op.UploadID)
		}
		if err != nil {
			done(now, nil, fmt.Errorf("list parts of upload %s: %w", op.UploadID, err))
			return
		}
		l := PartList{Checksum: u.mpu.Checksum, Meta: u.version.State.Meta}
		for _, p := range u.mpu.LatestParts() {
			if p.Number <= op.After {
				continue
			}
			if op.Limit > 0 && len(l.Parts) == op.Limit {
				l.More, l.Next = true, l.Parts[len(l.Parts)-1].Number
				break
			}
			finished := p.Finished
			if finished == 0 {
				finished = p.Timestamp
			}
			l.Parts = append(l.Parts, PartInfo{Number: p.Number, ETag: p.ETag, Size: p.Size, Timestamp: finished, Checksum: p.Checksum})
		}
		done(now, l, nil)
	})
}

func (s *Service) getUpload(now cluster.Time, op GetUpload, done Done) {
	s.readUpload(now, op.Bucket, op.Key, op.UploadID, func(now cluster.Time, u upload, err error) {
		if err == nil {
			err = u.inProgress(op.UploadID)
		}
		if err != nil {
			done(now, nil, fmt.Errorf("read upload %s: %w", op.UploadID, err))
			return
		}
		done(now, UploadInfo{Key: op.Key, UploadID: op.UploadID, Timestamp: u.version.Timestamp, Meta: u.version.State.Meta}, nil)
	})
}

func (s *Service) listMultipartUploads(now cluster.Time, op ListMultipartUploads, done Done) {
	start, end := max(op.Start, op.Prefix), prefixEnd(op.Prefix)
	if end != "" && start >= end {
		done(now, UploadList{}, nil)
		return
	}
	s.objects.ReadRange(now, op.Bucket.String(), start, end, op.Limit, func(now cluster.Time, r table.Range[model.Object], err error) {
		if err != nil {
			done(now, nil, fmt.Errorf("list multipart uploads: %w", err))
			return
		}
		l := UploadList{More: r.More, Next: r.Next}
		for _, it := range r.Items {
			for _, v := range it.Entry.Uploading() {
				if v.State.Multipart {
					l.Uploads = append(l.Uploads, UploadInfo{Key: it.Entry.Key, UploadID: v.ID, Timestamp: v.Timestamp, Meta: v.State.Meta})
				}
			}
		}
		done(now, l, nil)
	})
}

// prefixEnd is the least string greater than every string starting with
// prefix, "" (unbounded) if there is none.
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}
