package model

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// Table ids of the object data path.
const (
	ObjectsTable   table.ID = 13
	VersionsTable  table.ID = 14
	BlockRefsTable table.ID = 15
	MultipartTable table.ID = 16
)

// InlineThreshold: a body shorter than this is stored in the object entry
// itself, so a small PUT is one quorum write and stores no block.
const InlineThreshold = 3072

// ObjectKey addresses an object. All objects of a bucket share one partition
// key, so listing a bucket is a single range read.
func ObjectKey(bucket BucketID, key string) table.Key {
	return table.Key{Partition: bucket.String(), Sort: key}
}

// Object is the entry of the objects table: the versions of one object that
// still matter, oldest first, sorted by (Timestamp, ID), each id once.
//
// A version is either a null version (Versioned false: written while the
// bucket's versioning was off or suspended; S3's version id "null") or a
// versioned one (written while versioning was enabled; it has a version id
// of its own and stays until deleted by that id).
//
// Join unions the versions by id and joins the states of a version present
// on both sides, then drops every null version older than the newest
// completed null version (a Complete version, or an Aborted one that had
// completed): it supersedes them. Versioned versions are never superseded:
// deleting one by its id aborts it, and its aborted record stays in the
// entry (it would come back from a replica that missed the deletion
// otherwise) until the whole entry is a tombstone (IsTombstone). A dropped
// version never comes back, since the newest completed null version only
// moves forward; this is what lets the table hook delete the data of
// dropped versions (see DroppedBy).
//
// The coordinator gives a version its id and timestamp together, so copies
// of one version agree on the timestamp. Should they not (a writer that does
// not know the timestamp), the later one is kept: Join stays commutative and
// idempotent, but is associative only when timestamps agree, since a version
// dropped at its older position could otherwise come back at the later one.
//
// The helpers expect the canonical form that Join and DecodeObject produce;
// Encode canonicalizes whatever it is given.
type Object struct {
	Bucket   BucketID
	Key      string
	Versions []ObjectVersion
}

// ObjectVersion is one version of an object.
type ObjectVersion struct {
	ID VersionID
	// Timestamp in milliseconds. A new version gets max(now, newest existing
	// + 1), so a later write wins even across skewed clocks.
	Timestamp uint64
	// Versioned: written while the bucket's versioning was enabled (see
	// Object). Set when the version is created; copies agree on it.
	Versioned bool
	State     VersionState
}

// S3VersionID is the version id S3 clients see: "null" for a null version.
func (v ObjectVersion) S3VersionID() string {
	if !v.Versioned {
		return NullVersionID
	}
	return v.ID.String()
}

// NullVersionID is S3's name of the version written while versioning was
// off or suspended.
const NullVersionID = "null"

// StateKind is a version's stage. Its numeric order is the lattice order: a
// version only moves forward, and of two replicas' views the later stage wins.
type StateKind uint8

const (
	Uploading StateKind = iota // data being written; not visible yet
	Complete                   // visible: data or a delete marker
	Aborted                    // failed, cancelled or purged; its data is to go
)

func (k StateKind) String() string {
	switch k {
	case Uploading:
		return "uploading"
	case Complete:
		return "complete"
	case Aborted:
		return "aborted"
	}
	return "invalid"
}

// DataKind says where a complete version's data lives.
type DataKind uint8

const (
	Inline       DataKind = iota // in the object entry (VersionState.Inline)
	FirstBlock                   // in blocks listed by the version entry
	DeleteMarker                 // none: the object was deleted
)

func (k DataKind) String() string {
	switch k {
	case Inline:
		return "inline"
	case FirstBlock:
		return "blocks"
	case DeleteMarker:
		return "delete-marker"
	}
	return "invalid"
}

// VersionState is the state of one version. Fields that do not apply to
// Kind (and Data) are ignored: not encoded, and cleared by Join.
type VersionState struct {
	Kind StateKind
	// Uploading: whether this is a multipart upload.
	Multipart bool
	// Uploading: the headers to apply; Complete with data: the final metadata.
	Meta ObjectMeta
	// Complete: where the data is.
	Data DataKind
	// Complete+Inline: the whole object (shorter than InlineThreshold).
	Inline []byte
	// Complete+FirstBlock: the first block's hash, so a GET can fetch it
	// while it reads the version entry.
	FirstBlock cluster.Hash
	// Aborted: the version had completed before it was aborted (a block
	// purge aborts complete versions). It keeps superseding older versions:
	// some replica may already have dropped them, so reviving them elsewhere
	// would make the outcome depend on the order of merges.
	WasComplete bool
	// Uploading: a conditional commit of this version began at Intent
	// (milliseconds, the coordinator's clock) and, if Released >= Intent,
	// ended without completing. While it is under way, other conditional
	// writes of the key yield (see object's conditional commits).
	Intent, Released uint64
	// Complete: the version was written under a condition, judged against
	// Basis (the newest completed version then, or none).
	Basis Basis
	// Complete: the version's mutable attributes (its tags, its retention,
	// its legal hold...), sorted by name, one per name. Everything else of
	// a complete version is fixed when it completes; these change in place,
	// without a new version, as S3 changes them.
	Attrs []Attr
}

