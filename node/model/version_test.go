package model

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
	"pgregory.net/rapid"
)

var (
	genVersionBlock = rapid.Custom(func(t *rapid.T) VersionBlock {
		return VersionBlock{
			Part:   rapid.Uint32Range(0, 1).Draw(t, "part"),
			Offset: rapid.Uint64Range(0, 2).Draw(t, "offset"),
			Hash:   cluster.Hash{rapid.ByteRange(0, 1).Draw(t, "hash")},
			Size:   rapid.Uint64Range(1, 2).Draw(t, "size"),
		}
	})
	genPartETag = rapid.Custom(func(t *rapid.T) PartETag {
		return PartETag{Part: rapid.Uint32Range(1, 3).Draw(t, "part"), ETag: rapid.SampledFrom([]string{"a", "b"}).Draw(t, "etag"),
			Checksum: rapid.SampledFrom([]string{"", "c"}).Draw(t, "checksum")}
	})
	// genVersion builds versions as writers might: lists in any order, a
	// position possibly twice with different blocks.
	genVersion = rapid.Custom(func(t *rapid.T) Version {
		return Version{
			ID:        VersionID{9},
			Deleted:   rapid.IntRange(0, 4).Draw(t, "deleted") == 0,
			Bucket:    BucketID{rapid.ByteRange(0, 1).Draw(t, "bucket")},
			Key:       rapid.SampledFrom([]string{"", "a", "b"}).Draw(t, "key"),
			Blocks:    rapid.SliceOfN(genVersionBlock, 0, 4).Draw(t, "blocks"),
			PartETags: rapid.SliceOfN(genPartETag, 0, 3).Draw(t, "etags"),
		}
	})
)

func TestVersionJoinLaws(t *testing.T) { checkJoinLaws(t, genVersion, DecodeVersion) }

func TestVersionOnlyCanonicalDecodes(t *testing.T) {
	checkOnlyCanonicalDecodes(t, genVersion, DecodeVersion, Version.encode)
}

func TestVersionDecodeGarbage(t *testing.T) {
	checkGarbage(t, genVersion, DecodeVersion, Version.canonical)
}

func FuzzDecodeVersion(f *testing.F) { fuzzDecoder(f, genVersion, DecodeVersion, Version.canonical) }

// Every block position either side holds is in the join (unless deleted),
// in data order, and Size adds them up.
func TestVersionJoinUnionsBlocks(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genVersion.Draw(t, "a"), genVersion.Draw(t, "b")
		j := a.Join(b)
		blocks := j.BlocksInOrder()
		if j.Deleted {
			if len(blocks) != 0 || j.Size() != 0 {
				t.Fatalf("deleted version has blocks %+v", blocks)
			}
			return
		}
		if !slices.IsSortedFunc(blocks, compareBlockPositions) {
			t.Fatalf("blocks out of order: %+v", blocks)
		}
		var size uint64
		for _, blk := range blocks {
			size += blk.Size
		}
		if j.Size() != size {
			t.Fatalf("size %d, blocks add up to %d", j.Size(), size)
		}
		for _, blk := range slices.Concat(a.Blocks, b.Blocks) {
			if _, found := slices.BinarySearchFunc(blocks, blk, compareBlockPositions); !found {
				t.Fatalf("block at %d/%d lost", blk.Part, blk.Offset)
			}
		}
	})
}

func TestVersionDeletedBeatsBlocks(t *testing.T) {
	live := Version{ID: VersionID{1}, Bucket: testBucket, Key: "k", Blocks: []VersionBlock{{Hash: cluster.Hash{1}, Size: 10}},
		PartETags: []PartETag{{Part: 1, ETag: "e"}}}
	tomb := Version{ID: VersionID{1}, Deleted: true}
	for _, v := range []Version{live.Join(tomb), tomb.Join(live)} {
		if !v.Deleted || len(v.Blocks) != 0 || len(v.PartETags) != 0 || v.Size() != 0 {
			t.Fatalf("got %+v, want deleted without blocks", v)
		}
		if v.Bucket != testBucket || v.Key != "k" {
			t.Fatalf("back-link lost: %+v", v)
		}
		// A block listed late does not come back.
		if again := v.Join(live); !again.Deleted || len(again.Blocks) != 0 {
			t.Fatalf("block came back: %+v", again)
		}
	}
	// A deleted version is encoded without its lists, whatever it holds.
	if !bytes.Equal(encoded(Version{ID: VersionID{1}, Deleted: true, Bucket: testBucket, Key: "k", Blocks: live.Blocks}), encoded(live.Join(tomb))) {
		t.Fatal("deleted version encoded with blocks")
	}
}

