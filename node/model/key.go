package model

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/wire"
)

// Key is the entry of the access keys table (partition key "", sort key the
// key id "GK" + 24 hex digits).
type Key struct {
	ID      string
	Secret  string // 64 hex digits; set once at creation
	Created uint64
	Deleted bool
	Name    crdt.Register
	// AllowCreateBucket holds one byte, 1 or 0.
	AllowCreateBucket crdt.Register
	// Buckets: bucket id hex -> Perms byte; LocalAliases: name -> bucket id.
	Buckets      crdt.Map
	LocalAliases crdt.Map
}

// Join merges two states of one key. Deletion wins and drops the rest.
func (k Key) Join(o Key) Key {
	out := Key{ID: k.ID, Secret: max(k.Secret, o.Secret), Created: minNonZero(k.Created, o.Created)}
	if k.Deleted || o.Deleted {
		out.Deleted = true
		out.Secret = ""
		return out
	}
	out.Name = k.Name.Join(o.Name)
	out.AllowCreateBucket = k.AllowCreateBucket.Join(o.AllowCreateBucket)
	out.Buckets = k.Buckets.Join(o.Buckets)
	out.LocalAliases = k.LocalAliases.Join(o.LocalAliases)
	return out
}

// Encode writes k canonically.
func (k Key) Encode(e *wire.Encoder) {
	e.String(k.ID)
	e.Uvarint(k.Created)
	e.Bool(k.Deleted)
	if k.Deleted {
		return
	}
	e.String(k.Secret)
	k.Name.Encode(e)
	k.AllowCreateBucket.Encode(e)
	k.Buckets.Encode(e)
	k.LocalAliases.Encode(e)
}

// DecodeKey reads a Key.
func DecodeKey(d *wire.Decoder) Key {
	k := Key{ID: d.String(), Created: d.Uvarint(), Deleted: d.Bool()}
	if k.Deleted {
		return k
	}
	k.Secret = d.String()
	k.Name = crdt.DecodeRegister(d)
	k.AllowCreateBucket = crdt.DecodeRegister(d)
	k.Buckets = crdt.DecodeMap(d)
	k.LocalAliases = crdt.DecodeMap(d)
	return k
}

// DisplayName is the key's name ("" if unnamed).
func (k Key) DisplayName() string { return string(k.Name.Value) }

// CanCreateBuckets reports the allow_create_bucket flag.
func (k Key) CanCreateBuckets() bool {
	return k.AllowCreateBucket.Live() && len(k.AllowCreateBucket.Value) == 1 && k.AllowCreateBucket.Value[0] == 1
}

// BucketPerms returns the key's rights on bucket id.
func (k Key) BucketPerms(id BucketID) Perms { return permsOf(k.Buckets.Get(id.String()).Value) }

// ValidKeyID checks Garage's access key id format: "GK" + 24 hex digits.
func ValidKeyID(id string) error {
	if len(id) != 26 || !strings.HasPrefix(id, "GK") || !isHex(id[2:]) {
		return fmt.Errorf("access key id %q: want GK followed by 24 hex digits", id)
	}
	return nil
}

// ValidSecret checks Garage's secret key format: 64 hex digits.
func ValidSecret(secret string) error {
	if len(secret) != 64 || !isHex(secret) {
		return fmt.Errorf("secret key: want 64 hex digits")
	}
	return nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}