// Attr is one mutable attribute of a complete version: a last-writer-wins
// register (the greater (Stamp, Value) wins the join). Names are the
// callers' (the S3 layer's); the core only keeps them.
type Attr struct {
	Name  string
	Stamp uint64 // milliseconds; a new value is stamped after the old one
	Value []byte
}

// Attr returns the value of the named attribute, if it is set.
func (s VersionState) Attr(name string) ([]byte, bool) { return AttrValue(s.Attrs, name) }

// AttrValue returns the value of the named attribute in attrs (sorted, as
// a version keeps them), if it is set.
func AttrValue(attrs []Attr, name string) ([]byte, bool) {
	i, ok := slices.BinarySearchFunc(attrs, name, func(a Attr, n string) int { return strings.Compare(a.Name, n) })
	if !ok {
		return nil, false
	}
	return attrs[i].Value, true
}

// Setting is a version's value of a setting it is written with in the
// stored header named header and changed later, in place, through the
// attribute named attr (its tags, its ACL, its lock): the attribute once
// set, else the header, else "". set reports whether either is there.
func Setting(headers []Header, attrs []Attr, attr, header string) (value string, set bool) {
	if v, ok := AttrValue(attrs, attr); ok {
		return string(v), true
	}
	v := HeaderValue(headers, header)
	return v, v != ""
}

// HeaderValue is the value of the stored header named name, "" if absent.
func HeaderValue(hs []Header, name string) string {
	for _, h := range hs {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}

// WithAttr returns s with the named attribute set to value at stamp.
func (s VersionState) WithAttr(name string, stamp uint64, value []byte) VersionState {
	s.Attrs = joinAttrs(s.Attrs, []Attr{{Name: name, Stamp: stamp, Value: value}})
	return s
}

// AttrStamp is the stamp of the named attribute, 0 if unset.
func (s VersionState) AttrStamp(name string) uint64 {
	for _, a := range s.Attrs {
		if a.Name == name {
			return a.Stamp
		}
	}
	return 0
}

// joinAttrs merges two attribute lists per name, the greater (Stamp,
// Value) winning; the result is sorted by name.
func joinAttrs(a, b []Attr) []Attr {
	all := slices.Concat(a, b)
	if len(all) == 0 {
		return nil
	}
	slices.SortFunc(all, func(x, y Attr) int {
		if c := strings.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Stamp, x.Stamp); c != 0 {
			return c // newest first
		}
		return bytes.Compare(y.Value, x.Value)
	})
	return slices.CompactFunc(all, func(x, y Attr) bool { return x.Name == y.Name })
}

func attrsCanonical(as []Attr) bool {
	for i := 1; i < len(as); i++ {
		if as[i-1].Name >= as[i].Name {
			return false
		}
	}
	return true
}

// Basis records what a conditional write's condition was judged against:
// a version by its place among the key's versions (timestamp, then id), or
// no version at all (Timestamp 0). Conditional is false for an
// unconditional write.
type Basis struct {
	Conditional bool
	Timestamp   uint64
	ID          VersionID
}

// Before reports whether the basis is older than the version (ts, id): the
// condition was judged without that version.
func (b Basis) Before(ts uint64, id VersionID) bool {
	return compareVersions(ObjectVersion{ID: b.ID, Timestamp: b.Timestamp}, ObjectVersion{ID: id, Timestamp: ts}) < 0
}

// Committing reports whether a conditional commit of the version is under
// way: an intent not yet released.
func (s VersionState) Committing() bool {
	return s.Kind == Uploading && s.Intent > s.Released
}

