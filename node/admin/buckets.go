package admin

import (
	"fmt"
	"strings"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
)

func (s *Service) createBucket(now cluster.Time, op CreateBucket, done Done) {
	if err := model.ValidBucketName(op.Name); err != nil {
		done(now, nil, fmt.Errorf("%w: %v", ErrInvalid, err))
		return
	}
	id, err := model.ParseBucketID(op.ID)
	if err != nil {
		done(now, nil, fmt.Errorf("%w: %v", ErrInvalid, err))
		return
	}
	s.tables.Aliases.Get(now, model.AliasKey(op.Name), func(now cluster.Time, alias model.Alias, _ bool, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		if _, taken := alias.Bucket(); taken {
			done(now, nil, fmt.Errorf("%w: bucket name %q is already taken", ErrConflict, op.Name))
			return
		}
		stamp := s.stamp(now, alias.Stamp)
		b := model.Bucket{ID: id, Created: now.Millis()}
		b.GlobalAliases = b.GlobalAliases.Set(op.Name, crdt.Put(stamp, []byte{1}))
		s.tables.Buckets.Insert(now, model.BucketKey(id), b, then(done, func(now cluster.Time) {
			s.tables.Aliases.Insert(now, model.AliasKey(op.Name), model.Alias{Register: crdt.Put(stamp, id[:])}, then(done, func(now cluster.Time) {
				done(now, bucketInfo(b, nil), nil)
			}))
		}))
	})
}

func (s *Service) listBuckets(now cluster.Time, done Done) {
	readAll(now, s.tables.Buckets, func(now cluster.Time, items []table.Item[model.Bucket], err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		out := []BucketInfo{}
		for _, it := range items {
			if !it.Entry.Deleted {
				out = append(out, bucketInfo(it.Entry, nil))
			}
		}
		done(now, out, nil)
	})
}

func (s *Service) getBucket(now cluster.Time, op GetBucket, done Done) {
	s.resolveBucket(now, op.Name, done, func(now cluster.Time, b model.Bucket) {
		readAll(now, s.tables.Keys, func(now cluster.Time, keys []table.Item[model.Key], err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			info := bucketInfo(b, keys)
			s.objects.Usage(now, b, func(now cluster.Time, u model.Usage, err error) {
				if err != nil {
					done(now, nil, fmt.Errorf("count the bucket's objects: %w", err))
					return
				}
				info.Usage = &u
				done(now, info, nil)
			})
		})
	})
}

func (s *Service) inspectObject(now cluster.Time, op InspectObject, done Done) {
	s.resolveBucket(now, op.Bucket, done, func(now cluster.Time, b model.Bucket) {
		s.objects.Entry(now, b.ID, op.Key, func(now cluster.Time, o model.Object, err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			info := ObjectInfo{Bucket: b.ID.String(), Key: op.Key, Versions: []VersionInfo{}}
			cur, hasCurrent := o.LastComplete()
			for _, v := range o.Versions {
				vi := VersionInfo{ID: v.S3VersionID(), Internal: v.ID.String(), Timestamp: v.Timestamp, State: v.State.Kind.String(),
					Current: hasCurrent && v.ID == cur.ID, Size: v.State.Meta.Size, ETag: v.State.Meta.ETag}
				if v.State.Kind == model.Complete {
					vi.Kind = v.State.Data.String()
				}
				for _, a := range v.State.Attrs {
					if vi.Attrs == nil {
						vi.Attrs = map[string]string{}
					}
					vi.Attrs[a.Name] = string(a.Value)
				}
				vi.Lock = describeLock(v.State)
				vi.Multipart = v.State.Multipart
				for _, h := range v.State.Meta.Headers {
					vi.Headers = append(vi.Headers, HeaderInfo{Name: h.Name, Value: h.Value})
				}
				info.Versions = append(info.Versions, vi)
			}
			s.versionBlocks(now, o.Versions, info, done)
		})
	})
}

