package object

import (
	"errors"
	"fmt"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
)

// Multipart upload errors, exported so that the S3 layer can answer with the
// matching S3 error code (given in each comment).
var (
	// ErrNoSuchUpload: the upload is unknown (to this bucket and key),
	// already completed or aborted, or was superseded by a newer object
	// version (NoSuchUpload, 404).
	ErrNoSuchUpload = errors.New("no such multipart upload")
	// ErrInvalidPart: a listed part was not uploaded, is not finished, has
	// another ETag than the one listed, or its data is incomplete
	// (InvalidPart, 400).
	ErrInvalidPart = errors.New("invalid part")
	// ErrInvalidPartOrder: the parts are not listed in strictly ascending
	// order of their numbers (InvalidPartOrder, 400).
	ErrInvalidPartOrder = errors.New("invalid part order")
	// ErrEntityTooSmall: a listed part other than the last is smaller than
	// the minimum part size, or no part is listed, as Garage answers an
	// empty list (EntityTooSmall, 400).
	ErrEntityTooSmall = errors.New("entity too small")
	// ErrInvalidPartNumber: a part number outside [1, MaxPartNumber]
	// (InvalidArgument, 400).
	ErrInvalidPartNumber = errors.New("invalid part number")
	// ErrCompleteConflict: another completion of the upload with a
	// different list of parts got as far as recording its block list (an
	// earlier attempt that failed midway, or a concurrent one). The recorded
	// list cannot be replaced: completing again with that same list, or
	// aborting, is what remains (OperationAborted, 409).
	ErrCompleteConflict = errors.New("conflicting completion of the multipart upload")

	// Checksum refusals of CompleteMultipart; each comes as a *Refusal
	// with S3's message.
	//
	// ErrBadDigest: the object checksum the completion states is not the
	// one the parts combine into, or a part's checksum of another
	// algorithm than the upload's was listed (BadDigest, 400).
	ErrBadDigest = errors.New("checksum mismatch")
	// ErrChecksumRequest: the completion's checksums do not fit the
	// upload: a part's checksum missing, another checksum type or
	// algorithm than the upload's (InvalidRequest, 400).
	ErrChecksumRequest = errors.New("checksum request does not fit the upload")
	// ErrObjectSize: the object size the completion states is not the
	// parts' total (InvalidRequest, 400).
	ErrObjectSize = errors.New("object size mismatch")
)

// Refusal is a refused request with the message S3 gives for it; Unwrap is
// one of the Err* values above.
type Refusal struct {
	Err     error
	Message string
}

func (r *Refusal) Error() string { return r.Err.Error() + ": " + r.Message }
func (r *Refusal) Unwrap() error { return r.Err }

func refusal(err error, format string, args ...any) error {
	return &Refusal{Err: err, Message: fmt.Sprintf(format, args...)}
}

const (
	// DefaultMinPartSize is S3's minimum size of every part but the last.
	DefaultMinPartSize = 5 << 20
	// MaxPartNumber is S3's greatest part number; the first is 1.
	MaxPartNumber = 10000
)

