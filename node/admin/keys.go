package admin

import (
	"fmt"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
)

func (s *Service) createKey(now cluster.Time, id, secret, name string, imported bool, done Done) {
	if err := model.ValidKeyID(id); err != nil {
		done(now, nil, fmt.Errorf("%w: %v", ErrInvalid, err))
		return
	}
	if err := model.ValidSecret(secret); err != nil {
		done(now, nil, fmt.Errorf("%w: %v", ErrInvalid, err))
		return
	}
	s.tables.Keys.Get(now, model.KeyKey(id), func(now cluster.Time, existing model.Key, found bool, err error) {
		switch {
		case err != nil:
			done(now, nil, err)
			return
		case found && existing.Deleted:
			done(now, nil, fmt.Errorf("%w: access key %s was deleted; its id cannot be reused", ErrConflict, id))
			return
		case found:
			done(now, nil, fmt.Errorf("%w: access key %s already exists", ErrConflict, id))
			return
		}
		stamp := s.stamp(now)
		k := model.Key{ID: id, Secret: secret, Created: now.Millis(),
			Name: crdt.Put(stamp, []byte(name)), AllowCreateBucket: crdt.Put(stamp, []byte{0})}
		s.tables.Keys.Insert(now, model.KeyKey(id), k, then(done, func(now cluster.Time) {
			done(now, keyInfo(k, nil, true), nil)
		}))
	})
}

func (s *Service) listKeys(now cluster.Time, done Done) {
	readAll(now, s.tables.Keys, func(now cluster.Time, items []table.Item[model.Key], err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		out := []KeyInfo{}
		for _, it := range items {
			if !it.Entry.Deleted {
				out = append(out, keyInfo(it.Entry, nil, false))
			}
		}
		done(now, out, nil)
	})
}

func (s *Service) getKey(now cluster.Time, op GetKey, done Done) {
	s.resolveKey(now, op.Pattern, done, func(now cluster.Time, k model.Key) {
		readAll(now, s.tables.Buckets, func(now cluster.Time, buckets []table.Item[model.Bucket], err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			done(now, keyInfo(k, buckets, op.ShowSecret), nil)
		})
	})
}

func keyInfo(k model.Key, buckets []table.Item[model.Bucket], showSecret bool) KeyInfo {
	info := KeyInfo{ID: k.ID, Name: k.DisplayName(), Created: k.Created, AllowCreateBucket: k.CanCreateBuckets()}
	if showSecret {
		info.Secret = k.Secret
	}
	for _, b := range buckets {
		if p := k.BucketPerms(b.Entry.ID); p.Any() && !b.Entry.Deleted {
			info.Buckets = append(info.Buckets, KeyBucket{ID: b.Entry.ID.String(), Aliases: b.Entry.Aliases(), Read: p.Read, Write: p.Write, Owner: p.Owner})
		}
	}
	for _, name := range k.LocalAliases.Keys() {
		if info.LocalAliases == nil {
			info.LocalAliases = map[string]string{}
		}
		info.LocalAliases[name] = fmt.Sprintf("%x", k.LocalAliases.Get(name).Value)
	}
	return info
}

// resolveKey finds the one live key matching pattern: its id, a unique id
// prefix, or a unique name.
func (s *Service) resolveKey(now cluster.Time, pattern string, done Done, next func(cluster.Time, model.Key)) {
	if pattern == "" {
		done(now, nil, fmt.Errorf("%w: empty key id or name", ErrInvalid))
		return
	}
	readAll(now, s.tables.Keys, func(now cluster.Time, items []table.Item[model.Key], err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		var byID, byPrefix, byName []model.Key
		for _, it := range items {
			k := it.Entry
			switch {
			case k.Deleted:
			case k.ID == pattern:
				byID = append(byID, k)
			case strings.HasPrefix(k.ID, pattern):
				byPrefix = append(byPrefix, k)
			case k.DisplayName() == pattern:
				byName = append(byName, k)
			}
		}
		for _, matches := range [][]model.Key{byID, byPrefix, byName} {
			switch len(matches) {
			case 0:
				continue
			case 1:
				next(now, matches[0])
			default:
				ids := make([]string, len(matches))
				for i, m := range matches {
					ids[i] = m.ID
				}
				done(now, nil, fmt.Errorf("%w: %q matches several keys: %s", ErrAmbiguous, pattern, strings.Join(ids, ", ")))
			}
			return
		}
		done(now, nil, notFound("access key", pattern))
	})
}

func (s *Service) setKeyFlags(now cluster.Time, op SetKeyFlags, done Done) {
	s.resolveKey(now, op.Pattern, done, func(now cluster.Time, k model.Key) {
		if op.CreateBucket {
			v := byte(0)
			if op.Allow {
				v = 1
			}
			k.AllowCreateBucket = k.AllowCreateBucket.Join(crdt.Put(s.stamp(now, k.AllowCreateBucket.Stamp), []byte{v}))
		}
		s.tables.Keys.Insert(now, model.KeyKey(k.ID), k, then(done, func(now cluster.Time) {
			done(now, keyInfo(k, nil, false), nil)
		}))
	})
}

// deleteKey revokes the key's rights on every bucket, drops its local
// aliases from those buckets, then marks the key deleted for good.
func (s *Service) deleteKey(now cluster.Time, op DeleteKey, done Done) {
	s.resolveKey(now, op.Pattern, done, func(now cluster.Time, k model.Key) {
		readAll(now, s.tables.Buckets, func(now cluster.Time, items []table.Item[model.Bucket], err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			var touched []model.Bucket
			for _, it := range items {
				b := it.Entry
				if b.Deleted {
					continue
				}
				changed := false
				if r := b.Keys.Get(k.ID); r.Live() {
					b.Keys = b.Keys.Set(k.ID, crdt.Put(s.stamp(now, r.Stamp), []byte{0}))
					changed = true
				}
				for _, la := range b.LocalAliases.Keys() {
					if owner, _, _ := strings.Cut(la, "/"); owner == k.ID {
						b.LocalAliases = b.LocalAliases.Set(la, crdt.Tombstone(s.stamp(now, b.LocalAliases.Get(la).Stamp)))
						changed = true
					}
				}
				if changed {
					touched = append(touched, b)
				}
			}
			putAll(now, s.tables.Buckets, bucketKey, touched, then(done, func(now cluster.Time) {
				s.tables.Keys.Insert(now, model.KeyKey(k.ID), model.Key{ID: k.ID, Created: k.Created, Deleted: true}, then(done, func(now cluster.Time) {
					done(now, keyInfo(k, nil, false), nil)
				}))
			}))
		})
	})
}

// putAll writes entries one after another, stopping at the first error.
func putAll[E table.Entry[E]](now cluster.Time, t *table.Table[E], key func(E) table.Key, entries []E, done func(cluster.Time, error)) {
	if len(entries) == 0 {
		done(now, nil)
		return
	}
	t.Insert(now, key(entries[0]), entries[0], func(now cluster.Time, err error) {
		if err != nil {
			done(now, err)
			return
		}
		putAll(now, t, key, entries[1:], done)
	})
}

func bucketKey(b model.Bucket) table.Key { return model.BucketKey(b.ID) }
func keyKey(k model.Key) table.Key       { return model.KeyKey(k.ID) }
