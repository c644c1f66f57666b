package model

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// Table ids of the model.
const (
	BucketsTable table.ID = 10
	KeysTable    table.ID = 11
	AliasesTable table.ID = 12
)

// BucketID is a bucket's permanent identity: 32 random bytes. Names are
// aliases pointing to it, so a bucket can be renamed without a copy.
type BucketID [32]byte

func (id BucketID) String() string { return hex.EncodeToString(id[:]) }

// ParseBucketID reads a 64-hex-digit bucket id.
func ParseBucketID(s string) (BucketID, error) {
	var id BucketID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("bucket id %q: want 64 hex digits", s)
	}
	copy(id[:], b)
	return id, nil
}

// Bucket is the entry of the buckets table (partition key "", sort key the
// bucket id).
type Bucket struct {
	ID      BucketID
	Created uint64 // milliseconds
	Deleted bool
	// GlobalAliases: name -> present; LocalAliases: "<key id>/<name>" ->
	// present; Keys: key id -> Perms byte.
	GlobalAliases crdt.Map
	LocalAliases  crdt.Map
	Keys          crdt.Map
	// Configs holds the bucket's S3 sub-resource configurations, each a
	// register whose value is its encoded form (package s3/bucketcfg):
	// ConfigCORS, ConfigWebsite, ConfigLifecycle, ConfigEncryption, and the
	// access controls (package s3/acl, s3/policy). A tombstone removes one.
	Configs crdt.Map
}

// Names of the bucket's configurations in Bucket.Configs.
const (
	ConfigCORS      = "cors"
	ConfigWebsite   = "website"
	ConfigLifecycle = "lifecycle"
	// ConfigEncryption is the bucket's default encryption (SSE-S3).
	ConfigEncryption = "encryption"
	// ConfigACL is the bucket's ACL; ConfigOwnership its object ownership
	// setting; ConfigPublicAccessBlock its public access switches (acl's
	// encodings). ConfigPolicy is its bucket policy, the JSON as accepted.
	ConfigACL               = "acl"
	ConfigOwnership         = "ownership"
	ConfigPublicAccessBlock = "publicAccessBlock"
	ConfigPolicy            = "policy"
	// ConfigVersioning is the bucket's versioning state: "Enabled" or
	// "Suspended"; absent while versioning was never enabled.
	ConfigVersioning = "versioning"
	// ConfigTagging is the bucket's tag set (s3/tagging's query encoding).
	ConfigTagging = "tagging"
)

// Versioning is a bucket's versioning state, as S3 names them.
type Versioning string

const (
	VersioningOff       Versioning = "" // never enabled: S3 calls it "unversioned"
	VersioningEnabled   Versioning = "Enabled"
	VersioningSuspended Versioning = "Suspended"
)

// Versioning reads the bucket's versioning state. A bucket once enabled is
// never off again: PutBucketVersioning can only suspend it.
func (b Bucket) Versioning() Versioning {
	v, ok := b.Config(ConfigVersioning)
	if !ok {
		return VersioningOff
	}
	return Versioning(v)
}

// Config returns the encoded configuration name, if one is set.
func (b Bucket) Config(name string) ([]byte, bool) {
	r := b.Configs.Get(name)
	if !r.Live() {
		return nil, false
	}
	return r.Value, true
}

// Join merges two states of one bucket. Deletion wins and drops the rest.
func (b Bucket) Join(o Bucket) Bucket {
	out := Bucket{ID: b.ID, Created: minNonZero(b.Created, o.Created)}
	if b.Deleted || o.Deleted {
		out.Deleted = true
		return out
	}
	out.GlobalAliases = b.GlobalAliases.Join(o.GlobalAliases)
	out.LocalAliases = b.LocalAliases.Join(o.LocalAliases)
	out.Keys = b.Keys.Join(o.Keys)
	out.Configs = b.Configs.Join(o.Configs)
	return out
}

// Encode writes b canonically.
func (b Bucket) Encode(e *wire.Encoder) {
	e.Raw(b.ID[:])
	e.Uvarint(b.Created)
	e.Bool(b.Deleted)
	if !b.Deleted {
		b.GlobalAliases.Encode(e)
		b.LocalAliases.Encode(e)
		b.Keys.Encode(e)
		b.Configs.Encode(e)
	}
}

// DecodeBucket reads a Bucket.
func DecodeBucket(d *wire.Decoder) Bucket {
	var b Bucket
	d.Fixed(b.ID[:])
	b.Created = d.Uvarint()
	b.Deleted = d.Bool()
	if !b.Deleted {
		b.GlobalAliases = crdt.DecodeMap(d)
		b.LocalAliases = crdt.DecodeMap(d)
		b.Keys = crdt.DecodeMap(d)
		b.Configs = crdt.DecodeMap(d)
	}
	return b
}

// KeyPerms returns the rights of key id on the bucket.
func (b Bucket) KeyPerms(keyID string) Perms { return permsOf(b.Keys.Get(keyID).Value) }

// AuthorizedKeys lists the keys with any right, sorted.
func (b Bucket) AuthorizedKeys() []string {
	var out []string
	for _, k := range b.Keys.Keys() {
		if b.KeyPerms(k).Any() {
			out = append(out, k)
		}
	}
	return out
}

// Aliases lists the bucket's global alias names, sorted.
func (b Bucket) Aliases() []string { return b.GlobalAliases.Keys() }

// Alias is the entry of the global aliases table (partition key "", sort
// key the name): the bucket the name points to; a tombstone frees it.
type Alias struct{ crdt.Register }

// Join keeps the later write.
func (a Alias) Join(o Alias) Alias { return Alias{a.Register.Join(o.Register)} }

// DecodeAlias reads an Alias.
func DecodeAlias(d *wire.Decoder) Alias { return Alias{crdt.DecodeRegister(d)} }

// Bucket returns the bucket the alias points to, if it is in use.
func (a Alias) Bucket() (BucketID, bool) {
	var id BucketID
	if !a.Live() || len(a.Value) != len(id) {
		return id, false
	}
	copy(id[:], a.Value)
	return id, true
}

// reservedBucketPrefixes and reservedBucketSuffixes are the names S3 keeps
// for itself (punycode, access point aliases, Object Lambda, multi-region
// access points, directory and table buckets): a bucket named so here
// would be refused, or misread, by clients and by S3 itself.
var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// ValidBucketName applies S3's naming rules: 3 to 63 characters, lowercase
// letters, digits, dots and hyphens, starting and ending with a letter or
// digit, no "..", not an IPv4 address, and none of S3's reserved prefixes
// and suffixes.
func ValidBucketName(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return fmt.Errorf("bucket name %q: must be 3 to 63 characters", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return fmt.Errorf("bucket name %q: only lowercase letters, digits, '.' and '-' are allowed", name)
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return fmt.Errorf("bucket name %q: must start and end with a letter or a digit", name)
	}
	if strings.Contains(name, "..") {
		return fmt.Errorf("bucket name %q: must not contain \"..\"", name)
	}
	if looksLikeIPv4(name) {
		return fmt.Errorf("bucket name %q: must not look like an IP address", name)
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("bucket name %q: the prefix %q is reserved by S3", name, p)
		}
	}
	for _, suffix := range reservedBucketSuffixes {
		if strings.HasSuffix(name, suffix) {
			return fmt.Errorf("bucket name %q: the suffix %q is reserved by S3", name, suffix)
		}
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func looksLikeIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

func minNonZero(a, b uint64) uint64 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}
