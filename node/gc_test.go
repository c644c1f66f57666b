package node

import (
	"testing"
	"time"

	"github.com/garagego/garage/node/lwwmap"
)

// gcCluster is a 3-node cluster whose tombstones are collected after a
// minute; bugs plants a collection bug.
func gcCluster(t *testing.T, plant func(*testCluster)) *testCluster {
	t.Helper()
	c := newTestCluster(t, "a", "b", "c")
	c.cfg.Table.TombstoneDelay = time.Minute
	if plant != nil {
		plant(c)
	}
	for _, id := range c.ids { // restart with the configuration
		c.start(id)
	}
	return c
}

func (c *testCluster) tombstones() (stones, queued int) {
	for _, id := range c.ids {
		e := c.nodes[id].Tables()
		stones += e.Tombstones(lwwmap.TableID)
		queued += e.GCQueueLen()
	}
	return stones, queued
}

// TestTombstonesAreCollectedOnEveryReplica: once every replica holds a
// tombstone and the delay passed, it is gone everywhere, the replicas'
// Merkle roots agree, and a read finds nothing.
func TestTombstonesAreCollectedOnEveryReplica(t *testing.T) {
	c := gcCluster(t, nil)
	for i := range 20 {
		key := lwwmap.Key{Partition: "p", Sort: string(rune('a' + i))}
		if r := c.do(0, lwwmap.Put{Key: key, Value: []byte("v")}); r.Err != nil {
			t.Fatal(r.Err)
		}
		if r := c.do(1, lwwmap.Delete{Key: key}); r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if stones, _ := c.tombstones(); stones != 60 {
		t.Fatalf("%d tombstones before the delay, want 60 (20 on each of 3 replicas)", stones)
	}
	c.tick(30 * time.Second)
	if stones, _ := c.tombstones(); stones != 60 {
		t.Fatalf("%d tombstones half-way through the delay, want 60", stones)
	}
	c.tick(2 * time.Minute)
	if stones, queued := c.tombstones(); stones != 0 || queued != 0 {
		t.Fatalf("%d tombstones, %d queued after the delay, want none", stones, queued)
	}
	for _, id := range c.ids[1:] {
		if a, b := c.nodes[c.ids[0]].Tables().MerkleRoot(lwwmap.TableID, 0), c.nodes[id].Tables().MerkleRoot(lwwmap.TableID, 0); a != b {
			t.Errorf("Merkle roots differ after collection")
		}
	}
	if got := c.do(2, lwwmap.Get{Key: lwwmap.Key{Partition: "p", Sort: "a"}}).Result.(lwwmap.Value); got.Found {
		t.Fatalf("a collected key reads %+v", got)
	}
	st := c.nodes[c.ids[0]].Tables().Stats()
	if st.TombstonesCollected == 0 && c.nodes[c.ids[1]].Tables().Stats().TombstonesCollected == 0 {
		t.Error("no collection counted")
	}
}

// TestCollectionWaitsForEveryHolder: a replica that is down, and missed
// the deletion, holds the old value; collection must wait for it, or the
// old value would come back with it. With the planted bug (a write quorum
// is enough), it does come back.
func TestCollectionWaitsForEveryHolder(t *testing.T) {
	for _, planted := range []bool{false, true} {
		name := "correct"
		if planted {
			name = "planted GCSkipsConfirmation"
		}
		t.Run(name, func(t *testing.T) {
			c := gcCluster(t, func(c *testCluster) { c.cfg.Table.Bugs.GCSkipsConfirmation = planted })
			if r := c.do(0, lwwmap.Put{Key: k, Value: []byte("old")}); r.Err != nil {
				t.Fatal(r.Err)
			}
			c.down[c.ids[2]] = true // misses the deletion
			if r := c.do(0, lwwmap.Delete{Key: k}); r.Err != nil {
				t.Fatal(r.Err)
			}
			c.tick(5 * time.Minute)
			stones, _ := c.tombstones()
			if !planted && stones != 2 {
				t.Fatalf("%d tombstones with a holder down for 5 minutes, want 2 kept", stones)
			}
			c.down[c.ids[2]] = false
			c.start(c.ids[2])
			for _, a := range c.ids {
				for _, b := range c.ids {
					if a != b {
						c.nodes[a].PeerConnected(c.now, b, "")
					}
				}
				c.drain(a)
			}
			c.tick(5 * time.Minute) // anti-entropy, then collection
			got := c.do(0, lwwmap.Get{Key: k}).Result.(lwwmap.Value)
			switch {
			case planted && !got.Found:
				t.Fatal("the planted bug did not resurrect the value: the test proves nothing")
			case !planted && got.Found:
				t.Fatalf("a deleted value came back: %q", got.Value)
			case !planted:
				if stones, queued := c.tombstones(); stones != 0 || queued != 0 {
					t.Fatalf("%d tombstones, %d queued once every holder is back", stones, queued)
				}
			}
		})
	}
}

// TestRestartKeepsTheCollectionQueue: a tombstone queued before a restart
// is still collected after it.
func TestRestartKeepsTheCollectionQueue(t *testing.T) {
	c := gcCluster(t, nil)
	if r := c.do(0, lwwmap.Put{Key: k, Value: []byte("v")}); r.Err != nil {
		t.Fatal(r.Err)
	}
	if r := c.do(0, lwwmap.Delete{Key: k}); r.Err != nil {
		t.Fatal(r.Err)
	}
	for _, id := range c.ids {
		c.start(id)
	}
	c.connectAll()
	c.tick(3 * time.Minute)
	if stones, queued := c.tombstones(); stones != 0 || queued != 0 {
		t.Fatalf("%d tombstones, %d queued after restarts and the delay", stones, queued)
	}
}
