package blockstore

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestCompressRoundTripAtSeveralLevels(t *testing.T) {
	text, _ := compressible(3, 1<<20)
	random, _ := block(3, 64<<10)
	for _, level := range []int{-99, -5, 0, 1, 3, 7, 19, 22} {
		for name, plain := range map[string][]byte{"text": text, "random": random, "empty": {}} {
			stored, err := Compress(plain, level)
			if err != nil {
				t.Fatalf("level %d %s: Compress: %v", level, name, err)
			}
			if len(stored) == 0 {
				t.Fatalf("level %d %s: empty frame", level, name)
			}
			got, err := Decompress(stored)
			if err != nil {
				t.Fatalf("level %d %s: Decompress: %v", level, name, err)
			}
			if !bytes.Equal(got, plain) {
				t.Fatalf("level %d %s: round trip changed the data", level, name)
			}
		}
	}
	small, _ := Compress(text, 1)
	if len(small) > len(text)/3 {
		t.Errorf("text compressed to %d of %d bytes", len(small), len(text))
	}
}

func TestCompressRejectsLevelsOutsideGarageRange(t *testing.T) {
	for _, level := range []int{-100, 23} {
		if _, err := Compress([]byte("x"), level); err == nil {
			t.Errorf("level %d accepted", level)
		}
	}
}

func TestEncoderLevelMapping(t *testing.T) {
	cases := map[int]zstd.EncoderLevel{
		-99: zstd.SpeedFastest, -1: zstd.SpeedFastest, 1: zstd.SpeedFastest, 2: zstd.SpeedFastest,
		0: zstd.SpeedDefault, 3: zstd.SpeedDefault, 5: zstd.SpeedDefault,
		6: zstd.SpeedBetterCompression, 9: zstd.SpeedBetterCompression,
		10: zstd.SpeedBestCompression, 22: zstd.SpeedBestCompression,
	}
	for level, want := range cases {
		if got, err := EncoderLevel(level); err != nil || got != want {
			t.Errorf("EncoderLevel(%d) = %v, %v; want %v", level, got, err, want)
		}
	}
}

func TestDecompressGarbageIsAnError(t *testing.T) {
	valid, _ := Compress(bytes.Repeat([]byte("block "), 5000), 1)
	inputs := map[string][]byte{
		"empty":     nil,
		"text":      []byte("this is not a zstd frame"),
		"magic":     {0x28, 0xb5, 0x2f, 0xfd},
		"truncated": valid[:len(valid)/2],
		"no crc":    valid[:len(valid)-1],
	}
	for name, in := range inputs {
		if _, err := Decompress(in); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	// Every single flipped byte must be caught, by framing or checksum.
	for i := range valid {
		bad := bytes.Clone(valid)
		bad[i] ^= 0x40
		if out, err := Decompress(bad); err == nil && bytes.Equal(out, bytes.Repeat([]byte("block "), 5000)) {
			continue // a flip in an unused header bit may still decode correctly
		} else if err == nil {
			t.Errorf("flip at %d decoded to wrong data without error", i)
		}
	}
}

func FuzzDecompress(f *testing.F) {
	valid, _ := Compress([]byte("some block content, some block content"), 1)
	f.Add(valid)
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0})
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, in []byte) {
		Decompress(in) // must not panic nor exhaust memory
	})
}
