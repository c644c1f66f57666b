package meta

import (
	"fmt"
	"testing"

	"github.com/garagego/garage/node/wire"
)

func TestStoreRecordsAndReplays(t *testing.T) {
	s := New()
	s.Put("b", []byte("2"))
	s.Put("a", []byte("1"))
	s.Put("c", []byte("3"))
	s.Delete("b")
	s.Delete("missing") // not a change: no record
	recs := s.TakePending()
	if len(recs) != 4 || s.HasPending() {
		t.Fatalf("want 4 records and none pending, got %d", len(recs))
	}

	// Replaying the records through the codec rebuilds the same store.
	r := New()
	for _, rec := range recs {
		e := wire.NewEncoder(nil)
		rec.Encode(e)
		d := wire.NewDecoder(e.Bytes())
		back := DecodeRecord(d)
		if err := d.Finish(); err != nil {
			t.Fatal(err)
		}
		r.Replay(back)
	}
	if r.HasPending() {
		t.Fatal("replay must not record")
	}
	var got []string
	r.Range("", "", func(k string, v []byte) bool { got = append(got, k+"="+string(v)); return true })
	if fmt.Sprint(got) != "[a=1 c=3]" {
		t.Fatalf("replayed store: %v", got)
	}
	if r.Bytes() != s.Bytes() || r.Bytes() != 4 {
		t.Fatalf("bytes: %d vs %d", r.Bytes(), s.Bytes())
	}
}

func TestRangeBounds(t *testing.T) {
	s := New()
	for _, k := range []string{"a", "b", "c", "d"} {
		s.Put(k, nil)
	}
	var got []string
	s.Range("b", "d", func(k string, _ []byte) bool { got = append(got, k); return true })
	if fmt.Sprint(got) != "[b c]" {
		t.Fatalf("range [b,d): %v", got)
	}
	got = nil
	s.Range("b", "", func(k string, _ []byte) bool { got = append(got, k); return len(got) < 2 })
	if fmt.Sprint(got) != "[b c]" {
		t.Fatalf("range stopped early: %v", got)
	}
}

func TestSnapshotIsFrozen(t *testing.T) {
	s := New()
	s.Put("a", []byte("1"))
	snap := s.Snapshot()
	s.Put("b", []byte("2"))
	s.Delete("a")
	var got []string
	snap.Each(func(k string, v []byte) bool { got = append(got, k+"="+string(v)); return true })
	if fmt.Sprint(got) != "[a=1]" {
		t.Fatalf("snapshot changed under writes: %v", got)
	}
}

func TestChangeDuringRangePanics(t *testing.T) {
	s := New()
	s.Put("a", nil)
	defer func() {
		if recover() == nil {
			t.Fatal("changing the store inside Range must panic, not corrupt the iteration")
		}
	}()
	s.Range("", "", func(string, []byte) bool { s.Put("b", nil); return true })
}
