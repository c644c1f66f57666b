package model

import (
	"bytes"
	"testing"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/wire"
	"pgregory.net/rapid"
)

func enc[T interface{ Encode(*wire.Encoder) }](v T) []byte {
	e := wire.NewEncoder(nil)
	v.Encode(e)
	return e.Bytes()
}

var genReg = rapid.Custom(func(t *rapid.T) crdt.Register {
	s := crdt.Stamp{TS: rapid.Uint64Range(1, 3).Draw(t, "ts"), Node: cluster.NodeID{rapid.ByteRange(0, 2).Draw(t, "n")}}
	if rapid.Bool().Draw(t, "del") {
		return crdt.Tombstone(s)
	}
	return crdt.Put(s, []byte{rapid.ByteRange(0, 7).Draw(t, "v")})
})

var genMap = rapid.Custom(func(t *rapid.T) crdt.Map {
	var m crdt.Map
	for range rapid.IntRange(0, 3).Draw(t, "n") {
		m = m.Set(rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "k"), genReg.Draw(t, "r"))
	}
	return m
})

func TestBucketAndKeyJoinLaws(t *testing.T) {
	genBucket := rapid.Custom(func(t *rapid.T) Bucket {
		return Bucket{ID: BucketID{1}, Created: rapid.Uint64Range(0, 3).Draw(t, "c"), Deleted: rapid.IntRange(0, 4).Draw(t, "d") == 0,
			GlobalAliases: genMap.Draw(t, "g"), LocalAliases: genMap.Draw(t, "l"), Keys: genMap.Draw(t, "k")}.Join(Bucket{ID: BucketID{1}})
	})
	genKey := rapid.Custom(func(t *rapid.T) Key {
		return Key{ID: "GK1", Secret: "s", Created: rapid.Uint64Range(0, 3).Draw(t, "c"), Deleted: rapid.IntRange(0, 4).Draw(t, "d") == 0,
			Name: genReg.Draw(t, "n"), AllowCreateBucket: genReg.Draw(t, "a"), Buckets: genMap.Draw(t, "b"), LocalAliases: genMap.Draw(t, "l")}.Join(Key{ID: "GK1"})
	})
	rapid.Check(t, func(t *rapid.T) {
		a, b, c := genBucket.Draw(t, "a"), genBucket.Draw(t, "b"), genBucket.Draw(t, "c")
		if !bytes.Equal(enc(a.Join(b)), enc(b.Join(a))) || !bytes.Equal(enc(a.Join(b).Join(c)), enc(a.Join(b.Join(c)))) || !bytes.Equal(enc(a.Join(a)), enc(a)) {
			t.Fatal("bucket join is not a join")
		}
		d := wire.NewDecoder(enc(a))
		if back := DecodeBucket(d); d.Finish() != nil || !bytes.Equal(enc(back), enc(a)) {
			t.Fatal("bucket round trip")
		}
		x, y, z := genKey.Draw(t, "x"), genKey.Draw(t, "y"), genKey.Draw(t, "z")
		if !bytes.Equal(enc(x.Join(y)), enc(y.Join(x))) || !bytes.Equal(enc(x.Join(y).Join(z)), enc(x.Join(y.Join(z)))) || !bytes.Equal(enc(x.Join(x)), enc(x)) {
			t.Fatal("key join is not a join")
		}
		d = wire.NewDecoder(enc(x))
		if back := DecodeKey(d); d.Finish() != nil || !bytes.Equal(enc(back), enc(x)) {
			t.Fatal("key round trip")
		}
	})
}

func TestDeletionWins(t *testing.T) {
	live := Bucket{ID: BucketID{1}, Created: 5}
	live.GlobalAliases = live.GlobalAliases.Set("photos", crdt.Put(crdt.Stamp{TS: 9}, []byte{1}))
	if got := live.Join(Bucket{ID: BucketID{1}, Created: 5, Deleted: true}); !got.Deleted || len(got.Aliases()) != 0 {
		t.Fatalf("a deleted bucket came back: %+v", got)
	}
}

func TestValidation(t *testing.T) {
	for _, ok := range []string{"abc", "my-bucket.2", "a1b", "xn-a", "my-s3alias-x", "s3alias"} {
		if err := ValidBucketName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"ab", "Abc", "a_b", "-ab", "ab-", "a..b", "192.168.1.1", string(make([]byte, 64)),
		// S3's reserved prefixes and suffixes.
		"xn--bucket", "sthree-bucket", "amzn-s3-demo-bucket", "bucket-s3alias", "bucket--ol-s3", "bucket.mrap", "bucket--x-s3", "bucket--table-s3"} {
		if ValidBucketName(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if ValidKeyID("GK0123456789abcdef01234567") != nil || ValidKeyID("GK0123") == nil || ValidKeyID("XX0123456789abcdef01234567") == nil {
		t.Error("key id validation")
	}
	if ValidSecret("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") != nil || ValidSecret("zz") == nil {
		t.Error("secret validation")
	}
}