// versionBlocks fills in the blocks of each version, one version after
// the other, and answers info.
func (s *Service) versionBlocks(now cluster.Time, versions []model.ObjectVersion, info ObjectInfo, done Done) {
	var next func(now cluster.Time, i int)
	next = func(now cluster.Time, i int) {
		if i == len(versions) {
			done(now, info, nil)
			return
		}
		s.objects.VersionBlocks(now, versions[i], func(now cluster.Time, blocks []model.VersionBlock, err error) {
			if err != nil {
				done(now, nil, fmt.Errorf("inspect %q: %w", info.Key, err))
				return
			}
			for _, b := range blocks {
				info.Versions[i].Blocks = append(info.Versions[i].Blocks, BlockPos{Part: b.Part, Offset: b.Offset, Hash: b.Hash.String(), Size: b.Size})
			}
			next(now, i+1)
		})
	}
	next(now, 0)
}

func bucketInfo(b model.Bucket, keys []table.Item[model.Key]) BucketInfo {
	info := BucketInfo{ID: b.ID.String(), Created: b.Created, Aliases: b.Aliases(), LocalAliases: b.LocalAliases.Keys(),
		Versioning: string(b.Versioning())}
	_, info.ObjectLock = b.Config(model.ConfigObjectLock)
	if q := b.Quotas(); q.Any() {
		info.Quotas = &q
	}
	if info.Aliases == nil {
		info.Aliases = []string{}
	}
	names := map[string]string{}
	for _, k := range keys {
		names[k.Entry.ID] = k.Entry.DisplayName()
	}
	for _, id := range b.AuthorizedKeys() {
		p := b.KeyPerms(id)
		info.Keys = append(info.Keys, BucketKey{ID: id, Name: names[id], Read: p.Read, Write: p.Write, Owner: p.Owner})
	}
	return info
}

// describeLock says what locks a complete version, for an operator.
func describeLock(s model.VersionState) string {
	if s.Kind != model.Complete {
		return ""
	}
	l, err := model.LockOf(s)
	if err != nil {
		return "undecodable: " + err.Error()
	}
	var parts []string
	if !l.Retention.IsZero() {
		until := time.UnixMilli(int64(l.Retention.Until)).UTC().Format(time.RFC3339)
		parts = append(parts, string(l.Retention.Mode)+" until "+until)
	}
	if l.LegalHold {
		parts = append(parts, "legal hold")
	}
	return strings.Join(parts, ", ")
}

// resolveBucket finds a live bucket by global alias, full id or unique id
// prefix.
func (s *Service) resolveBucket(now cluster.Time, name string, done Done, next func(cluster.Time, model.Bucket)) {
	if name == "" {
		done(now, nil, fmt.Errorf("%w: empty bucket name", ErrInvalid))
		return
	}
	if id, err := model.ParseBucketID(name); err == nil {
		// 64 hex digits: too long for an alias (at most 63), so an id.
		s.getBucketByID(now, id, name, done, next)
		return
	}
	s.tables.Aliases.Get(now, model.AliasKey(name), func(now cluster.Time, alias model.Alias, _ bool, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		if id, ok := alias.Bucket(); ok {
			s.getBucketByID(now, id, name, done, next)
			return
		}
		readAll(now, s.tables.Buckets, func(now cluster.Time, items []table.Item[model.Bucket], err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			var matches []model.Bucket
			for _, it := range items {
				if !it.Entry.Deleted && len(name) >= 8 && strings.HasPrefix(it.Entry.ID.String(), strings.ToLower(name)) {
					matches = append(matches, it.Entry)
				}
			}
			switch len(matches) {
			case 0:
				done(now, nil, notFound("bucket", name))
			case 1:
				next(now, matches[0])
			default:
				done(now, nil, fmt.Errorf("%w: %q matches %d buckets", ErrAmbiguous, name, len(matches)))
			}
		})
	})
}

func (s *Service) getBucketByID(now cluster.Time, id model.BucketID, name string, done Done, next func(cluster.Time, model.Bucket)) {
	s.tables.Buckets.Get(now, model.BucketKey(id), func(now cluster.Time, b model.Bucket, found bool, err error) {
		switch {
		case err != nil:
			done(now, nil, err)
		case !found || b.Deleted:
			done(now, nil, notFound("bucket", name))
		default:
			next(now, b)
		}
	})
}