// ObjectMeta is an object's metadata.
type ObjectMeta struct {
	Size uint64
	// ETag is the hex MD5 of the body, or for a multipart upload the MD5 of
	// the parts' MD5s followed by "-" and the number of parts.
	ETag string
	// Headers stored with the object, sorted by Name then Value; names are
	// lowercase: content-type, cache-control, content-disposition,
	// content-encoding, content-language, expires, x-amz-meta-*,
	// x-amz-checksum-*.
	Headers []Header
}

// Header is one stored header.
type Header struct{ Name, Value string }

// Join merges two states of one object.
func (o Object) Join(other Object) Object {
	all := make([]ObjectVersion, 0, len(o.Versions)+len(other.Versions))
	all = append(append(all, o.Versions...), other.Versions...)
	return Object{Bucket: o.Bucket, Key: o.Key, Versions: mergeVersions(all)}
}

// mergeVersions joins the copies of each version in vs (which it owns),
// sorts the result and drops the superseded versions.
func mergeVersions(vs []ObjectVersion) []ObjectVersion {
	slices.SortFunc(vs, func(a, b ObjectVersion) int { return a.ID.Compare(b.ID) })
	out := vs[:0]
	for _, v := range vs {
		v.State = v.State.normalized()
		if n := len(out); n > 0 && out[n-1].ID == v.ID {
			out[n-1].Timestamp = max(out[n-1].Timestamp, v.Timestamp)
			out[n-1].Versioned = out[n-1].Versioned || v.Versioned
			out[n-1].State = out[n-1].State.Join(v.State)
			continue
		}
		out = append(out, v)
	}
	slices.SortFunc(out, compareVersions)
	newest := -1 // the newest completed null version
	for i := len(out) - 1; i >= 0; i-- {
		if !out[i].Versioned && out[i].State.Completed() {
			newest = i
			break
		}
	}
	if newest <= 0 {
		return out
	}
	kept := out[:0]
	for i, v := range out {
		if i >= newest || v.Versioned {
			kept = append(kept, v)
		}
	}
	return kept
}

// compareVersions orders versions by (Timestamp, ID), oldest first.
func compareVersions(a, b ObjectVersion) int {
	if c := cmp.Compare(a.Timestamp, b.Timestamp); c != 0 {
		return c
	}
	return a.ID.Compare(b.ID)
}

// Join merges two states of one version: the later stage wins. Within one
// stage: two uploads join Multipart by OR, keep the Meta with the larger
// encoding and the greater Intent and Released; two completions keep the state with the larger encoding (one
// version completing twice differently does not happen, but the choice must
// be the same on every replica); WasComplete is kept by OR, including from a
// Complete state overtaken by an abort.
func (s VersionState) Join(o VersionState) VersionState {
	s, o = s.normalized(), o.normalized()
	if s.Kind != o.Kind {
		hi, lo := s, o
		if o.Kind > s.Kind {
			hi, lo = o, s
		}
		if hi.Kind == Aborted {
			hi.WasComplete = hi.WasComplete || lo.Completed()
		}
		return hi
	}
	switch s.Kind {
	case Uploading:
		if bytes.Compare(encodeMeta(o.Meta), encodeMeta(s.Meta)) > 0 {
			s.Meta = o.Meta
		}
		s.Multipart = s.Multipart || o.Multipart
		s.Intent, s.Released = max(s.Intent, o.Intent), max(s.Released, o.Released)
		return s
	case Complete:
		attrs := joinAttrs(s.Attrs, o.Attrs)
		if bytes.Compare(encodeState(o), encodeState(s)) > 0 {
			s = o
		}
		s.Attrs = attrs
		return s
	}
	s.WasComplete = s.WasComplete || o.WasComplete
	return s
}

// Completed reports whether the version has completed, aborted since or
// not: such a null version supersedes every older null version.
func (s VersionState) Completed() bool {
	return s.Kind == Complete || s.Kind == Aborted && s.WasComplete
}

// normalized clears the fields that do not apply and sorts the headers.
func (s VersionState) normalized() VersionState {
	switch s.Kind {
	case Uploading:
		return VersionState{Kind: s.Kind, Multipart: s.Multipart, Meta: s.Meta.normalized(), Intent: s.Intent, Released: s.Released}
	case Complete:
		out := VersionState{Kind: s.Kind, Data: s.Data, Basis: s.Basis.normalized(), Attrs: s.Attrs}
		if !attrsCanonical(out.Attrs) {
			out.Attrs = joinAttrs(out.Attrs, nil)
		}
		switch s.Data {
		case Inline:
			out.Meta, out.Inline = s.Meta.normalized(), s.Inline
		case FirstBlock:
			out.Meta, out.FirstBlock = s.Meta.normalized(), s.FirstBlock
		}
		return out
	case Aborted:
		return VersionState{Kind: s.Kind, WasComplete: s.WasComplete}
	}
	return s
}

