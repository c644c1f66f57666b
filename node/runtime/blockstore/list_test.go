package blockstore

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/garagego/garage/node/cluster"
)

func TestListWalksEveryBlockOnceInOrder(t *testing.T) {
	a, b, ro := t.TempDir(), t.TempDir(), t.TempDir()
	openStore(t, Dir{Path: ro, Capacity: 1}) // mark it as once writable
	s := openStore(t, Dir{Path: a, Capacity: 1}, Dir{Path: b, Capacity: 1}, Dir{Path: ro, ReadOnly: true})
	var want []cluster.Hash
	for i := range 1000 {
		data, h := block(uint64(i), 32)
		want = append(want, h)
		switch {
		case i%10 == 0: // same block in two dirs, in two forms
			placeAt(t, a, h, data, false)
			zst, _ := Compress(data, 1)
			placeAt(t, b, h, zst, true)
		case i%7 == 0:
			placeAt(t, ro, h, data, false)
		case i%2 == 0:
			placeAt(t, a, h, data, false)
		default:
			placeAt(t, b, h, data, false)
		}
	}
	slices.SortFunc(want, func(x, y cluster.Hash) int { return bytes.Compare(x[:], y[:]) })

	// Noise that must not be listed.
	_, q := block(5000, 32)
	placeAt(t, a, q, []byte("x"), false)
	if err := s.Quarantine(q); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(a, "00", "00", "not-a-block"), nil, 0o600)

	var got []cluster.Hash
	batch, err := s.ListFrom(cluster.Hash{}, 37)
	for batches := 0; len(batch) > 0; batches++ {
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) > 37 {
			t.Fatalf("batch of %d, limit 37", len(batch))
		}
		if batches > 1000/37+1 {
			t.Fatal("walk does not end")
		}
		got = append(got, batch...)
		batch, err = s.List(batch[len(batch)-1], 37)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("walk listed %d blocks, want the %d stored, once each, in order", len(got), len(want))
	}
}

func TestListBounds(t *testing.T) {
	s, _ := oneDir(t)
	var hs []cluster.Hash
	for i := range 5 {
		data, h := block(uint64(i), 10)
		mustWrite(t, s, h, data, false)
		hs = append(hs, h)
	}
	slices.SortFunc(hs, func(x, y cluster.Hash) int { return bytes.Compare(x[:], y[:]) })

	if got, _ := s.ListFrom(hs[2], 10); !slices.Equal(got, hs[2:]) {
		t.Errorf("ListFrom includes its start: got %d", len(got))
	}
	if got, _ := s.List(hs[2], 10); !slices.Equal(got, hs[3:]) {
		t.Errorf("List excludes its start: got %d", len(got))
	}
	var max cluster.Hash
	for i := range max {
		max[i] = 0xff
	}
	if got, _ := s.List(max, 10); len(got) != 0 {
		t.Errorf("List after the last hash: %v", got)
	}
	if _, err := s.List(cluster.Hash{}, 0); err == nil {
		t.Error("limit 0 accepted")
	}
}

func TestUsageCountsStoredFiles(t *testing.T) {
	s, _ := oneDir(t)
	var size int64
	for i := range 10 {
		data, h := block(uint64(i), 1000+i)
		mustWrite(t, s, h, data, false)
		size += int64(len(data))
	}
	blocks, bytes, err := s.Usage()
	if err != nil || blocks != 10 || bytes != size {
		t.Fatalf("Usage = %d blocks, %d bytes, %v; want 10, %d", blocks, bytes, err, size)
	}
}
