package model

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// AdminTokensTable holds the admin API's user-defined tokens.
const AdminTokensTable table.ID = 18

// AdminToken is the entry of the admin tokens table (partition key "", sort
// key the token's public prefix). A bearer token reads "<prefix>.<secret>";
// only an Argon2id hash of the whole token is kept (Hash, a PHC string as
// Garage stores it), computed by the runtime, which also draws the prefix
// and the secret: the core never sees a secret.
type AdminToken struct {
	Prefix  string
	Created uint64 // milliseconds
	Deleted bool
	Hash    string // set once at creation
	Name    crdt.Register
	// Expiration holds 8 big-endian bytes of milliseconds, or none: never.
	Expiration crdt.Register
	// Scope holds the endpoint names the token may call, "\n"-joined;
	// "*" allows every one.
	Scope crdt.Register
}

// RegisterAdminTokens adds the admin tokens table to e.
func RegisterAdminTokens(e *table.Engine) *table.Table[AdminToken] {
	return table.Register(e, table.Schema[AdminToken]{ID: AdminTokensTable, Name: "admin_tokens", Decode: DecodeAdminToken,
		Replication: table.FullCopy, Tombstone: func(t AdminToken) bool { return t.Deleted }})
}

// AdminTokenKey is the token's entry key.
func AdminTokenKey(prefix string) table.Key { return table.Key{Sort: prefix} }

// Join merges two states of one token. Deletion wins and drops the rest.
func (t AdminToken) Join(o AdminToken) AdminToken {
	out := AdminToken{Prefix: t.Prefix, Created: minNonZero(t.Created, o.Created)}
	if t.Deleted || o.Deleted {
		out.Deleted = true
		return out
	}
	out.Hash = max(t.Hash, o.Hash)
	out.Name = t.Name.Join(o.Name)
	out.Expiration = t.Expiration.Join(o.Expiration)
	out.Scope = t.Scope.Join(o.Scope)
	return out
}

// Encode writes t canonically.
func (t AdminToken) Encode(e *wire.Encoder) {
	e.String(t.Prefix)
	e.Uvarint(t.Created)
	e.Bool(t.Deleted)
	if t.Deleted {
		return
	}
	e.String(t.Hash)
	t.Name.Encode(e)
	t.Expiration.Encode(e)
	t.Scope.Encode(e)
}

// DecodeAdminToken reads an AdminToken.
func DecodeAdminToken(d *wire.Decoder) AdminToken {
	t := AdminToken{Prefix: d.String(), Created: d.Uvarint(), Deleted: d.Bool()}
	if t.Deleted {
		return t
	}
	t.Hash = d.String()
	t.Name = crdt.DecodeRegister(d)
	t.Expiration = crdt.DecodeRegister(d)
	t.Scope = crdt.DecodeRegister(d)
	return t
}

// DisplayName is the token's name.
func (t AdminToken) DisplayName() string { return string(t.Name.Value) }

// ExpiresAt is the token's expiration in milliseconds, if it has one.
func (t AdminToken) ExpiresAt() (uint64, bool) {
	if !t.Expiration.Live() || len(t.Expiration.Value) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(t.Expiration.Value), true
}

// Expired reports whether the token has expired at nowMillis.
func (t AdminToken) Expired(nowMillis uint64) bool {
	exp, ok := t.ExpiresAt()
	return ok && nowMillis >= exp
}

// EncodeExpiration is the Expiration register's value for ms (nil: never).
func EncodeExpiration(ms *uint64) []byte {
	if ms == nil {
		return nil
	}
	return binary.BigEndian.AppendUint64(nil, *ms)
}

// Scopes lists the endpoint names the token may call.
func (t AdminToken) Scopes() []string {
	if !t.Scope.Live() || len(t.Scope.Value) == 0 {
		return []string{}
	}
	return strings.Split(string(t.Scope.Value), "\n")
}

// EncodeScope is the Scope register's value for names.
func EncodeScope(names []string) []byte { return []byte(strings.Join(names, "\n")) }

// Allows reports whether the token's scope covers endpoint.
func (t AdminToken) Allows(endpoint string) bool {
	return slices.ContainsFunc(t.Scopes(), func(s string) bool { return s == "*" || s == endpoint })
}

// ValidAdminTokenPrefix checks a token prefix: 24 lowercase hex digits, as
// Garage draws them.
func ValidAdminTokenPrefix(p string) error {
	if len(p) != 24 || !isHex(p) {
		return fmt.Errorf("admin token id %q: want 24 hex digits", p)
	}
	return nil
}

// ValidScopeName checks one scope entry: "*" or an endpoint name (no
// separator that would split it).
func ValidScopeName(s string) error {
	if s == "" || strings.ContainsAny(s, "\n ,") {
		return fmt.Errorf("scope entry %q: want an endpoint name or *", s)
	}
	return nil
}
