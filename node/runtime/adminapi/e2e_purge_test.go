package adminapi_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/runtime/server"
)

// purgeBlocksResult is LocalPurgeBlocksResponse of Garage's
// garage-admin-v2.json.
type purgeBlocksResult struct {
	BlocksPurged    uint64 `json:"blocksPurged"`
	ObjectsDeleted  uint64 `json:"objectsDeleted"`
	UploadsDeleted  uint64 `json:"uploadsDeleted"`
	VersionsDeleted uint64 `json:"versionsDeleted"`
	BlockRefsPurged uint64 `json:"blockRefsPurged"`
}

// purgeBlockSize is the clusters' block size here, so that a small object
// has several blocks.
const purgeBlockSize = 64 << 10

// TestE2EPurge: PurgeBlocks on a 3-node cluster with small blocks.
func TestE2EPurge(t *testing.T) {
	c, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: t.TempDir(),
		Tune: func(_ int, cfg *server.Config) { cfg.BlockSize = purgeBlockSize }})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close cluster: %v", err)
		}
	})
	e := &env{c: c}
	t.Run("PurgeBlocks", e.testPurgeBlocks)
}

// patterned is n bytes that differ from block to block (seed apart).
func patterned(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i/purgeBlockSize*31) + byte(i*7)
	}
	return b
}

