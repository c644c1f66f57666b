package metastore

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/garagego/garage/node/meta"
)

// BenchmarkCommit commits batches of one ~200-byte record, as a node does
// for a single small write.
func BenchmarkCommit(b *testing.B) {
	value := bytes.Repeat([]byte{'v'}, 200)
	for _, policy := range []FsyncPolicy{FsyncEveryCommit, FsyncNever} {
		b.Run("fsync="+policy.String(), func(b *testing.B) {
			st, _, err := Open(b.TempDir(), Options{Fsync: policy, SnapshotEvery: math.MaxInt})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			batch := make([]meta.Record, 1)
			b.SetBytes(int64(len(value)))
			records := 0
			for b.Loop() {
				batch[0] = meta.Record{Key: "bucket/object/" + strconv.Itoa(records), Value: value}
				if err := st.Commit(batch); err != nil {
					b.Fatal(err)
				}
				records++
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkRestart1M times Open of a store holding 1,000,000 keys with
// 100-byte values: 900,000 in a snapshot and 100,000 more in the log.
func BenchmarkRestart1M(b *testing.B) {
	const keys, inSnapshot, perBatch = 1_000_000, 900_000, 1000
	dir := b.TempDir()
	st, m, err := Open(dir, Options{Fsync: FsyncNever, SnapshotEvery: math.MaxInt})
	if err != nil {
		b.Fatal(err)
	}
	value := bytes.Repeat([]byte{'v'}, 100)
	for i := range keys {
		m.Put(fmt.Sprintf("bucket/object-%08d", i), value)
		if (i+1)%perBatch != 0 {
			continue
		}
		if err := st.Commit(m.TakePending()); err != nil {
			b.Fatal(err)
		}
		if i+1 == inSnapshot {
			if err := st.WriteSnapshot(m.Snapshot()); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}

	for b.Loop() {
		st, m, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if m.Len() != keys {
			b.Fatalf("recovered %d keys, want %d", m.Len(), keys)
		}
		if got := st.Stats().RecordsSinceSnapshot; got != keys-inSnapshot {
			b.Fatalf("replayed %d records, want %d", got, keys-inSnapshot)
		}
		st.Close()
	}
}