func (b Basis) normalized() Basis {
	if !b.Conditional {
		return Basis{}
	}
	return b
}

func (m ObjectMeta) normalized() ObjectMeta {
	if headersCanonical(m.Headers) {
		return m
	}
	m.Headers = slices.Clone(m.Headers)
	slices.SortFunc(m.Headers, compareHeaders)
	m.Headers = slices.Compact(m.Headers)
	return m
}

func compareHeaders(a, b Header) int {
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}

func headersCanonical(hs []Header) bool {
	for i := 1; i < len(hs); i++ {
		if compareHeaders(hs[i-1], hs[i]) >= 0 {
			return false
		}
	}
	return true
}

// canonical reports whether o is already in the form Join produces.
func (o Object) canonical() bool {
	for i, v := range o.Versions {
		if i > 0 && compareVersions(o.Versions[i-1], v) >= 0 {
			return false
		}
		if !headersCanonical(v.State.Meta.Headers) || !attrsCanonical(v.State.Attrs) {
			return false
		}
	}
	return !o.keepsSuperseded() && distinctIDs(o.Versions)
}

// keepsSuperseded reports whether a null version is older than a completed
// null version, which Join would have dropped.
func (o Object) keepsSuperseded() bool {
	sawNull := false
	for i := len(o.Versions) - 1; i >= 0; i-- {
		v := o.Versions[i]
		if v.Versioned {
			continue
		}
		if sawNull {
			return true
		}
		sawNull = v.State.Completed()
	}
	return false
}

// distinctIDs reports whether no version id repeats. Short lists, the
// common case, are checked without allocating.
func distinctIDs(vs []ObjectVersion) bool {
	if len(vs) <= 8 {
		for i := range vs {
			for j := range i {
				if vs[i].ID == vs[j].ID {
					return false
				}
			}
		}
		return true
	}
	seen := make(map[VersionID]bool, len(vs))
	for _, v := range vs {
		if seen[v.ID] {
			return false
		}
		seen[v.ID] = true
	}
	return true
}

// Encode writes the canonical form of o.
func (o Object) Encode(e *wire.Encoder) {
	if !o.canonical() {
		o = o.Join(Object{})
	}
	o.encode(e)
}

// encode writes o as it is.
func (o Object) encode(e *wire.Encoder) {
	e.Raw(o.Bucket[:])
	e.String(o.Key)
	e.Uvarint(uint64(len(o.Versions)))
	for _, v := range o.Versions {
		e.Raw(v.ID[:])
		e.Uvarint(v.Timestamp)
		e.Bool(v.Versioned)
		v.State.encode(e)
	}
}

func (s VersionState) encode(e *wire.Encoder) {
	e.Uint8(uint8(s.Kind))
	switch s.Kind {
	case Uploading:
		e.Bool(s.Multipart)
		s.Meta.encode(e)
		e.Uvarint(s.Intent)
		e.Uvarint(s.Released)
	case Complete:
		e.Uint8(uint8(s.Data))
		switch s.Data {
		case Inline:
			s.Meta.encode(e)
			e.BytesField(s.Inline)
		case FirstBlock:
			s.Meta.encode(e)
			e.Raw(s.FirstBlock[:])
		}
		e.Bool(s.Basis.Conditional)
		if s.Basis.Conditional {
			e.Uvarint(s.Basis.Timestamp)
			e.Raw(s.Basis.ID[:])
		}
		e.Uvarint(uint64(len(s.Attrs)))
		for _, a := range s.Attrs {
			e.String(a.Name)
			e.Uvarint(a.Stamp)
			e.BytesField(a.Value)
		}
	case Aborted:
		e.Bool(s.WasComplete)
	}
}

func (m ObjectMeta) encode(e *wire.Encoder) {
	e.Uvarint(m.Size)
	e.String(m.ETag)
	e.Uvarint(uint64(len(m.Headers)))
	for _, h := range m.Headers {
		e.String(h.Name)
		e.String(h.Value)
	}
}

// encodeState is the state's encoding without its attributes, which join
// on their own: what picks one of two differing completions.
func encodeState(s VersionState) []byte {
	s.Attrs = nil
	e := wire.NewEncoder(nil)
	s.encode(e)
	return e.Bytes()
}

