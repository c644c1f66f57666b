package s3api_test

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	minio "github.com/minio/minio-go/v7"
)

// testMinio runs a basic round with minio-go and its defaults.
func testMinio(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "minio-bucket"
	mc, other := e.minio(t, 0), e.minio(t, 1)

	must(t, mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: "garage"}), "make bucket")
	ok, err := other.BucketExists(ctx, bucket)
	must(t, err, "bucket exists")
	if !ok {
		t.Fatalf("BucketExists says no")
	}
	if ok, err := other.BucketExists(ctx, "no-such-bucket"); err != nil || ok {
		t.Errorf("BucketExists of a missing bucket: %v %v", ok, err)
	}
	buckets, err := other.ListBuckets(ctx)
	must(t, err, "list buckets")
	found := false
	for _, b := range buckets {
		found = found || b.Name == bucket
	}
	if !found {
		t.Errorf("ListBuckets lacks %s", bucket)
	}

	small := []byte("hello from minio-go")
	info, err := mc.PutObject(ctx, bucket, "dir/small.txt", bytes.NewReader(small), int64(len(small)),
		minio.PutObjectOptions{ContentType: "text/plain", UserMetadata: map[string]string{"flavour": "vanilla"}})
	must(t, err, "put small")
	if info.ETag != md5Hex(small) {
		t.Errorf("ETag %q, want %q", info.ETag, md5Hex(small))
	}
	// An unknown size: minio-go streams it in parts (of 5 MiB rather than
	// the 576 MiB it would buffer for a size that could reach 5 TiB).
	streamed := randomBytes(60, 7<<20+5)
	sinfo, err := mc.PutObject(ctx, bucket, "dir/streamed", io.MultiReader(bytes.NewReader(streamed)), -1, minio.PutObjectOptions{PartSize: 5 << 20})
	must(t, err, "put streamed")
	if want := multipartETag(streamed[:5<<20], streamed[5<<20:]); `"`+sinfo.ETag+`"` != want {
		t.Errorf("streamed ETag %q, want %s", sinfo.ETag, want)
	}

	obj, err := other.GetObject(ctx, bucket, "dir/small.txt", minio.GetObjectOptions{})
	must(t, err, "get")
	got, err := io.ReadAll(obj)
	obj.Close()
	must(t, err, "read")
	if !bytes.Equal(got, small) {
		t.Errorf("small reads %q", got)
	}
	obj, err = e.minio(t, 2).GetObject(ctx, bucket, "dir/streamed", minio.GetObjectOptions{})
	must(t, err, "get streamed")
	got, err = io.ReadAll(obj)
	obj.Close()
	must(t, err, "read streamed")
	if !bytes.Equal(got, streamed) {
		t.Errorf("streamed object reads %d bytes, want %d", len(got), len(streamed))
	}
	ranged := minio.GetObjectOptions{}
	must(t, ranged.SetRange(1000, 1999), "set range")
	obj, err = other.GetObject(ctx, bucket, "dir/streamed", ranged)
	must(t, err, "get range")
	got, err = io.ReadAll(obj)
	obj.Close()
	must(t, err, "read range")
	if !bytes.Equal(got, streamed[1000:2000]) {
		t.Errorf("range reads %d bytes", len(got))
	}

	st, err := e.minio(t, 2).StatObject(ctx, bucket, "dir/small.txt", minio.StatObjectOptions{})
	must(t, err, "stat")
	if st.Size != int64(len(small)) || st.ContentType != "text/plain" || st.UserMetadata["Flavour"] != "vanilla" ||
		time.Since(st.LastModified) > 5*time.Minute {
		t.Errorf("stat: size %d type %q metadata %v modified %v", st.Size, st.ContentType, st.UserMetadata, st.LastModified)
	}
	_, err = mc.StatObject(ctx, bucket, "dir/none", minio.StatObjectOptions{})
	if minio.ToErrorResponse(err).Code != "NoSuchKey" || minio.ToErrorResponse(err).StatusCode != 404 {
		t.Errorf("stat of a missing object: %v", err)
	}

	_, err = mc.CopyObject(ctx, minio.CopyDestOptions{Bucket: bucket, Object: "copies/small.txt"},
		minio.CopySrcOptions{Bucket: bucket, Object: "dir/small.txt"})
	must(t, err, "copy")
	cst, err := other.StatObject(ctx, bucket, "copies/small.txt", minio.StatObjectOptions{})
	must(t, err, "stat copy")
	if cst.ETag != st.ETag || cst.UserMetadata["Flavour"] != "vanilla" {
		t.Errorf("copy: etag %q metadata %v", cst.ETag, cst.UserMetadata)
	}

	t.Run("multipart", func(t *testing.T) {
		data := randomBytes(61, 12<<20+3)
		info, err := mc.PutObject(ctx, bucket, "dir/multipart", bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{PartSize: 5 << 20})
		must(t, err, "put multipart")
		want := multipartETag(data[:5<<20], data[5<<20:10<<20], data[10<<20:])
		if `"`+info.ETag+`"` != want {
			t.Errorf("multipart ETag %q, want %s", info.ETag, want)
		}
		obj, err := other.GetObject(ctx, bucket, "dir/multipart", minio.GetObjectOptions{})
		must(t, err, "get")
		got, err := io.ReadAll(obj)
		obj.Close()
		must(t, err, "read")
		if !bytes.Equal(got, data) {
			t.Errorf("multipart object differs")
		}
		// The low-level calls: an upload listed, then aborted.
		core := minio.Core{Client: mc}
		id, err := core.NewMultipartUpload(ctx, bucket, "dir/abandoned", minio.PutObjectOptions{})
		must(t, err, "new upload")
		_, err = core.PutObjectPart(ctx, bucket, "dir/abandoned", id, 1, bytes.NewReader([]byte("part")), 4, minio.PutObjectPartOptions{})
		must(t, err, "put part")
		found := false
		for u := range other.ListIncompleteUploads(ctx, bucket, "dir/", true) {
			must(t, u.Err, "list uploads")
			found = found || (u.Key == "dir/abandoned" && u.UploadID == id)
		}
		if !found {
			t.Errorf("ListIncompleteUploads lacks the upload")
		}
		must(t, core.AbortMultipartUpload(ctx, bucket, "dir/abandoned", id), "abort")
		for u := range other.ListIncompleteUploads(ctx, bucket, "dir/", true) {
			if u.Err == nil && u.UploadID == id {
				t.Errorf("an aborted upload is listed")
			}
		}
	})

	t.Run("list", func(t *testing.T) {
		var keys, prefixes []string
		for o := range other.ListObjects(ctx, bucket, minio.ListObjectsOptions{}) {
			must(t, o.Err, "list")
			if strings.HasSuffix(o.Key, "/") {
				prefixes = append(prefixes, o.Key)
			} else {
				keys = append(keys, o.Key)
			}
		}
		if !slices.Equal(prefixes, []string{"copies/", "dir/"}) || len(keys) != 0 {
			t.Errorf("delimited listing: prefixes %v keys %v", prefixes, keys)
		}
		keys = nil
		for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true, MaxKeys: 2}) {
			must(t, o.Err, "list")
			keys = append(keys, o.Key)
		}
		if want := []string{"copies/small.txt", "dir/multipart", "dir/small.txt", "dir/streamed"}; !slices.Equal(keys, want) {
			t.Errorf("recursive listing %v, want %v", keys, want)
		}
		keys = nil
		for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true, UseV1: true, Prefix: "dir/s"}) {
			must(t, o.Err, "list v1")
			keys = append(keys, o.Key)
		}
		if want := []string{"dir/small.txt", "dir/streamed"}; !slices.Equal(keys, want) {
			t.Errorf("v1 listing %v, want %v", keys, want)
		}
	})

	t.Run("special keys", func(t *testing.T) {
		for _, key := range specialKeys {
			_, err := mc.PutObject(ctx, bucket, key, strings.NewReader(key), int64(len(key)), minio.PutObjectOptions{})
			must(t, err, "put "+key)
			obj, err := other.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
			must(t, err, "get "+key)
			got, err := io.ReadAll(obj)
			obj.Close()
			if err != nil || string(got) != key {
				t.Errorf("%q reads %q (%v)", key, got, err)
			}
			var listed []string
			for o := range e.minio(t, 2).ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: key, Recursive: true}) {
				must(t, o.Err, "list "+key)
				listed = append(listed, o.Key)
			}
			if !slices.Equal(listed, []string{key}) {
				t.Errorf("%q: listed %q", key, listed)
			}
			must(t, other.RemoveObject(ctx, bucket, key, minio.RemoveObjectOptions{}), "remove "+key)
			if _, err := mc.StatObject(ctx, bucket, key, minio.StatObjectOptions{}); minio.ToErrorResponse(err).Code != "NoSuchKey" {
				t.Errorf("%q after removal: %v", key, err)
			}
		}
	})

	t.Run("signed trailers", func(t *testing.T) {
		// With TrailingHeaders, minio-go sends each part aws-chunked with
		// signed chunks and a signed trailer holding the part's CRC32C,
		// which the server checks and answers with.
		sniff := &partChecksums{}
		tc := e.minio(t, 2, func(o *minio.Options) {
			o.TrailingHeaders = true
			sniff.next = o.Transport
			o.Transport = sniff
		})
		big := randomBytes(63, 11<<20)
		_, err := tc.PutObject(ctx, bucket, "trailer/multipart", bytes.NewReader(big), int64(len(big)), minio.PutObjectOptions{PartSize: 5 << 20})
		must(t, err, "multipart put with signed trailers")
		obj, err := other.GetObject(ctx, bucket, "trailer/multipart", minio.GetObjectOptions{})
		must(t, err, "get")
		got, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || !bytes.Equal(got, big) {
			t.Errorf("multipart object with trailers reads %d bytes (%v)", len(got), err)
		}
		want := []string{checksumOf(types.ChecksumAlgorithmCrc32c, big[:5<<20]), checksumOf(types.ChecksumAlgorithmCrc32c, big[5<<20:10<<20]),
			checksumOf(types.ChecksumAlgorithmCrc32c, big[10<<20:])}
		slices.Sort(want)
		sniff.mu.Lock()
		defer sniff.mu.Unlock()
		signedTrailer := slices.Repeat([]string{"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"}, 3)
		if !slices.Equal(slices.Sorted(slices.Values(sniff.sums)), want) || !slices.Equal(sniff.modes, signedTrailer) {
			t.Errorf("parts sent as %v answered checksums %v, want %v", sniff.modes, sniff.sums, want)
		}
		must(t, tc.RemoveObject(ctx, bucket, "trailer/multipart", minio.RemoveObjectOptions{}), "remove")
	})

	t.Run("remove", func(t *testing.T) {
		must(t, mc.RemoveObject(ctx, bucket, "copies/small.txt", minio.RemoveObjectOptions{}), "remove")
		objs := make(chan minio.ObjectInfo, 3)
		for _, k := range []string{"dir/small.txt", "dir/streamed", "dir/multipart"} {
			objs <- minio.ObjectInfo{Key: k}
		}
		close(objs)
		for r := range other.RemoveObjects(ctx, bucket, objs, minio.RemoveObjectsOptions{}) {
			t.Errorf("remove %s: %v", r.ObjectName, r.Err)
		}
		n := 0
		for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			must(t, o.Err, "list")
			n++
		}
		if n != 0 {
			t.Errorf("%d objects left", n)
		}
		must(t, other.RemoveBucket(ctx, bucket), "remove bucket")
		if ok, err := mc.BucketExists(ctx, bucket); err != nil || ok {
			t.Errorf("bucket exists after removal: %v %v", ok, err)
		}
	})
}

