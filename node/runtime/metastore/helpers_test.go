package metastore

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/garagego/garage/node/meta"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// openT opens dir or fails the test.
func openT(t testing.TB, dir string, opts Options) (*Store, *meta.Store) {
	t.Helper()
	st, m, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return st, m
}

func closeT(t testing.TB, st *Store) {
	t.Helper()
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// commitPending commits what the node's loop changed in m, as the
// persister does, and returns the number of records.
func commitPending(t testing.TB, st *Store, m *meta.Store) int {
	t.Helper()
	batch := m.TakePending()
	if err := st.Commit(batch); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return len(batch)
}

// contents is m as a plain map.
func contents(m *meta.Store) map[string]string {
	out := map[string]string{}
	m.Range("", "", func(key string, value []byte) bool {
		out[key] = string(value)
		return true
	})
	return out
}

func assertContents(t testing.TB, m *meta.Store, want map[string]string) {
	t.Helper()
	got := contents(m)
	if maps.Equal(got, want) {
		return
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("key %q: got %.20q (present %v), want %.20q", k, g, ok, v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected key %q", k)
		}
	}
	t.FailNow()
}

// applyBatch makes the changes of batch number n (from 1) of a
// deterministic workload: puts, overwrites and a delete, plus "seq" = n so
// that a recovered map says which batch it ends with.
func applyBatch(m *meta.Store, seed, n uint64) {
	rng := rand.New(rand.NewPCG(seed, n))
	m.Put("seq", []byte(strconv.FormatUint(n, 10)))
	for range 3 {
		value := make([]byte, 20+rng.IntN(300))
		for i := range value {
			value[i] = byte(rng.Uint32())
		}
		m.Put(fmt.Sprintf("k/%03d", rng.IntN(100)), value)
	}
	m.Delete(fmt.Sprintf("k/%03d", rng.IntN(100)))
}

// stateAfter is the workload's map after batches 1..n.
func stateAfter(seed, n uint64) map[string]string {
	m := meta.New()
	for i := uint64(1); i <= n; i++ {
		applyBatch(m, seed, i)
	}
	return contents(m)
}

// seqOf is the last workload batch m holds (0 for none).
func seqOf(t testing.TB, m *meta.Store) uint64 {
	t.Helper()
	v, ok := m.Get("seq")
	if !ok {
		return 0
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		t.Fatalf("seq %q: %v", v, err)
	}
	return n
}

// commitBatches commits workload batches from..to, one Commit each.
func commitBatches(t testing.TB, st *Store, m *meta.Store, seed, from, to uint64) {
	t.Helper()
	for n := from; n <= to; n++ {
		applyBatch(m, seed, n)
		commitPending(t, st, m)
	}
}

func segmentsT(t testing.TB, dir string) []segment {
	t.Helper()
	segs, err := listSegments(filepath.Join(dir, logDirName))
	if err != nil {
		t.Fatal(err)
	}
	return segs
}

func snapshotIndexes(t testing.TB, dir string) []uint64 {
	t.Helper()
	snaps, err := listSnapshots(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, sf := range snaps {
		out = append(out, sf.index)
	}
	return out
}

// frames returns the byte offsets of the frames of a segment file and of
// their payloads.
func frames(t testing.TB, path string) (starts, payloads []int, data []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := frameScanner{data: data}
	for sc.next() {
		starts = append(starts, sc.start)
		payloads = append(payloads, sc.off-len(sc.payload))
	}
	if !sc.complete() {
		t.Fatalf("%s: malformed before damage", path)
	}
	return starts, payloads, data
}

func flipByte(t testing.TB, path string, at int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[at] ^= 0xff
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// observedLogger records warnings for assertions.
func observedLogger() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zap.WarnLevel)
	return zap.New(core), logs
}
