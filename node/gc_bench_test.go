package node

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/lwwmap"
)

var tombstoneKeys = flag.Int("tombstone-keys", 1_000_000, "distinct keys BenchmarkTombstones puts then deletes")

// BenchmarkTombstones measures what a table's tombstones cost and what
// collecting them gives back: after -tombstone-keys distinct keys are put
// then deleted on a 3-node cluster, the metadata each replica holds, and
// the anti-entropy that rebuilds a replica which lost its metadata (time,
// messages, bytes), before and after the tombstones are collected; and
// the collection itself. Run it once:
//
//	go test -run '^$' -bench Tombstones -benchtime 1x ./node
func BenchmarkTombstones(b *testing.B) {
	for b.Loop() {
		measureTombstones(b, *tombstoneKeys)
	}
}

func measureTombstones(b *testing.B, keys int) {
	c := newTestCluster(b, "a", "b", "c")
	c.volatile = true
	c.cfg.Table.TombstoneDelay = 24 * time.Hour
	for _, id := range c.ids {
		c.start(id)
	}
	key := func(i int) lwwmap.Key {
		return lwwmap.Key{Partition: fmt.Sprintf("bucket-%02d", i%16), Sort: fmt.Sprintf("object-%08d", i)}
	}
	start := time.Now()
	c.submitAll(b, keys, func(i int) Op { return lwwmap.Put{Key: key(i), Value: []byte("value of a small object")} })
	c.submitAll(b, keys, func(i int) Op { return lwwmap.Delete{Key: key(i)} })
	b.Logf("%d puts and %d deletes in %v", keys, keys, time.Since(start).Round(time.Millisecond))

	report := func(phase string) {
		entries, bytes := c.stores[c.ids[0]].Len(), c.stores[c.ids[0]].Bytes()
		stones := c.nodes[c.ids[0]].Tables().Tombstones(lwwmap.TableID)
		round, roundMsgs, roundSent := c.steadyRound()
		took, msgs, sent := c.resyncLostReplica(b)
		b.Logf("%s: replica holds %d records (%d tombstones), %.1f MB; an anti-entropy interval between replicas in sync took %v, %d messages, %.1f kB; "+
			"rebuilding a replica that lost it took %v, %d messages, %.1f MB",
			phase, entries, stones, float64(bytes)/1e6, round.Round(time.Microsecond), roundMsgs, float64(roundSent)/1e3,
			took.Round(time.Millisecond), msgs, float64(sent)/1e6)
		b.ReportMetric(round.Seconds()*1e3, "sync-interval-ms-"+phase)
		b.ReportMetric(float64(bytes)/1e6, "MB-"+phase)
		b.ReportMetric(took.Seconds(), "resync-s-"+phase)
		b.ReportMetric(float64(sent)/1e6, "resync-MB-"+phase)
	}
	report("before")

	// Past the delay, the collection runs: time it until every replica
	// is empty of tombstones.
	c.now = c.now.Add(c.cfg.Table.TombstoneDelay)
	start, virtual := time.Now(), c.now
	for c.totalTombstones() > 0 {
		c.tick(10 * time.Second)
		if c.now.Sub(virtual) > 24*time.Hour {
			b.Fatalf("%d tombstones left a day after they were due", c.totalTombstones())
		}
	}
	b.Logf("collection: %v of CPU, %v of the cluster's time", time.Since(start).Round(time.Millisecond), c.now.Sub(virtual))
	b.ReportMetric(time.Since(start).Seconds(), "collect-s")
	report("after")
}

// submitAll submits n operations, a thousand at a time through each node
// in turn, and fails on any error.
func (c *testCluster) submitAll(b *testing.B, n int, op func(int) Op) {
	const batch = 1000
	for from := 0; from < n; from += batch {
		var ids []uint64
		for i := from; i < min(n, from+batch); i++ {
			c.nextReq++
			ids = append(ids, c.nextReq)
			via := c.ids[i%len(c.ids)]
			c.nodes[via].Submit(c.now, Request{ID: c.nextReq, Op: op(i)})
		}
		for _, id := range c.ids {
			c.drain(id)
		}
		c.run()
		for _, id := range ids {
			r, ok := c.replies[id]
			if !ok || r.Err != nil {
				b.Fatalf("request %d: answered %v, error %v", id, ok, r.Err)
			}
			delete(c.replies, id)
		}
	}
}

func (c *testCluster) totalTombstones() int {
	n := 0
	for _, id := range c.ids {
		n += c.nodes[id].Tables().Tombstones(lwwmap.TableID)
	}
	return n
}

// steadyRound ticks one anti-entropy interval with every replica in
// sync: each node compares its Merkle roots with its peers'. The interval
// before it is not counted: it computes the roots the writes left stale.
func (c *testCluster) steadyRound() (time.Duration, int, int) {
	c.tick(c.cfg.Table.SyncInterval)
	c.delivered, c.deliveredBytes, c.countBytes = 0, 0, true
	defer func() { c.countBytes = false }()
	start := time.Now()
	c.tick(c.cfg.Table.SyncInterval)
	return time.Since(start), c.delivered, c.deliveredBytes
}

// resyncLostReplica restarts the last node on an empty metadata store and
// ticks until anti-entropy made its table equal to the others' in every
// partition; it returns the CPU time that took, and the messages and
// bytes the cluster exchanged meanwhile.
func (c *testCluster) resyncLostReplica(b *testing.B) (time.Duration, int, int) {
	lost := c.ids[len(c.ids)-1]
	c.start(lost) // volatile: nothing is replayed
	c.delivered, c.deliveredBytes, c.countBytes = 0, 0, true
	defer func() { c.countBytes = false }()
	start, virtual := time.Now(), c.now
	for !c.tableInSync(lost) {
		c.tick(time.Second)
		if c.now.Sub(virtual) > time.Hour {
			b.Fatal("the lost replica is not in sync after an hour")
		}
	}
	return time.Since(start), c.delivered, c.deliveredBytes
}

func (c *testCluster) tableInSync(id cluster.NodeID) bool {
	ref := c.nodes[c.ids[0]].Tables()
	for p := range cluster.NumPartitions {
		if ref.MerkleRoot(lwwmap.TableID, cluster.Partition(p)) != c.nodes[id].Tables().MerkleRoot(lwwmap.TableID, cluster.Partition(p)) {
			return false
		}
	}
	return true
}