// deleteBucket deletes a bucket that holds no object.
func (s *Service) deleteBucket(now cluster.Time, op DeleteBucket, done Done) {
	s.resolveBucket(now, op.Name, done, func(now cluster.Time, b model.Bucket) {
		s.objects.BucketEmpty(now, b, func(now cluster.Time, empty bool, err error) {
			switch {
			case err != nil:
				done(now, nil, err)
			case !empty:
				done(now, nil, fmt.Errorf("%w: bucket %s still holds objects", ErrBucketNotEmpty, op.Name))
			default:
				s.deleteEmptyBucket(now, b, done)
			}
		})
	})
}

// deleteEmptyBucket frees the bucket's aliases, revokes every key's rights
// and local aliases on it, then marks it deleted for good.
func (s *Service) deleteEmptyBucket(now cluster.Time, b model.Bucket, done Done) {
	s.freeAliases(now, b, b.Aliases(), then(done, func(now cluster.Time) {
		readAll(now, s.tables.Keys, func(now cluster.Time, items []table.Item[model.Key], err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			var touched []model.Key
			for _, it := range items {
				k := it.Entry
				if k.Deleted {
					continue
				}
				changed := false
				if r := k.Buckets.Get(b.ID.String()); r.Live() {
					k.Buckets = k.Buckets.Set(b.ID.String(), crdt.Put(s.stamp(now, r.Stamp), []byte{0}))
					changed = true
				}
				for _, name := range k.LocalAliases.Keys() {
					if r := k.LocalAliases.Get(name); string(r.Value) == string(b.ID[:]) {
						k.LocalAliases = k.LocalAliases.Set(name, crdt.Tombstone(s.stamp(now, r.Stamp)))
						changed = true
					}
				}
				if changed {
					touched = append(touched, k)
				}
			}
			putAll(now, s.tables.Keys, keyKey, touched, then(done, func(now cluster.Time) {
				s.tables.Buckets.Insert(now, model.BucketKey(b.ID), model.Bucket{ID: b.ID, Created: b.Created, Deleted: true}, then(done, func(now cluster.Time) {
					done(now, bucketInfo(b, nil), nil)
				}))
			}))
		})
	}))
}

// freeAliases tombstones the global aliases that still point to b.
func (s *Service) freeAliases(now cluster.Time, b model.Bucket, names []string, done func(cluster.Time, error)) {
	if len(names) == 0 {
		done(now, nil)
		return
	}
	name := names[0]
	s.tables.Aliases.Get(now, model.AliasKey(name), func(now cluster.Time, alias model.Alias, _ bool, err error) {
		if err != nil {
			done(now, err)
			return
		}
		next := func(now cluster.Time, err error) {
			if err != nil {
				done(now, err)
				return
			}
			s.freeAliases(now, b, names[1:], done)
		}
		if id, ok := alias.Bucket(); !ok || id != b.ID {
			next(now, nil) // already moved to another bucket
			return
		}
		s.tables.Aliases.Insert(now, model.AliasKey(name), model.Alias{Register: crdt.Tombstone(s.stamp(now, alias.Stamp))}, next)
	})
}

func (s *Service) setBucketPerms(now cluster.Time, op SetBucketPerms, done Done) {
	flags := model.Perms{Read: op.Read, Write: op.Write, Owner: op.Owner}
	if !flags.Any() {
		done(now, nil, fmt.Errorf("%w: give at least one of --read, --write, --owner", ErrInvalid))
		return
	}
	s.resolveBucket(now, op.Bucket, done, func(now cluster.Time, b model.Bucket) {
		s.resolveKey(now, op.Key, done, func(now cluster.Time, k model.Key) {
			perms := k.BucketPerms(b.ID).Or(b.KeyPerms(k.ID))
			if op.Allow {
				perms = perms.Or(flags)
			} else {
				perms = perms.AndNot(flags)
			}
			stamp := s.stamp(now, k.Buckets.Get(b.ID.String()).Stamp, b.Keys.Get(k.ID).Stamp)
			value := []byte{perms.Byte()}
			k.Buckets = k.Buckets.Set(b.ID.String(), crdt.Put(stamp, value))
			b.Keys = b.Keys.Set(k.ID, crdt.Put(stamp, value))
			s.tables.Keys.Insert(now, model.KeyKey(k.ID), k, then(done, func(now cluster.Time) {
				s.tables.Buckets.Insert(now, model.BucketKey(b.ID), b, then(done, func(now cluster.Time) {
					done(now, bucketInfo(b, []table.Item[model.Key]{{Entry: k}}), nil)
				}))
			}))
		})
	})
}

