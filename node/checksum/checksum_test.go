package checksum

import (
	"bytes"
	"encoding/base64"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// The CRC combine must give the CRC of the concatenation, for every CRC,
// for empty pieces and for pieces longer than any power of two reached by
// a short test.
func TestFullObjectOfIsTheCRCOfTheConcatenation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, a := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
		for trial := range 200 {
			n := 1 + rng.IntN(6)
			var whole []byte
			var parts []Part
			for range n {
				size := rng.IntN(3000)
				if trial%7 == 0 {
					size = 0
				}
				if trial%11 == 0 {
					size = 70000 + rng.IntN(5000)
				}
				b := make([]byte, size)
				for i := range b {
					b[i] = byte(rng.Uint32())
				}
				whole = append(whole, b...)
				parts = append(parts, Part{Sum: a.Sum(b), Size: uint64(size)})
			}
			got, err := FullObjectOf(a, parts)
			if err != nil {
				t.Fatal(err)
			}
			if want := a.Sum(whole); !bytes.Equal(got, want) {
				t.Fatalf("%s, %d parts: combined %x, the whole object's CRC is %x", a, n, got, want)
			}
		}
	}
}

// Known values: the "check" of each CRC, its value over "123456789", from
// the catalogue of parametrised CRC algorithms (CRC-64/NVME: ae8b14860a799888).
func TestKnownValues(t *testing.T) {
	check := []byte("123456789")
	for _, tc := range []struct {
		a    Algorithm
		want []byte
	}{
		{CRC32, []byte{0xcb, 0xf4, 0x39, 0x26}},
		{CRC32C, []byte{0xe3, 0x06, 0x92, 0x83}},
		{CRC64NVME, []byte{0xae, 0x8b, 0x14, 0x86, 0x0a, 0x79, 0x98, 0x88}},
	} {
		if got := tc.a.Sum(check); !bytes.Equal(got, tc.want) {
			t.Errorf("%s check value %x, want %x", tc.a, got, tc.want)
		}
	}
	// Split "123456789" everywhere: the combine agrees with the check value.
	for _, a := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
		for cut := 0; cut <= len(check); cut++ {
			got, _ := FullObjectOf(a, []Part{{a.Sum(check[:cut]), uint64(cut)}, {a.Sum(check[cut:]), uint64(len(check) - cut)}})
			if !bytes.Equal(got, a.Sum(check)) {
				t.Errorf("%s cut at %d: %x", a, cut, got)
			}
		}
	}
	if got := crc32.ChecksumIEEE(check); got != 0xcbf43926 {
		t.Fatalf("hash/crc32 disagrees with the check value: %x", got)
	}
}

func TestFullObjectOfRefusesNonCRCs(t *testing.T) {
	for _, a := range []Algorithm{None, SHA1, SHA256, SHA512, MD5} {
		if _, err := FullObjectOf(a, []Part{{a.Sum([]byte("x")), 1}}); !errors.Is(err, ErrNotCombinable) {
			t.Errorf("%s: err %v", a, err)
		}
	}
	if _, err := FullObjectOf(CRC32, []Part{{[]byte{1, 2}, 1}}); !errors.Is(err, ErrNotCombinable) {
		t.Errorf("short digest: err %v", err)
	}
}

// A composite checksum is the digest of the parts' raw digests, then "-N".
func TestCompositeOf(t *testing.T) {
	p1, p2 := []byte("first part"), []byte("second part")
	for _, a := range Algorithms {
		s1, s2 := a.Sum(p1), a.Sum(p2)
		got, err := CompositeOf(a, [][]byte{s1, s2})
		if err != nil {
			t.Fatal(err)
		}
		h := a.New()
		h.Write(append(append([]byte{}, s1...), s2...))
		if want := base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-2"; got != want {
			t.Errorf("%s: %s, want %s", a, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, a := range Algorithms {
		for _, name := range []string{a.String(), a.Lower()} {
			if got, err := ParseAlgorithm(name); err != nil || got != a {
				t.Errorf("ParseAlgorithm(%q) = %v, %v", name, got, err)
			}
		}
		if got, err := FromHeader("X-Amz-Checksum-" + a.String()); err != nil || got != a {
			t.Errorf("FromHeader(%s) = %v, %v", a, got, err)
		}
		if _, err := a.Decode(Encode(a.Sum(nil))); err != nil {
			t.Errorf("%s: decode its own value: %v", a, err)
		}
		if _, err := a.Decode(Encode(make([]byte, a.Size()+1))); !errors.Is(err, ErrBadValue) {
			t.Errorf("%s: a value one byte too long: %v", a, err)
		}
		if _, err := a.Decode("not base64!"); !errors.Is(err, ErrBadValue) {
			t.Errorf("%s: bad base64: %v", a, err)
		}
	}
	if a, err := ParseAlgorithm(""); err != nil || a != None {
		t.Errorf("empty: %v %v", a, err)
	}
	for _, name := range []string{"XXHASH64", "xxhash3", "XXHASH128"} {
		if _, err := ParseAlgorithm(name); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"CRC16", "sha3", "crc32 "} {
		if _, err := ParseAlgorithm(name); name != "crc32 " && !errors.Is(err, ErrUnknown) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ParseType("PARTIAL"); !errors.Is(err, ErrBadType) {
		t.Errorf("bad type: %v", err)
	}
}

// S3's table: FULL_OBJECT for the CRCs, COMPOSITE for all but CRC-64/NVME.
func TestSupports(t *testing.T) {
	want := map[Algorithm][2]bool{ // composite, full object
		CRC32: {true, true}, CRC32C: {true, true}, CRC64NVME: {false, true},
		SHA1: {true, false}, SHA256: {true, false}, SHA512: {true, false}, MD5: {true, false},
	}
	for a, w := range want {
		if a.Supports(Composite) != w[0] || a.Supports(FullObject) != w[1] {
			t.Errorf("%s: composite %v full %v, want %v", a, a.Supports(Composite), a.Supports(FullObject), w)
		}
	}
	if (Spec{}).Effective() != Default || (Spec{Algorithm: SHA1}).Effective() != (Spec{SHA1, Composite}) ||
		(Spec{Algorithm: CRC64NVME}).Effective() != (Spec{CRC64NVME, FullObject}) {
		t.Error("effective specs")
	}
}

// BenchmarkAlgorithms measures each algorithm over 1 MiB, the throughput
// every upload pays once (the default CRC-64/NVME on every object).
func BenchmarkAlgorithms(b *testing.B) {
	data := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, a := range Algorithms {
		b.Run(a.String(), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			h := a.New()
			for b.Loop() {
				h.Reset()
				h.Write(data)
				h.Sum(nil)
			}
		})
	}
}

// BenchmarkFullObjectOf10000Parts measures combining the CRCs of an upload
// with S3's largest part count.
func BenchmarkFullObjectOf10000Parts(b *testing.B) {
	parts := make([]Part, 10000)
	for i := range parts {
		parts[i] = Part{Sum: make([]byte, 8), Size: 5 << 20}
	}
	for b.Loop() {
		if _, err := FullObjectOf(CRC64NVME, parts); err != nil {
			b.Fatal(err)
		}
	}
}