// Multipart upload operations. An upload's id is the id of the object
// version it completes into. Its parts are each uploaded as a version of
// their own (PutPartBegin, then PutBlock with that version, the part number
// and offsets within the part, then PutPartComplete); CompleteMultipart
// gathers the chosen parts' blocks into the upload's version.
type (
	// CreateMultipart starts a multipart upload: an object version in the
	// Uploading state, marked multipart, stamped max(now, newest + 1) like
	// a put, and the upload's entry in the multipart table. Answers
	// Written, whose Version is UploadID.
	CreateMultipart struct {
		Bucket   model.BucketID
		Key      string
		UploadID model.VersionID // drawn by the caller
		// Meta.Headers are the object's headers once completed; Size and
		// ETag are ignored.
		Meta model.ObjectMeta
		// Checksum is the algorithm and type the parts' checksums are
		// computed in and combined by (neither: S3's default, a full
		// object CRC-64/NVME). The caller checks that they go together.
		Checksum checksum.Spec
		// Versioned: the bucket's versioning is enabled when the upload is
		// created; the completed object is then a version of its own.
		Versioned bool
	}
	// PutPartBegin starts one upload of one part: it checks that the upload
	// is in progress and records the part upload, unfinished, in the
	// upload's entry. The part's blocks are then written with PutBlock
	// (Version = this Version, Part = this Part, Offset within the part).
	// Answers PartBegun; ErrNoSuchUpload if the upload is not in progress.
	PutPartBegin struct {
		Bucket   model.BucketID
		Key      string
		UploadID model.VersionID
		Part     uint32          // 1 to MaxPartNumber
		Version  model.VersionID // the part upload's own version, drawn by the caller
	}
	// PutPartComplete records a part upload as finished, with its ETag,
	// size and checksum. Blocks lists every block written for it: should
	// the upload have ended meanwhile, the part's version and these
	// references are dropped here and the answer is ErrNoSuchUpload. Of
	// two uploads of one part number, the one that finished last counts:
	// its finish is stamped after every finish of that number it sees.
	// Answers Stored.
	PutPartComplete struct {
		Bucket    model.BucketID
		Key       string
		UploadID  model.VersionID
		Part      uint32
		Version   model.VersionID
		Timestamp uint64 // as PutPartBegin answered
		ETag      string // hex MD5 of the part's content
		Size      uint64
		// Checksum is the part's checksum, base64, in the algorithm
		// PartBegun named.
		Checksum string
		Blocks   []cluster.Hash
	}
	// PutPartAbort abandons a part upload that failed: its version is
	// deleted, and with it the references of the blocks it lists, and the
	// references of Blocks (every block written or attempted for it) are
	// dropped too. The work is queued durably; answers Stored.
	PutPartAbort struct {
		Bucket  model.BucketID
		Key     string
		Version model.VersionID // the part upload's version
		Blocks  []cluster.Hash
	}
	// CompleteMultipart assembles the listed parts into the object version
	// and makes it Complete, with the checksum its parts' checksums combine
	// into (see objectChecksum; the completion's statements about it are
	// checked). The parts must be listed in strictly ascending
	// order (ErrInvalidPartOrder); each must be the last finished upload
	// of its number with the listed ETag (ErrInvalidPart); each but the last
	// must hold at least MinPartSize bytes (ErrEntityTooSmall). The
	// version's block list gets the chosen parts' blocks in (part, offset)
	// order with their ETags, the blocks get references from it, the
	// object's ETag is S3's (hex MD5 of the parts' binary MD5s, "-", the
	// number of parts), and the upload's entry is deleted, which drops
	// every part upload's own version and block references (the blocks of
	// the chosen parts stay referenced by the upload's version).
	//
	// Completing again once complete answers the same result if the parts
	// are the same, else ErrNoSuchUpload. A completion that failed after
	// recording the block list can be retried with the same parts only:
	// with others it gets ErrCompleteConflict, as do two completions with
	// different parts at once (neither completes; abort remains). Answers
	// Completed.
	CompleteMultipart struct {
		Bucket   model.BucketID
		Key      string
		UploadID model.VersionID
		// Timestamp, if not 0, must be the upload's (as CreateMultipart
		// answered), else ErrNoSuchUpload; the S3 layer, which knows only
		// the upload id, leaves it 0.
		Timestamp uint64
		Parts     []CompletedPart
		// Meta.Headers are added to the headers given at creation (a name
		// given here replaces that name's values); Size and ETag are
		// computed, those given are ignored.
		Meta model.ObjectMeta
		// MinPartSize is the least size of every part but the last; 0 is
		// DefaultMinPartSize (tests and the simulator set it smaller).
		MinPartSize uint64
		// Cond, if set, is judged as the object version completes.
		Cond *Condition
		// What the client states of the object, checked against the
		// parts (each unset if not stated): the checksum type, the
		// checksum (a composite one with or without its "-N"), the size.
		ChecksumType checksum.Type
		Checksum     ObjectChecksum
		Size         *uint64
	}
	// CompletedPart is one part of a CompleteMultipart request. The ETag
	// may be quoted, as S3 clients send it. Checksum is the part's
	// checksum the client lists, if any, of algorithm ChecksumAlgorithm.
	CompletedPart struct {
		Number            uint32
		ETag              string
		ChecksumAlgorithm checksum.Algorithm
		Checksum          string
	}
	// ObjectChecksum is a checksum value (base64) of an algorithm; None:
	// no checksum.
	ObjectChecksum struct {
		Algorithm checksum.Algorithm
		Value     string
	}
	// AbortMultipart abandons an upload in progress: its object version
	// becomes Aborted and its entry is deleted, which drops every part's
	// version and block references. Answers Stored; ErrNoSuchUpload if the
	// upload is not in progress.
	AbortMultipart struct {
		Bucket   model.BucketID
		Key      string
		UploadID model.VersionID
	}
	// ListParts lists the finished parts of an upload in progress (of each
	// part number, the upload that finished last), numbers after After, at
	// most Limit of them (0: all), with the upload's checksum spec.
	// ErrNoSuchUpload if the upload is not in progress.
	ListParts struct {
		Bucket   model.BucketID
		Key      string
		UploadID model.VersionID
		After    uint32
		Limit    int
	}
	// GetUpload reads an upload in progress: the headers it was created
	// with (an encrypted upload's parameters are among them), so that a
	// part can be checked and sealed before it is written. Answers
	// UploadInfo; ErrNoSuchUpload if the upload is not in progress.
	GetUpload struct {
		Bucket   model.BucketID
		Key      string
		UploadID model.VersionID
	}
	// ListMultipartUploads lists the uploads in progress in a bucket, of
	// keys starting with Prefix, from key Start (inclusive) on, reading at
	// most Limit object entries (0: the table's maximum), as List does.
	ListMultipartUploads struct {
		Bucket model.BucketID
		Prefix string
		Start  string
		Limit  int
	}
)