func TestVersionBlocksInOrder(t *testing.T) {
	h := func(b byte) cluster.Hash { return cluster.Hash{b} }
	// Two writers each list the blocks they stored, in any order.
	a := Version{ID: VersionID{1}, Blocks: []VersionBlock{{Part: 2, Offset: 0, Hash: h(3), Size: 4}, {Part: 1, Offset: 5, Hash: h(2), Size: 3}}}
	b := Version{ID: VersionID{1}, Blocks: []VersionBlock{{Part: 1, Offset: 0, Hash: h(1), Size: 5}}}
	want := []VersionBlock{{Part: 1, Offset: 0, Hash: h(1), Size: 5}, {Part: 1, Offset: 5, Hash: h(2), Size: 3}, {Part: 2, Offset: 0, Hash: h(3), Size: 4}}
	for _, v := range []Version{a.Join(b), b.Join(a)} {
		if got := v.BlocksInOrder(); !slices.Equal(got, want) {
			t.Fatalf("blocks %+v", got)
		}
		if v.Size() != 12 {
			t.Fatalf("size %d", v.Size())
		}
	}
	// Unsorted as built: still in order, without touching the entry.
	if got := a.BlocksInOrder(); got[0].Part != 1 || a.Blocks[0].Part != 2 {
		t.Fatalf("blocks %+v, entry %+v", got, a.Blocks)
	}
}

func TestVersionDecodeRejects(t *testing.T) {
	raw := func(v Version) []byte { return rawEncoded(v, Version.encode) }
	blk := func(part uint32, off uint64) VersionBlock { return VersionBlock{Part: part, Offset: off, Size: 1} }
	cases := map[string][]byte{
		"unsorted blocks":   raw(Version{Blocks: []VersionBlock{blk(1, 0), blk(0, 5)}}),
		"unsorted offsets":  raw(Version{Blocks: []VersionBlock{blk(0, 5), blk(0, 0)}}),
		"repeated position": raw(Version{Blocks: []VersionBlock{blk(0, 0), {Part: 0, Offset: 0, Hash: cluster.Hash{1}}}}),
		"unsorted etags":    raw(Version{PartETags: []PartETag{{Part: 2, ETag: "a"}, {Part: 1, ETag: "b"}}}),
		"repeated etag":     raw(Version{PartETags: []PartETag{{Part: 1, ETag: "a"}, {Part: 1, ETag: "b"}}}),
		"bad deleted flag":  func() []byte { b := raw(Version{}); b[16] = 2; return b }(),
	}
	// A part number beyond 32 bits.
	e := wire.NewEncoder(nil)
	Version{}.encode(e)
	prefix := e.Bytes()[:len(e.Bytes())-2] // drop the two empty list lengths
	e = wire.NewEncoder(append([]byte(nil), prefix...))
	e.Uvarint(1)
	e.Uvarint(math.MaxUint32 + 1)
	e.Uvarint(0)
	e.Raw(make([]byte, 32))
	e.Uvarint(1)
	e.Uvarint(0)
	cases["part number overflow"] = e.Bytes()
	for name, b := range cases {
		if _, err := decodeAll(b, DecodeVersion); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := decodeAll(raw(Version{Blocks: []VersionBlock{blk(0, 0), blk(0, 5), blk(1, 0)}, PartETags: []PartETag{{Part: 1, ETag: "a"}, {Part: 2, ETag: "a"}}}), DecodeVersion); err != nil {
		t.Errorf("canonical version refused: %v", err)
	}
}
