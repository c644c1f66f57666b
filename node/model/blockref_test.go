package model

import (
	"testing"

	"github.com/garagego/garage/node/cluster"
	"pgregory.net/rapid"
)

var genBlockRef = rapid.Custom(func(t *rapid.T) BlockRef {
	return BlockRef{Block: cluster.Hash{3}, Version: VersionID{4}, Deleted: rapid.Bool().Draw(t, "deleted")}
})

func TestBlockRefJoinLaws(t *testing.T) { checkJoinLaws(t, genBlockRef, DecodeBlockRef) }

func TestBlockRefDecodeGarbage(t *testing.T) { checkGarbage(t, genBlockRef, DecodeBlockRef, nil) }

func FuzzDecodeBlockRef(f *testing.F) { fuzzDecoder(f, genBlockRef, DecodeBlockRef, nil) }

func TestBlockRefDeletedWins(t *testing.T) {
	live := BlockRef{Block: cluster.Hash{1}, Version: VersionID{2}}
	tomb := live
	tomb.Deleted = true
	if !live.Join(tomb).Deleted || !tomb.Join(live).Deleted || live.Join(live).Deleted {
		t.Fatal("deletion does not win")
	}
	b := encoded(tomb)
	b[len(b)-1] = 2
	if _, err := decodeAll(b, DecodeBlockRef); err == nil {
		t.Fatal("bad deleted flag accepted")
	}
	if _, err := decodeAll(encoded(tomb)[:40], DecodeBlockRef); err == nil {
		t.Fatal("truncated reference accepted")
	}
}
