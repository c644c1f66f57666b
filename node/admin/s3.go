package admin

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/table"
)

// Errors of the S3-facing bucket operations, for the S3 layer to map to
// its error codes.
var (
	// ErrBucketExists: the name is another key's bucket (BucketAlreadyExists).
	ErrBucketExists = errors.New("bucket name already taken")
	// ErrBucketOwned: the name is already a bucket this key owns
	// (BucketAlreadyOwnedByYou).
	ErrBucketOwned = errors.New("bucket already owned by you")
	// ErrBucketNotEmpty: the bucket still holds objects (BucketNotEmpty).
	ErrBucketNotEmpty = errors.New("bucket not empty")
)

// ObjectIndex is what bucket operations need to know of the objects.
type ObjectIndex interface {
	// BucketEmpty reports whether the bucket holds no object version.
	BucketEmpty(now cluster.Time, bucket model.Bucket, done func(cluster.Time, bool, error))
	// Usage counts what the bucket holds.
	Usage(now cluster.Time, bucket model.Bucket, done func(cluster.Time, model.Usage, error))
	// Entry reads one key's object entry, every version of it.
	Entry(now cluster.Time, bucket model.BucketID, key string, done func(cluster.Time, model.Object, error))
	// VersionEntry reads one entry of the versions table.
	VersionEntry(now cluster.Time, id model.VersionID, done func(cluster.Time, model.Version, bool, error))
	// VersionBlocks lists the blocks holding one version's data (an
	// upload's: its parts' so far).
	VersionBlocks(now cluster.Time, v model.ObjectVersion, done func(cluster.Time, []model.VersionBlock, error))
	// DeleteVersionEntry marks one entry of the versions table deleted.
	DeleteVersionEntry(now cluster.Time, v model.Version, done func(cluster.Time, error))
	// Submit runs an object operation: cleaning up uploads lists and
	// aborts them with the S3 API's own operations.
	Submit(now cluster.Time, op any, done object.Done) bool
}

// S3 operations: what the S3 API asks of keys and buckets.
//
// GetAccessKey and LookupBucket, read on every request, answer from this
// node's own copy of the full-copy tables while anti-entropy proves it
// recent (table.LocalFresh: every write acknowledged more than
// LocalReadMaxAge ago is in it), and with a quorum otherwise. Only what
// the local copy holds is served locally: a key, alias or bucket it lacks
// or holds deleted is read again with a quorum, so a key or bucket made
// with the CLI on any node holds for the very next request on every node.
// What a local copy can miss is a change to an entry it holds (a revoked
// right, a deleted key, a changed configuration), for at most
// LocalReadMaxAge after the change was acknowledged; callers that find a
// right missing ask again with Quorum, so a grant, too, holds at once.
type (
	// GetAccessKey reads an access key by its exact id. Answers model.Key;
	// ErrNotFound if it does not exist or was deleted. Quorum skips the
	// local copy.
	GetAccessKey struct {
		ID     string
		Quorum bool
	}
	// LookupBucket finds the bucket Name means to Key: the key's local
	// alias first, then the global alias. Answers model.Bucket; ErrNotFound.
	// Quorum skips the local copy.
	LookupBucket struct {
		Name   string
		Key    model.Key
		Quorum bool
	}
	// ListKeyBuckets lists the buckets Key has any right on, once under each
	// name it sees them by (global aliases and its own local aliases).
	// Answers []NamedBucket sorted by name.
	ListKeyBuckets struct{ Key model.Key }
	// CreateBucketForKey creates bucket ID under the global alias Name and
	// gives Key (as the request read it) read, write and owner rights on
	// it. ErrBucketOwned if the name already means a bucket the key owns,
	// ErrBucketExists if it is taken otherwise. Configs are set in the
	// same write as the bucket (its ownership controls and ACL), so that
	// the bucket never exists without them.
	CreateBucketForKey struct {
		Name    string
		ID      model.BucketID
		Key     model.Key
		Configs []BucketConfig
	}
	// SetBucketConfig sets configuration Name (model.ConfigCORS, ...) of
	// the bucket to Value, or removes it when Value is nil. Answers
	// model.Bucket.
	SetBucketConfig struct {
		Bucket model.BucketID
		Name   string
		Value  []byte
	}
)

// BucketConfig is one configuration of a bucket: its name in
// Bucket.Configs (model.ConfigCORS, ...) and its encoded value.
type BucketConfig struct {
	Name  string
	Value []byte
}

