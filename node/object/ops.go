package object

import (
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
)

// Operations.
type (
	// PutBegin starts a new version of an object.
	PutBegin struct {
		Bucket    model.BucketID
		Key       string
		Version   model.VersionID // drawn by the caller
		Meta      model.ObjectMeta
		Multipart bool
		// Versioned: the bucket's versioning is enabled, so the new version
		// stays beside the others (see model.Object).
		Versioned bool
	}
	// PutInline stores a small object whole in its object entry. With a
	// Cond, the condition is judged when it commits (see Condition).
	PutInline struct {
		Bucket  model.BucketID
		Key     string
		Version model.VersionID
		Meta    model.ObjectMeta
		Data    []byte
		Cond    *Condition
		// Versioned: the bucket's versioning is enabled, so the new version
		// stays beside the others (see model.Object).
		Versioned bool
	}
	// PutBlock stores one block of a version begun with PutBegin.
	PutBlock struct {
		Bucket     model.BucketID
		Key        string
		Version    model.VersionID
		Part       uint32
		Offset     uint64
		Hash       cluster.Hash // of the data as stored, once decompressed (a sealed block's ciphertext)
		Size       uint64       // plaintext size
		Data       []byte       // as stored (compressed or not)
		Compressed bool
	}
	// PutComplete marks a version complete. Blocks lists every block
	// written for it, so the references can be dropped if the version was
	// superseded while it uploaded. With a Cond, the condition is judged as
	// it commits, and a refused version is abandoned (its blocks lose their
	// references).
	PutComplete struct {
		Bucket     model.BucketID
		Key        string
		Version    model.VersionID
		Timestamp  uint64 // as PutBegin answered: a version's id and timestamp go together
		Meta       model.ObjectMeta
		FirstBlock cluster.Hash
		Blocks     []cluster.Hash
		Cond       *Condition
		Versioned  bool // as PutBegin was given
	}
	// PutAbort abandons a version. Blocks lists every block written or
	// attempted for it: their references are dropped too, since some may
	// have been written without making it into the version's block list.
	PutAbort struct {
		Bucket    model.BucketID
		Key       string
		Version   model.VersionID
		Timestamp uint64 // as PutBegin answered
		Blocks    []cluster.Hash
		Versioned bool // as PutBegin was given
	}
	// Get reads an object's current version, or the one Version names:
	// its metadata and either its inline data or its block list.
	Get struct {
		Bucket  model.BucketID
		Key     string
		Version model.VersionRef // the zero value: the current version
	}
	// GetBlock reads one block from the best holder.
	GetBlock struct{ Hash cluster.Hash }
	// Delete writes a delete marker. With a Cond, the condition is judged
	// as it commits.
	Delete struct {
		Bucket  model.BucketID
		Key     string
		Version model.VersionID // id of the delete marker
		Cond    *Condition
		// Versioned: the bucket's versioning is enabled, so the new version
		// stays beside the others (see model.Object).
		Versioned bool
	}
	// DeleteVersion removes one version for good, by S3's version id (a
	// data version or a delete marker): it is aborted, and its data goes.
	// Answers VersionDeleted, also when there is no such version.
	//
	// A locked version (see model.Lock) is not deleted: ErrObjectLocked.
	// BypassGovernance: the caller asked, and may, to bypass a GOVERNANCE
	// retention (never a COMPLIANCE one, nor a legal hold).
	DeleteVersion struct {
		Bucket           model.BucketID
		Key              string
		Version          model.VersionRef
		BypassGovernance bool
	}
	// SetAttr sets a mutable attribute of a complete data version (the
	// current one, or the one Version names; see model.Attr), in place:
	// the version keeps its id, place and data. Answers AttrSet;
	// ErrNoSuchVersion if there is no such version or it is a delete
	// marker. Setting model.AttrRetention to a weaker retention than the
	// version's (see model.RefuseRetentionChange) is refused with
	// ErrObjectLocked; BypassGovernance as for DeleteVersion.
	SetAttr struct {
		Bucket           model.BucketID
		Key              string
		Version          model.VersionRef
		Name             string
		Value            []byte
		BypassGovernance bool
	}
	// ListVersions lists the versions of the objects of a bucket with keys
	// in [Start, End), at most Limit keys. NullMarkers: list null delete
	// markers too; in a bucket whose versioning was never enabled they
	// are only the trace of deletions (S3 lists nothing for a deleted
	// object there), in one enabled once they are versions S3 lists.
	ListVersions struct {
		Bucket      model.BucketID
		Start, End  string
		Limit       int
		NullMarkers bool
	}
	// List lists the live objects of a bucket with keys in [Start, End),
	// at most Limit of them.
	List struct {
		Bucket     model.BucketID
		Start, End string
		Limit      int
	}
)

func (PutBegin) OpName() string    { return "PutBegin" }
func (PutInline) OpName() string   { return "PutInline" }
func (PutBlock) OpName() string    { return "PutBlock" }
func (PutComplete) OpName() string { return "PutComplete" }
func (PutAbort) OpName() string    { return "PutAbort" }
func (Get) OpName() string         { return "GetObject" }
func (GetBlock) OpName() string    { return "GetBlock" }
func (Delete) OpName() string      { return "DeleteObject" }
func (List) OpName() string        { return "ListObjects" }

func (DeleteVersion) OpName() string { return "DeleteObjectVersion" }
func (SetAttr) OpName() string       { return "SetObjectAttribute" }
func (ListVersions) OpName() string  { return "ListObjectVersions" }

// Results.
type (
	// Written answers PutBegin, PutInline, PutComplete and Delete: the
	// version and its timestamp, which order it among the key's versions.
	Written struct {
		Version   model.VersionID
		Timestamp uint64
		Versioned bool
	}
	// Stored answers PutBlock and PutAbort.
	Stored struct{}
	// Object answers Get.
	Object struct {
		Found bool // false: never written, or deleted (then Version is the marker)
		// Marker: the version read is a delete marker (Found is false).
		Marker bool
		// Version and Timestamp are those of the version read: the current
		// one (the delete marker when Found is false but a marker exists),
		// or the one asked for.
		Version   model.VersionID
		Timestamp uint64
		Versioned bool
		Meta      model.ObjectMeta
		Attrs     []model.Attr         // the version's mutable attributes
		Inline    []byte               // the data, when stored inline
		Blocks    []model.VersionBlock // otherwise, in order
		// Parts of a multipart object, by number, with their checksums.
		Parts []model.PartETag
	}
	// Block answers GetBlock.
	Block struct {
		Data       []byte
		Compressed bool
	}
	// Listing answers List.
	Listing struct {
		Entries []ListEntry
		More    bool
		Next    string
	}
	// AttrSet answers SetAttr: the version as written.
	AttrSet struct {
		Version model.ObjectVersion
	}
	// VersionDeleted answers DeleteVersion.
	VersionDeleted struct {
		Found   bool // false: there was no such version (nothing was done)
		Version model.ObjectVersion
	}
	// VersionListing answers ListVersions: the keys in order, each with
	// its listed versions, newest first (see model.Object.Listed).
	VersionListing struct {
		Keys []KeyVersions
		More bool
		Next string
	}
	// KeyVersions is one key's versions.
	KeyVersions struct {
		Key      string
		Versions []model.ObjectVersion
	}
	// ListEntry is one live object.
	ListEntry struct {
		Key       string
		Version   model.VersionID
		Timestamp uint64
		Meta      model.ObjectMeta
		Attrs     []model.Attr
	}
)