func encodeMeta(m ObjectMeta) []byte {
	e := wire.NewEncoder(nil)
	m.encode(e)
	return e.Bytes()
}

// DecodeObject reads an Object, rejecting any non-canonical form: versions
// out of order, a version id twice, a null version older than a completed
// null one, headers out of order or repeated.
func DecodeObject(d *wire.Decoder) Object {
	var o Object
	d.Fixed(o.Bucket[:])
	o.Key = d.String()
	n := d.Len(len(VersionID{}) + 4)
	if n > 0 {
		o.Versions = make([]ObjectVersion, 0, n) // n is bounded by the input's length
	}
	for range n {
		var v ObjectVersion
		d.Fixed(v.ID[:])
		v.Timestamp = d.Uvarint()
		v.Versioned = d.Bool()
		v.State = decodeVersionState(d)
		if len(o.Versions) > 0 && compareVersions(o.Versions[len(o.Versions)-1], v) >= 0 {
			d.Failf("object versions not strictly sorted")
			return Object{}
		}
		o.Versions = append(o.Versions, v)
	}
	if o.keepsSuperseded() {
		d.Failf("object keeps a null version older than a completed one")
		return Object{}
	}
	if !distinctIDs(o.Versions) {
		d.Failf("object version id repeated")
		return Object{}
	}
	return o
}

func decodeVersionState(d *wire.Decoder) VersionState {
	s := VersionState{Kind: StateKind(d.Uint8())}
	switch s.Kind {
	case Uploading:
		s.Multipart = d.Bool()
		s.Meta = decodeObjectMeta(d)
		s.Intent, s.Released = d.Uvarint(), d.Uvarint()
	case Complete:
		s.Data = DataKind(d.Uint8())
		switch s.Data {
		case Inline:
			s.Meta = decodeObjectMeta(d)
			s.Inline = d.BytesField()
		case FirstBlock:
			s.Meta = decodeObjectMeta(d)
			d.Fixed(s.FirstBlock[:])
		case DeleteMarker:
		default:
			d.Failf("bad object data kind %d", s.Data)
		}
		if s.Basis.Conditional = d.Bool(); s.Basis.Conditional {
			s.Basis.Timestamp = d.Uvarint()
			d.Fixed(s.Basis.ID[:])
		}
		n := d.Len(3)
		for range n {
			a := Attr{Name: d.String(), Stamp: d.Uvarint(), Value: d.BytesField()}
			if len(s.Attrs) > 0 && s.Attrs[len(s.Attrs)-1].Name >= a.Name {
				d.Failf("version attributes not strictly sorted")
				return VersionState{}
			}
			s.Attrs = append(s.Attrs, a)
		}
	case Aborted:
		s.WasComplete = d.Bool()
	default:
		d.Failf("bad version state %d", s.Kind)
	}
	return s
}

func decodeObjectMeta(d *wire.Decoder) ObjectMeta {
	m := ObjectMeta{Size: d.Uvarint(), ETag: d.String()}
	n := d.Len(2)
	for range n {
		h := Header{Name: d.String(), Value: d.String()}
		if len(m.Headers) > 0 && compareHeaders(m.Headers[len(m.Headers)-1], h) >= 0 {
			d.Failf("object headers not strictly sorted")
			return ObjectMeta{}
		}
		m.Headers = append(m.Headers, h)
	}
	return m
}

// LastComplete is the current version: the newest Complete one, which may
// be a delete marker. Aborted versions are passed over: when the newest
// completed null version was aborted since, the older null versions it
// superseded are gone, and the current version is the newest versioned one
// older than it, if any (as in S3, deleting the current version by its id
// makes the previous one current).
func (o Object) LastComplete() (ObjectVersion, bool) {
	for i := len(o.Versions) - 1; i >= 0; i-- {
		if v := o.Versions[i]; v.State.Kind == Complete {
			return v, true
		}
	}
	return ObjectVersion{}, false
}

// IsTombstone reports whether the object only records deletions: no
// version is being uploaded, and every version is aborted, except at most
// one null delete marker. Nothing in it can be read or listed, and each of
// its records wins over whatever a replica holds for that version, so the
// entry may be forgotten once every replica holds it. A versioned delete
// marker is listed by ListObjectVersions until deleted by its id: it keeps
// its entry.
func (o Object) IsTombstone() bool {
	markers := 0
	for _, v := range o.Versions {
		switch {
		case v.State.Kind == Aborted:
		case v.State.Kind == Complete && v.State.Data == DeleteMarker && !v.Versioned:
			markers++
		default:
			return false
		}
	}
	return len(o.Versions) > 0 && markers <= 1
}