// partChecksums records how minio-go sends parts and the CRC32C checksums
// the server answers them with.
type partChecksums struct {
	next  http.RoundTripper
	mu    sync.Mutex
	modes []string
	sums  []string
}

func (p *partChecksums) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := p.next.RoundTrip(r)
	if err == nil && r.Method == http.MethodPut && r.URL.Query().Has("partNumber") {
		p.mu.Lock()
		p.modes = append(p.modes, r.Header.Get("X-Amz-Content-Sha256"))
		p.sums = append(p.sums, resp.Header.Get("X-Amz-Checksum-Crc32c"))
		p.mu.Unlock()
	}
	return resp, err
}

// testMinioChecksums: minio-go's multipart uploads, with its default
// composite CRC32C (a client with trailing headers) and with a full-object
// CRC32C, store the checksums it computed itself (checked here against
// independently computed ones), as does a plain client's upload, which gets
// S3's default full-object CRC64NVME; verified reads pass; RemoveObjects
// (DeleteObjects with Content-MD5) reports a missing key as deleted.
func testMinioChecksums(t *testing.T, e *env) {
	ctx := testCtx(t)
	trailing := e.minio(t, 0, func(o *minio.Options) { o.TrailingHeaders = true })
	plain, other := e.minio(t, 1), e.minio(t, 2)
	const bucket = "bucket"
	data := randomBytes(141, 11<<20)
	parts := [][]byte{data[:5<<20], data[5<<20 : 10<<20], data[10<<20:]}
	for _, c := range []struct {
		name   string
		client *minio.Client
		opts   minio.PutObjectOptions
		algo   types.ChecksumAlgorithm
		want   string
		mode   string
	}{
		{"composite", trailing, minio.PutObjectOptions{PartSize: 5 << 20}, types.ChecksumAlgorithmCrc32c, compositeOf(types.ChecksumAlgorithmCrc32c, parts...), "COMPOSITE"},
		{"full-object", trailing, minio.PutObjectOptions{PartSize: 5 << 20, Checksum: minio.ChecksumFullObjectCRC32C}, types.ChecksumAlgorithmCrc32c,
			sumOf(types.ChecksumAlgorithmCrc32c, data), "FULL_OBJECT"},
		{"default", plain, minio.PutObjectOptions{PartSize: 5 << 20}, types.ChecksumAlgorithmCrc64nvme, sumOf(types.ChecksumAlgorithmCrc64nvme, data), "FULL_OBJECT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := "miniosum/" + c.name
			_, err := c.client.PutObject(ctx, bucket, key, bytes.NewReader(data), int64(len(data)), c.opts)
			must(t, err, "put")
			st, err := other.StatObject(ctx, bucket, key, minio.StatObjectOptions{Checksum: true})
			must(t, err, "stat")
			got := st.ChecksumCRC32C
			if c.algo == types.ChecksumAlgorithmCrc64nvme {
				got = st.ChecksumCRC64NVME
			}
			if got != c.want || st.ChecksumMode != c.mode {
				t.Errorf("stat: %s %q mode %q, want %q %q", c.algo, got, st.ChecksumMode, c.want, c.mode)
			}
			obj, err := other.GetObject(ctx, bucket, key, minio.GetObjectOptions{Checksum: true})
			must(t, err, "get")
			read, err := io.ReadAll(obj)
			obj.Close()
			if err != nil || !bytes.Equal(read, data) {
				t.Errorf("verified read: %d bytes, %v", len(read), err)
			}
		})
	}
	objs := make(chan minio.ObjectInfo, 2)
	objs <- minio.ObjectInfo{Key: "miniosum/composite"}
	objs <- minio.ObjectInfo{Key: "miniosum/never-there"}
	close(objs)
	for r := range plain.RemoveObjectsWithResult(ctx, bucket, objs, minio.RemoveObjectsOptions{}) {
		if r.Err != nil {
			t.Errorf("remove %s: %v", r.ObjectName, r.Err)
		}
	}
	if _, err := other.StatObject(ctx, bucket, "miniosum/composite", minio.StatObjectOptions{}); minio.ToErrorResponse(err).Code != "NoSuchKey" {
		t.Errorf("after removal: %v", err)
	}
}
