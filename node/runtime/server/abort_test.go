package server

import (
	"testing"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/blockstore"
)

// TestPutAbortDropsLateBlockReferences: a put that fails abandons its
// version while some of its block writes may still be under way. A block
// write that lands after the abort finds the version gone and cannot list
// the block, but it still writes the block's reference; PutAbort's Blocks
// tombstone those references, so the block is not kept forever.
func TestPutAbortDropsLateBlockReferences(t *testing.T) {
	servers, bucket := threeNodes(t, nil)
	version := newVersionID()
	data := []byte("a block written after its put was abandoned")
	hash := blockstore.Sum(data)

	begun := do(t, servers[0], object.PutBegin{Bucket: bucket, Key: "k", Version: version}).(object.Written)
	do(t, servers[0], object.PutAbort{Bucket: bucket, Key: "k", Version: version, Timestamp: begun.Timestamp, Blocks: []cluster.Hash{hash}})
	// Let the abort's cascade delete the version entry first, so the late
	// write cannot list the block in it.
	time.Sleep(time.Second)
	do(t, servers[1], object.PutBlock{Bucket: bucket, Key: "k", Version: version, Part: 1, Hash: hash, Size: uint64(len(data)), Data: data})

	// The tombstones go through the insert queue: wait for them.
	for _, s := range servers {
		waitFor(t, "no reference left to the block", func() bool {
			return do(t, s, admin.GetBlockInfo{Hash: hash.String()}).(admin.BlockInfo).RefCount == 0
		})
	}
}
