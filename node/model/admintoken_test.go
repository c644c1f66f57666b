package model

import (
	"bytes"
	"slices"
	"testing"

	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/wire"
	"pgregory.net/rapid"
)

func TestAdminTokenJoinLaws(t *testing.T) {
	gen := rapid.Custom(func(t *rapid.T) AdminToken {
		return AdminToken{Prefix: "p", Created: rapid.Uint64Range(0, 3).Draw(t, "c"), Deleted: rapid.IntRange(0, 4).Draw(t, "d") == 0,
			Hash: rapid.SampledFrom([]string{"", "$argon2id$a", "$argon2id$b"}).Draw(t, "h"),
			Name: genReg.Draw(t, "n"), Expiration: genReg.Draw(t, "e"), Scope: genReg.Draw(t, "s")}.Join(AdminToken{Prefix: "p"})
	})
	rapid.Check(t, func(t *rapid.T) {
		a, b, c := gen.Draw(t, "a"), gen.Draw(t, "b"), gen.Draw(t, "c")
		if !bytes.Equal(enc(a.Join(b)), enc(b.Join(a))) || !bytes.Equal(enc(a.Join(b).Join(c)), enc(a.Join(b.Join(c)))) || !bytes.Equal(enc(a.Join(a)), enc(a)) {
			t.Fatal("admin token join is not a join")
		}
		d := wire.NewDecoder(enc(a))
		if back := DecodeAdminToken(d); d.Finish() != nil || !bytes.Equal(enc(back), enc(a)) {
			t.Fatal("admin token round trip")
		}
	})
}

func TestAdminTokenScopeAndExpiration(t *testing.T) {
	s := crdt.Stamp{TS: 1}
	exp := uint64(1000)
	tok := AdminToken{Prefix: "p", Scope: crdt.Put(s, EncodeScope([]string{"GetClusterStatus", "ListKeys"})), Expiration: crdt.Put(s, EncodeExpiration(&exp))}
	if !tok.Allows("ListKeys") || tok.Allows("CreateBucket") || !slices.Equal(tok.Scopes(), []string{"GetClusterStatus", "ListKeys"}) {
		t.Fatalf("scope %v", tok.Scopes())
	}
	if tok.Expired(999) || !tok.Expired(1000) {
		t.Fatal("expiration")
	}
	all := AdminToken{Scope: crdt.Put(s, EncodeScope([]string{"*"})), Expiration: crdt.Put(s, EncodeExpiration(nil))}
	if !all.Allows("CreateBucket") || all.Expired(1<<62) {
		t.Fatal("a * token that never expires")
	}
	if (AdminToken{}).Allows("GetClusterStatus") {
		t.Fatal("an empty scope allows nothing")
	}
}