func (GetAccessKey) OpName() string       { return "GetAccessKey" }
func (LookupBucket) OpName() string       { return "LookupBucket" }
func (ListKeyBuckets) OpName() string     { return "ListKeyBuckets" }
func (CreateBucketForKey) OpName() string { return "CreateBucketForKey" }
func (SetBucketConfig) OpName() string    { return "SetBucketConfig" }

// NamedBucket is one bucket in ListKeyBuckets' answer.
type NamedBucket struct {
	Name    string
	ID      model.BucketID
	Created uint64 // milliseconds
}

// submitS3 starts op if it is an S3 operation and reports whether it was.
func (s *Service) submitS3(now cluster.Time, op any, done Done) bool {
	switch op := op.(type) {
	case GetAccessKey:
		if k, ok := s.localKey(now, op); ok {
			done(now, k, nil)
			return true
		}
		s.lookups.quorum++
		s.getAccessKey(now, op.ID, done)
	case LookupBucket:
		if b, ok := s.localBucket(now, op); ok {
			done(now, b, nil)
			return true
		}
		s.lookups.quorum++
		s.lookupBucket(now, op, done)
	case ListKeyBuckets:
		s.listKeyBuckets(now, op.Key, done)
	case CreateBucketForKey:
		s.createBucketForKey(now, op, done)
	case SetBucketConfig:
		s.setBucketConfig(now, op, done)
	case ListLifecycleBuckets:
		s.listLifecycleBuckets(now, done)
	default:
		return false
	}
	return true
}

func (s *Service) getAccessKey(now cluster.Time, id string, done Done) {
	s.tables.Keys.Get(now, model.KeyKey(id), func(now cluster.Time, k model.Key, found bool, err error) {
		switch {
		case err != nil:
			done(now, nil, err)
		case !found || k.Deleted:
			done(now, nil, notFound("access key", id))
		default:
			done(now, k, nil)
		}
	})
}

// localKey is the live key op names from this node's fresh copy, if it
// holds one.
func (s *Service) localKey(now cluster.Time, op GetAccessKey) (model.Key, bool) {
	if op.Quorum {
		return model.Key{}, false
	}
	k, found, fresh := s.tables.Keys.LocalFresh(now, model.KeyKey(op.ID))
	if !fresh || !found || k.Deleted {
		return model.Key{}, false
	}
	s.lookups.local++
	return k, true
}

// localBucket is the live bucket op's name means, from this node's fresh
// copies of the aliases and buckets, if they hold it.
func (s *Service) localBucket(now cluster.Time, op LookupBucket) (model.Bucket, bool) {
	if op.Quorum {
		return model.Bucket{}, false
	}
	var id model.BucketID
	if r := op.Key.LocalAliases.Get(op.Name); r.Live() && len(r.Value) == len(model.BucketID{}) {
		id = model.BucketID(r.Value)
	} else {
		alias, found, fresh := s.tables.Aliases.LocalFresh(now, model.AliasKey(op.Name))
		if !fresh || !found {
			return model.Bucket{}, false
		}
		var ok bool
		if id, ok = alias.Bucket(); !ok {
			return model.Bucket{}, false
		}
	}
	b, found, fresh := s.tables.Buckets.LocalFresh(now, model.BucketKey(id))
	if !fresh || !found || b.Deleted {
		return model.Bucket{}, false
	}
	s.lookups.local++
	return b, true
}

func (s *Service) lookupBucket(now cluster.Time, op LookupBucket, done Done) {
	if r := op.Key.LocalAliases.Get(op.Name); r.Live() && len(r.Value) == len(model.BucketID{}) {
		s.getBucketByID(now, model.BucketID(r.Value), op.Name, done, func(now cluster.Time, b model.Bucket) { done(now, b, nil) })
		return
	}
	s.tables.Aliases.Get(now, model.AliasKey(op.Name), func(now cluster.Time, alias model.Alias, _ bool, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		id, ok := alias.Bucket()
		if !ok {
			done(now, nil, notFound("bucket", op.Name))
			return
		}
		s.getBucketByID(now, id, op.Name, done, func(now cluster.Time, b model.Bucket) { done(now, b, nil) })
	})
}

