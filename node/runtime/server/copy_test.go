package server

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/garagego/garage/node/model"
)

// TestCopyOutlivesItsDeletedSource: a copy shares its source's blocks with
// references of its own. Once the source (and then the first copy, from
// which a second was made) is deleted and the blocks' grace period has
// passed, the last copy still reads back the source's bytes, and every
// block stays counted exactly once, by it. A copy that forgot its own
// references would lose its data to garbage collection here.
func TestCopyOutlivesItsDeletedSource(t *testing.T) {
	servers, bucket := mpuNodes(t) // 16 KiB blocks, collected a second after their last reference goes
	ctx := context.Background()
	body := randomBytes(21, 5*mpuBlockSize+1000)
	if _, _, err := servers[0].PutObject(ctx, bucket, "copy/source", nil, bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	copyOf := func(via *Server, src, dst string) model.VersionID {
		t.Helper()
		obj, err := via.HeadObject(ctx, bucket, src)
		if err != nil {
			t.Fatal(err)
		}
		w, _, err := via.CopyObject(ctx, bucket, dst, obj, obj.Meta.Headers)
		if err != nil {
			t.Fatal(err)
		}
		return w.Version
	}
	copyOf(servers[1], "copy/source", "copy/first")
	if _, err := servers[2].DeleteObject(ctx, bucket, "copy/source"); err != nil {
		t.Fatal(err)
	}
	last := copyOf(servers[2], "copy/first", "copy/second")
	if _, err := servers[0].DeleteObject(ctx, bucket, "copy/first"); err != nil {
		t.Fatal(err)
	}
	// Only the second copy references the blocks now; once their checks
	// have run past the grace period, they must still be on every holder.
	time.Sleep(2 * time.Second)
	refsSettled(t, servers, "the blocks the last copy shares", blocksOf(body), 1, last)
	for i, s := range servers {
		var got bytes.Buffer
		if _, err := s.GetObject(ctx, bucket, "copy/second", &got); err != nil {
			t.Fatalf("read the copy through node %d: %v", i, err)
		}
		if !bytes.Equal(got.Bytes(), body) {
			t.Fatalf("the copy through node %d reads %d bytes, not the source's %d", i, got.Len(), len(body))
		}
	}
}
