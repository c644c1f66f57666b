package s3api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
)

// TestLocalLookups: once anti-entropy has exchanged the full-copy tables
// with every peer, each node answers the key and bucket lookups of S3
// requests from its own copy (admin.NodeStats.LocalLookups moves, quorum
// lookups do not), while testPermissions shows grants and revocations made
// on node 0 hold for the very next request on the others. Its own cluster:
// no other test's lookups may move the counters.
func TestLocalLookups(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start a cluster")
	}
	e := startEnv(t, 3)
	const bucket = "local-lookups"
	e.createBucket(t, bucket)
	ctx := testCtx(t)
	stats := func(i int) admin.NodeStats {
		res, err := e.c.Nodes[i].Server.Do(ctx, admin.GetStats{})
		must(t, err, "stats")
		return res.(admin.NodeStats)
	}
	for i := range e.c.Nodes {
		cl := e.s3(t, i)
		key := fmt.Sprintf("node-%d", i)
		var before, after admin.NodeStats
		// Full-copy tables sync every 10 s and when peers connect: wait
		// for the exchanges that make the copy fresh.
		for deadline := time.Now().Add(40 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			before = stats(i)
			putBytes(t, cl, bucket, key, []byte("local"))
			after = stats(i)
			if after.LocalLookups >= before.LocalLookups+2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d: no lookup answered locally (%d local, %d quorum before; %d, %d after)",
					i, before.LocalLookups, before.QuorumLookups, after.LocalLookups, after.QuorumLookups)
			}
		}
		// A PUT reads the key and the bucket: both came from the local copy.
		if after.QuorumLookups != before.QuorumLookups {
			t.Errorf("node %d: a PUT with a fresh copy still made %d quorum lookups", i, after.QuorumLookups-before.QuorumLookups)
		}
		if got := getBytes(t, cl, bucket, key); string(got) != "local" {
			t.Errorf("node %d: read back %q", i, got)
		}
	}
}