func (s *Service) listKeyBuckets(now cluster.Time, k model.Key, done Done) {
	readAll(now, s.tables.Buckets, func(now cluster.Time, items []table.Item[model.Bucket], err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		byID := map[model.BucketID]model.Bucket{}
		for _, it := range items {
			if b := it.Entry; !b.Deleted && k.BucketPerms(b.ID).Any() {
				byID[b.ID] = b
			}
		}
		out := []NamedBucket{}
		for _, b := range byID {
			for _, name := range b.Aliases() {
				out = append(out, NamedBucket{Name: name, ID: b.ID, Created: b.Created})
			}
		}
		for _, name := range k.LocalAliases.Keys() {
			r := k.LocalAliases.Get(name)
			if !r.Live() || len(r.Value) != len(model.BucketID{}) {
				continue
			}
			if b, ok := byID[model.BucketID(r.Value)]; ok {
				out = append(out, NamedBucket{Name: name, ID: b.ID, Created: b.Created})
			}
		}
		slices.SortFunc(out, func(a, b NamedBucket) int { return strings.Compare(a.Name, b.Name) })
		out = slices.CompactFunc(out, func(a, b NamedBucket) bool { return a.Name == b.Name })
		done(now, out, nil)
	})
}

func (s *Service) createBucketForKey(now cluster.Time, op CreateBucketForKey, done Done) {
	if err := model.ValidBucketName(op.Name); err != nil {
		done(now, nil, fmt.Errorf("%w: %v", ErrInvalid, err))
		return
	}
	k := op.Key
	if r := k.LocalAliases.Get(op.Name); r.Live() {
		done(now, nil, fmt.Errorf("%w: %q", ErrBucketOwned, op.Name))
		return
	}
	s.tables.Aliases.Get(now, model.AliasKey(op.Name), func(now cluster.Time, alias model.Alias, _ bool, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		if id, taken := alias.Bucket(); taken {
			if k.BucketPerms(id).Owner {
				done(now, nil, fmt.Errorf("%w: %q", ErrBucketOwned, op.Name))
			} else {
				done(now, nil, fmt.Errorf("%w: %q", ErrBucketExists, op.Name))
			}
			return
		}
		stamp := s.stamp(now, alias.Stamp, k.Buckets.Get(op.ID.String()).Stamp)
		perms := []byte{model.Perms{Read: true, Write: true, Owner: true}.Byte()}
		b := model.Bucket{ID: op.ID, Created: now.Millis()}
		b.GlobalAliases = b.GlobalAliases.Set(op.Name, crdt.Put(stamp, []byte{1}))
		b.Keys = b.Keys.Set(k.ID, crdt.Put(stamp, perms))
		for _, c := range op.Configs {
			b.Configs = b.Configs.Set(c.Name, crdt.Put(stamp, c.Value))
		}
		k.Buckets = k.Buckets.Set(op.ID.String(), crdt.Put(stamp, perms))
		// The bucket and the key's rights first, the alias last: a name
		// that resolves always leads to a bucket the key can use.
		s.tables.Buckets.Insert(now, model.BucketKey(op.ID), b, then(done, func(now cluster.Time) {
			s.tables.Keys.Insert(now, model.KeyKey(k.ID), k, then(done, func(now cluster.Time) {
				s.tables.Aliases.Insert(now, model.AliasKey(op.Name), model.Alias{Register: crdt.Put(stamp, op.ID[:])}, then(done, func(now cluster.Time) {
					done(now, b, nil)
				}))
			}))
		}))
	})
}

func (s *Service) setBucketConfig(now cluster.Time, op SetBucketConfig, done Done) {
	s.getBucketByID(now, op.Bucket, op.Bucket.String(), done, func(now cluster.Time, b model.Bucket) {
		stamp := s.stamp(now, b.Configs.Get(op.Name).Stamp)
		reg := crdt.Tombstone(stamp)
		if op.Value != nil {
			reg = crdt.Put(stamp, op.Value)
		}
		b.Configs = b.Configs.Set(op.Name, reg)
		s.tables.Buckets.Insert(now, model.BucketKey(b.ID), b, then(done, func(now cluster.Time) { done(now, b, nil) }))
	})
}

// ListLifecycleBuckets lists the live buckets that have a lifecycle
// configuration, for the lifecycle worker. Answers []model.Bucket.
type ListLifecycleBuckets struct{}

func (ListLifecycleBuckets) OpName() string { return "ListLifecycleBuckets" }

func (s *Service) listLifecycleBuckets(now cluster.Time, done Done) {
	readAll(now, s.tables.Buckets, func(now cluster.Time, items []table.Item[model.Bucket], err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		out := []model.Bucket{}
		for _, it := range items {
			if _, ok := it.Entry.Config(model.ConfigLifecycle); ok && !it.Entry.Deleted {
				out = append(out, it.Entry)
			}
		}
		done(now, out, nil)
	})
}