// testPurgeBlocks: the second block of a three-block object is purged on
// every node; the object and an upload whose part holds that block are
// gone through S3, another object and upload are untouched, every node
// answers Garage's shape; a second purge does nothing; a malformed hash is
// 400, a token not scoped to PurgeBlocks 403.
func (e *env) testPurgeBlocks(t *testing.T) {
	doc := e.openAPI(t)
	op := doc.Paths["/v2/PurgeBlocks"]["post"]
	if op == nil {
		t.Fatalf("the document has no POST /v2/PurgeBlocks: %v", doc.Paths["/v2/PurgeBlocks"])
	}
	checkFields(t, "PurgeBlocks", reflect.TypeOf(multi[purgeBlocksResult]{}), dig(op, "responses", "200", "content", "application/json", "schema"), doc.Components.Schemas)

	cl, ctx := e.s3Client(), s3ctx(t)
	bucket := "purge-blocks"
	var b bucketInfo
	e.call(t, "CreateBucket", nil, map[string]any{"globalAlias": bucket}, http.StatusOK, &b)
	e.call(t, "AllowBucketKey", nil, map[string]any{"bucketId": b.ID, "accessKeyId": e.c.KeyID,
		"permissions": map[string]bool{"read": true, "write": true, "owner": true}}, http.StatusOK, nil)
	put := func(key string, data []byte) {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(key), Body: bytes.NewReader(data)})
		must(t, err)
	}
	upload := func(key string, data []byte) string {
		up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String(key)})
		must(t, err)
		_, err = cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: aws.String(key), UploadId: up.UploadId, PartNumber: aws.Int32(1),
			Body: bytes.NewReader(data)})
		must(t, err)
		return *up.UploadId
	}
	big := patterned(1, 2*purgeBlockSize+1000)
	put("big", big)
	put("small", []byte("a small object, stored inline"))
	other := patterned(50, purgeBlockSize+10)
	put("other", other)
	// The upload's part starts with big's second block: the same block.
	lostUpload := upload("lost-upload", append(slices.Clone(big[purgeBlockSize:2*purgeBlockSize]), "tail"...))
	keptUpload := upload("kept-upload", patterned(90, 3000))

	var o inspectedObject
	e.call(t, "InspectObject", q("bucketId", b.ID, "key", "big"), nil, http.StatusOK, &o)
	if len(o.Versions) != 1 || len(o.Versions[0].Blocks) != 3 {
		t.Fatalf("big: %+v, want one version of 3 blocks", o.Versions)
	}
	lost := o.Versions[0].Blocks[1].Hash
	refcounts := func() map[string]uint64 {
		var info multi[blockInfoResult]
		e.call(t, "GetBlockInfo", q("node", "*"), map[string]string{"blockHash": lost}, http.StatusOK, &info)
		out := map[string]uint64{}
		for id, bi := range info.Success {
			out[id] = bi.Refcount
		}
		return out
	}
	waitFor(t, "the block's two references to be counted on its 3 holders", func() bool {
		rc := refcounts()
		return len(rc) == 3 && !slices.ContainsFunc(mapValues(rc), func(n uint64) bool { return n != 2 })
	})

	var res multi[purgeBlocksResult]
	e.call(t, "PurgeBlocks", q("node", "*"), []string{lost}, http.StatusOK, &res)
	if len(res.Success) != 3 || len(res.Error) != 0 {
		t.Fatalf("PurgeBlocks on node=*: %+v", res)
	}
	// The nodes purge at once: each deletion is counted by one of them at
	// least, and by each at most once.
	want := purgeBlocksResult{BlocksPurged: 1, ObjectsDeleted: 1, UploadsDeleted: 1, VersionsDeleted: 2, BlockRefsPurged: 2}
	var sum purgeBlocksResult
	for id, p := range res.Success {
		if p.BlocksPurged != 1 || p.ObjectsDeleted > want.ObjectsDeleted || p.UploadsDeleted > want.UploadsDeleted ||
			p.VersionsDeleted > want.VersionsDeleted || p.BlockRefsPurged > want.BlockRefsPurged {
			t.Fatalf("node %s purged %+v, more than %+v", id, p, want)
		}
		sum.ObjectsDeleted += p.ObjectsDeleted
		sum.UploadsDeleted += p.UploadsDeleted
		sum.VersionsDeleted += p.VersionsDeleted
		sum.BlockRefsPurged += p.BlockRefsPurged
	}
	if sum.ObjectsDeleted < 1 || sum.UploadsDeleted < 1 || sum.VersionsDeleted < 2 || sum.BlockRefsPurged < 2 {
		t.Fatalf("the nodes purged %+v in all, want at least %+v", sum, want)
	}

	_, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("big")})
	if nk := new(types.NoSuchKey); !errors.As(err, &nk) {
		t.Fatalf("GET big after the purge: %v, want NoSuchKey", err)
	}
	for key, data := range map[string][]byte{"small": []byte("a small object, stored inline"), "other": other} {
		got, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String(key)})
		must(t, err)
		body, err := io.ReadAll(got.Body)
		got.Body.Close()
		must(t, err)
		if !bytes.Equal(body, data) {
			t.Fatalf("%s changed: %d bytes", key, len(body))
		}
	}
	ups, err := cl.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
	must(t, err)
	var ids []string
	for _, u := range ups.Uploads {
		ids = append(ids, *u.UploadId)
	}
	if !slices.Equal(ids, []string{keptUpload}) {
		t.Fatalf("uploads after the purge: %v, want only %s (not %s)", ids, keptUpload, lostUpload)
	}
	waitFor(t, "the block to lose every reference", func() bool {
		return !slices.ContainsFunc(mapValues(refcounts()), func(n uint64) bool { return n != 0 })
	})

	// Again, with a token scoped to PurgeBlocks, on one node: nothing left.
	var tok createdToken
	e.call(t, "CreateAdminToken", nil, map[string]any{"name": "purger", "scope": []string{"PurgeBlocks"}}, http.StatusOK, &tok)
	var again multi[purgeBlocksResult]
	e.callAs(t, tok.SecretToken, "PurgeBlocks", q("node", "self"), []string{lost}, http.StatusOK, &again)
	for _, p := range again.Success {
		if p != (purgeBlocksResult{BlocksPurged: 1}) || len(again.Success) != 1 {
			t.Fatalf("purging again: %+v, want nothing done", again)
		}
	}

	wantError(t, e.call(t, "PurgeBlocks", q("node", "*"), []string{lost[:20]}, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "PurgeBlocks", q("node", "*"), []string{"zz" + lost[2:]}, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "PurgeBlocks", q("node", "*"), map[string]string{"blockHash": lost}, 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "PurgeBlocks", q("node", "*"), []byte("null"), 400, nil), 400, "InvalidRequest")
	wantError(t, e.call(t, "PurgeBlocks", nil, []string{lost}, 400, nil), 400, "InvalidRequest")
	var scoped createdToken
	e.call(t, "CreateAdminToken", nil, map[string]any{"name": "blocks", "scope": []string{"GetBlockInfo", "ListBlockErrors"}}, http.StatusOK, &scoped)
	wantError(t, e.callAs(t, scoped.SecretToken, "PurgeBlocks", q("node", "*"), []string{lost}, 403, nil), 403, "AccessDenied")
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
