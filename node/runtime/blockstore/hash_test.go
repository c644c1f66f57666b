package blockstore

import (
	"encoding/hex"
	"testing"
)

func TestSumIsBLAKE3(t *testing.T) {
	// Official BLAKE3 test vector for the empty input.
	const empty = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
	if got := Sum(nil); hex.EncodeToString(got[:]) != empty {
		t.Fatalf("Sum(empty) = %x, want %s", got, empty)
	}
}

func TestHasherMatchesSumAcrossChunkings(t *testing.T) {
	data, want := block(1, 1<<20+123)
	for _, chunk := range []int{1, 7, 1024, 4096, 65537, len(data)} {
		h := NewHasher()
		for i := 0; i < len(data); i += chunk {
			h.Write(data[i:min(i+chunk, len(data))])
		}
		if got := h.Sum(); got != want {
			t.Errorf("chunks of %d: %s, want %s", chunk, got, want)
		}
	}
}

func TestHasherSumDoesNotEndTheStream(t *testing.T) {
	h := NewHasher()
	h.Write([]byte("hello "))
	if got, want := h.Sum(), Sum([]byte("hello ")); got != want {
		t.Fatalf("partial sum %s, want %s", got, want)
	}
	h.Write([]byte("world"))
	if got, want := h.Sum(), Sum([]byte("hello world")); got != want {
		t.Fatalf("sum after more writes %s, want %s", got, want)
	}
	h.Reset()
	if got, want := h.Sum(), Sum(nil); got != want {
		t.Fatalf("sum after Reset %s, want %s", got, want)
	}
}