// Version returns the version with the given id.
func (o Object) Version(id VersionID) (ObjectVersion, bool) { return o.version(id) }

// NullVersion returns the newest Complete null version, if any.
func (o Object) NullVersion() (ObjectVersion, bool) {
	for i := len(o.Versions) - 1; i >= 0; i-- {
		if v := o.Versions[i]; !v.Versioned && v.State.Kind == Complete {
			return v, true
		}
	}
	return ObjectVersion{}, false
}

// Listed returns the versions ListObjectVersions shows, newest first: every
// Complete version (delete markers included). The first is the current one.
func (o Object) Listed() []ObjectVersion {
	var out []ObjectVersion
	for i := len(o.Versions) - 1; i >= 0; i-- {
		if v := o.Versions[i]; v.State.Kind == Complete {
			out = append(out, v)
		}
	}
	return out
}

// Live is the version a GET returns: the newest Complete version, unless it
// is a delete marker (older versions are superseded by it).
func (o Object) Live() (ObjectVersion, bool) {
	v, ok := o.LastComplete()
	if !ok || v.State.Data == DeleteMarker {
		return ObjectVersion{}, false
	}
	return v, true
}

// NewestTimestamp is the greatest version timestamp, 0 if there is none; a
// new version must be stamped after it.
func (o Object) NewestTimestamp() uint64 {
	var ts uint64
	for _, v := range o.Versions {
		ts = max(ts, v.Timestamp)
	}
	return ts
}

// Uploading lists the versions still being uploaded, oldest first.
func (o Object) Uploading() []ObjectVersion {
	var out []ObjectVersion
	for _, v := range o.Versions {
		if v.State.Kind == Uploading {
			out = append(out, v)
		}
	}
	return out
}

// DroppedBy lists the versions whose data must be cleaned up when a replica's
// entry goes from before to after (before joined with an update): those of
// before, not already Aborted there, that after dropped as superseded or
// holds as Aborted. They are returned as they were in before, so a caller
// can also tell whether a multipart upload ended.
//
// Each version is reported at most once along a replica's history and is
// never live again afterwards: a dropped version stays dropped and an
// aborted one stays aborted. A version already Aborted in before was reported
// when it was aborted, and one this replica first sees Aborted is reported
// by the replicas that held it live (each runs the hook). Inline versions
// and delete markers own no blocks but are reported all the same; their
// version entry, if any, holds nothing to release.
func DroppedBy(before, after Object) []ObjectVersion {
	var out []ObjectVersion
	for _, v := range before.Versions {
		if v.State.Kind == Aborted {
			continue
		}
		if cur, found := after.version(v.ID); !found || cur.State.Kind == Aborted {
			out = append(out, v)
		}
	}
	return out
}

func (o Object) version(id VersionID) (ObjectVersion, bool) {
	for _, v := range o.Versions {
		if v.ID == id {
			return v, true
		}
	}
	return ObjectVersion{}, false
}

// VersionRef names one version of an object as S3 clients do (the
// versionId parameter): the null version, or a versioned one by its id. The
// zero value names none (the current version).
type VersionRef struct {
	Set  bool
	Null bool
	ID   VersionID
}

// ParseVersionRef reads S3's version id: "null", or 32 hex digits. An
// empty string names no version.
func ParseVersionRef(s string) (VersionRef, error) {
	switch s {
	case "":
		return VersionRef{}, nil
	case NullVersionID:
		return VersionRef{Set: true, Null: true}, nil
	}
	id, err := ParseVersionID(s)
	if err != nil {
		return VersionRef{}, err
	}
	return VersionRef{Set: true, ID: id}, nil
}

func (r VersionRef) String() string {
	switch {
	case !r.Set:
		return ""
	case r.Null:
		return NullVersionID
	}
	return r.ID.String()
}

// Find returns the Complete version r names (data or delete marker): the
// newest null version, or the versioned one with r's id. A null version
// cannot be named by its internal id, nor a versioned one as "null".
func (o Object) Find(r VersionRef) (ObjectVersion, bool) {
	if r.Null {
		return o.NullVersion()
	}
	v, ok := o.version(r.ID)
	if !ok || !v.Versioned || v.State.Kind != Complete {
		return ObjectVersion{}, false
	}
	return v, true
}