func (s *Service) aliasBucket(now cluster.Time, op AliasBucket, done Done) {
	if err := model.ValidBucketName(op.Alias); err != nil {
		done(now, nil, fmt.Errorf("%w: %v", ErrInvalid, err))
		return
	}
	s.resolveBucket(now, op.Bucket, done, func(now cluster.Time, b model.Bucket) {
		if op.LocalKey != "" {
			s.localAlias(now, b, op, done)
			return
		}
		s.tables.Aliases.Get(now, model.AliasKey(op.Alias), func(now cluster.Time, alias model.Alias, _ bool, err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			current, used := alias.Bucket()
			stamp := s.stamp(now, alias.Stamp, b.GlobalAliases.Get(op.Alias).Stamp)
			var reg crdt.Register
			switch {
			case op.Remove && (!used || current != b.ID):
				done(now, nil, fmt.Errorf("%w: %q is not an alias of bucket %s", ErrNotFound, op.Alias, b.ID))
				return
			case op.Remove && len(b.Aliases())+len(b.LocalAliases.Keys()) == 1:
				done(now, nil, fmt.Errorf("%w: %q is the bucket's last alias; removing it would leave the bucket unreachable (delete the bucket instead)", ErrConflict, op.Alias))
				return
			case op.Remove:
				reg = crdt.Tombstone(stamp)
				b.GlobalAliases = b.GlobalAliases.Set(op.Alias, crdt.Tombstone(stamp))
			case used && current != b.ID:
				done(now, nil, fmt.Errorf("%w: alias %q already points to another bucket", ErrConflict, op.Alias))
				return
			default:
				reg = crdt.Put(stamp, b.ID[:])
				b.GlobalAliases = b.GlobalAliases.Set(op.Alias, crdt.Put(stamp, []byte{1}))
			}
			s.tables.Buckets.Insert(now, model.BucketKey(b.ID), b, then(done, func(now cluster.Time) {
				s.tables.Aliases.Insert(now, model.AliasKey(op.Alias), model.Alias{Register: reg}, then(done, func(now cluster.Time) {
					done(now, bucketInfo(b, nil), nil)
				}))
			}))
		})
	})
}

// localAlias adds or removes an alias in one key's own namespace.
func (s *Service) localAlias(now cluster.Time, b model.Bucket, op AliasBucket, done Done) {
	s.resolveKey(now, op.LocalKey, done, func(now cluster.Time, k model.Key) {
		r := k.LocalAliases.Get(op.Alias)
		bucketSide := k.ID + "/" + op.Alias
		stamp := s.stamp(now, r.Stamp, b.LocalAliases.Get(bucketSide).Stamp)
		switch {
		case op.Remove && string(r.Value) != string(b.ID[:]):
			done(now, nil, fmt.Errorf("%w: %q is not a local alias of bucket %s for key %s", ErrNotFound, op.Alias, b.ID, k.ID))
			return
		case op.Remove:
			k.LocalAliases = k.LocalAliases.Set(op.Alias, crdt.Tombstone(stamp))
			b.LocalAliases = b.LocalAliases.Set(bucketSide, crdt.Tombstone(stamp))
		case r.Live() && string(r.Value) != string(b.ID[:]):
			done(now, nil, fmt.Errorf("%w: key %s already has a local alias %q for another bucket", ErrConflict, k.ID, op.Alias))
			return
		default:
			k.LocalAliases = k.LocalAliases.Set(op.Alias, crdt.Put(stamp, b.ID[:]))
			b.LocalAliases = b.LocalAliases.Set(bucketSide, crdt.Put(stamp, []byte{1}))
		}
		s.tables.Keys.Insert(now, model.KeyKey(k.ID), k, then(done, func(now cluster.Time) {
			s.tables.Buckets.Insert(now, model.BucketKey(b.ID), b, then(done, func(now cluster.Time) {
				done(now, bucketInfo(b, nil), nil)
			}))
		}))
	})
}