func (CreateMultipart) OpName() string      { return "CreateMultipartUpload" }
func (PutPartBegin) OpName() string         { return "UploadPartBegin" }
func (PutPartComplete) OpName() string      { return "UploadPartComplete" }
func (PutPartAbort) OpName() string         { return "UploadPartAbort" }
func (CompleteMultipart) OpName() string    { return "CompleteMultipartUpload" }
func (AbortMultipart) OpName() string       { return "AbortMultipartUpload" }
func (ListParts) OpName() string            { return "ListParts" }
func (GetUpload) OpName() string            { return "GetUpload" }
func (ListMultipartUploads) OpName() string { return "ListMultipartUploads" }

// Multipart results.
type (
	// PartBegun answers PutPartBegin: the part upload's timestamp, which
	// PutPartComplete must repeat, and the upload's checksum as created
	// (its Effective algorithm is the one the part's checksum is computed
	// in).
	PartBegun struct {
		Timestamp uint64
		Checksum  checksum.Spec
	}
	// Completed answers CompleteMultipart: the object version (the upload
	// id) and its metadata, with the size and the multipart ETag.
	Completed struct {
		Written
		Meta model.ObjectMeta
	}
	// PartList answers ListParts, with the upload's checksum as created.
	// When More is set, the listing continues after part number Next.
	PartList struct {
		Checksum checksum.Spec
		Meta     model.ObjectMeta // the headers the upload was created with
		Parts    []PartInfo
		More     bool
		Next     uint32
	}
	// PartInfo is one finished part.
	PartInfo struct {
		Number    uint32
		ETag      string
		Size      uint64
		Timestamp uint64 // when the part upload finished, in milliseconds
		Checksum  string // base64, in the upload's effective algorithm
	}
	// UploadList answers ListMultipartUploads, sorted by key, then by
	// timestamp. When More is set, it covers keys before Next only.
	UploadList struct {
		Uploads []UploadInfo
		More    bool
		Next    string
	}
	// UploadInfo is one upload in progress.
	UploadInfo struct {
		Key       string
		UploadID  model.VersionID
		Timestamp uint64           // when it was created, in milliseconds
		Meta      model.ObjectMeta // the headers given at creation
	}
)
