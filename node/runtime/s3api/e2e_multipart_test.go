package s3api_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const mib = 1 << 20

// multipartETag is S3's ETag of an object uploaded in parts: the MD5 of
// the parts' binary MD5s, a dash, and the number of parts.
func multipartETag(parts ...[]byte) string {
	all := md5.New()
	for _, p := range parts {
		s := md5.Sum(p)
		all.Write(s[:])
	}
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(all.Sum(nil)), len(parts))
}

// upload is a multipart upload under way.
type upload struct {
	t      *testing.T
	bucket string
	key    string
	id     *string
}

func createUpload(t *testing.T, cl *s3.Client, bucket, key string, opts ...func(*s3.CreateMultipartUploadInput)) *upload {
	t.Helper()
	in := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	for _, f := range opts {
		f(in)
	}
	out, err := cl.CreateMultipartUpload(testCtx(t), in)
	must(t, err, "create multipart upload")
	if aws.ToString(out.Bucket) != bucket || aws.ToString(out.Key) != key || aws.ToString(out.UploadId) == "" {
		t.Errorf("create result: bucket %q key %q upload %q", aws.ToString(out.Bucket), aws.ToString(out.Key), aws.ToString(out.UploadId))
	}
	return &upload{t: t, bucket: bucket, key: key, id: out.UploadId}
}

// part uploads part n and returns its ETag.
func (u *upload) part(cl *s3.Client, n int32, data []byte) string {
	u.t.Helper()
	out, err := cl.UploadPart(testCtx(u.t), &s3.UploadPartInput{Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: u.id,
		PartNumber: aws.Int32(n), Body: bytes.NewReader(data)})
	must(u.t, err, fmt.Sprintf("upload part %d", n))
	if got, want := aws.ToString(out.ETag), `"`+md5Hex(data)+`"`; got != want {
		u.t.Errorf("part %d: ETag %s, want %s", n, got, want)
	}
	return aws.ToString(out.ETag)
}

func (u *upload) complete(cl *s3.Client, parts ...types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
	return cl.CompleteMultipartUpload(testCtx(u.t), &s3.CompleteMultipartUploadInput{Bucket: aws.String(u.bucket), Key: aws.String(u.key),
		UploadId: u.id, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
}

func completed(n int32, etag string) types.CompletedPart {
	return types.CompletedPart{PartNumber: aws.Int32(n), ETag: aws.String(etag)}
}

func testMultipart(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "bucket"
	c0, c1, c2 := e.s3(t, 0), e.s3(t, 1), e.s3(t, 2)
	source := randomBytes(20, 3*mib)
	putBytes(t, c0, bucket, "mpu/source", source)

	u := createUpload(t, c0, bucket, "mpu/object", func(in *s3.CreateMultipartUploadInput) {
		in.ContentType = aws.String("video/mp4")
		in.Metadata = map[string]string{"camera": "front"}
	})
	p1, p2 := randomBytes(21, 5*mib+7), randomBytes(22, 5*mib)
	e1 := u.part(c1, 1, p1)
	e2 := u.part(c2, 2, p2)
	// Part 3 is copied from a range of another object.
	from, to := 100, 100+mib+5
	p3 := source[from : to+1]
	cp, err := c0.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("mpu/object"), UploadId: u.id,
		PartNumber: aws.Int32(3), CopySource: aws.String(bucket + "/mpu/source"), CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", from, to))})
	must(t, err, "upload part copy")
	if cp.CopyPartResult == nil || aws.ToString(cp.CopyPartResult.ETag) != `"`+md5Hex(p3)+`"` || cp.CopyPartResult.LastModified == nil {
		t.Errorf("copy part result %+v, want ETag of the range", cp.CopyPartResult)
	}
	_, err = c0.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("mpu/object"), UploadId: u.id,
		PartNumber: aws.Int32(4), CopySource: aws.String(bucket + "/mpu/source"), CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", 3*mib, 3*mib+10))})
	wantAPIError(t, err, "InvalidRequest", 400) // starts past the source's end, as AWS answers it

	lp, err := c1.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("mpu/object"), UploadId: u.id})
	must(t, err, "list parts")
	var got []string
	for _, p := range lp.Parts {
		got = append(got, fmt.Sprintf("%d:%d:%s", aws.ToInt32(p.PartNumber), aws.ToInt64(p.Size), aws.ToString(p.ETag)))
	}
	want := []string{fmt.Sprintf("1:%d:%s", len(p1), e1), fmt.Sprintf("2:%d:%s", len(p2), e2), fmt.Sprintf("3:%d:\"%s\"", len(p3), md5Hex(p3))}
	if !slices.Equal(got, want) {
		t.Errorf("parts %v, want %v", got, want)
	}

	out, err := u.complete(c2, completed(1, e1), completed(2, e2), completed(3, aws.ToString(cp.CopyPartResult.ETag)))
	must(t, err, "complete")
	wantETag := multipartETag(p1, p2, p3)
	if aws.ToString(out.ETag) != wantETag {
		t.Errorf("multipart ETag %s, want %s", aws.ToString(out.ETag), wantETag)
	}
	if aws.ToString(out.Bucket) != bucket || aws.ToString(out.Key) != "mpu/object" {
		t.Errorf("complete result: %q %q", aws.ToString(out.Bucket), aws.ToString(out.Key))
	}
	whole := slices.Concat(p1, p2, p3)
	g, err := c1.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("mpu/object")})
	must(t, err, "get")
	if body := readAll(t, g.Body); !bytes.Equal(body, whole) {
		t.Errorf("multipart object differs (%d bytes, want %d)", len(body), len(whole))
	}
	if aws.ToString(g.ETag) != wantETag || aws.ToString(g.ContentType) != "video/mp4" || !maps.Equal(g.Metadata, map[string]string{"camera": "front"}) {
		t.Errorf("object: etag %s type %q metadata %v", aws.ToString(g.ETag), aws.ToString(g.ContentType), g.Metadata)
	}
	for n, p := range map[int32][]byte{1: p1, 2: p2, 3: p3} {
		g, err := c0.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("mpu/object"), PartNumber: aws.Int32(n)})
		must(t, err, fmt.Sprintf("get part %d", n))
		if body := readAll(t, g.Body); !bytes.Equal(body, p) {
			t.Errorf("part %d reads %d bytes, want %d", n, len(body), len(p))
		}
		if aws.ToInt32(g.PartsCount) != 3 {
			t.Errorf("part %d: parts count %d", n, aws.ToInt32(g.PartsCount))
		}
	}
	h, err := c2.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("mpu/object"), PartNumber: aws.Int32(3)})
	must(t, err, "head part 3")
	if aws.ToInt64(h.ContentLength) != int64(len(p3)) {
		t.Errorf("head part 3: length %d", aws.ToInt64(h.ContentLength))
	}
	r, err := c0.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("mpu/object"),
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", len(p1)-10, len(p1)+len(p2)+9))})
	must(t, err, "range across parts")
	if body := readAll(t, r.Body); !bytes.Equal(body, whole[len(p1)-10:len(p1)+len(p2)+10]) {
		t.Errorf("a range across parts differs")
	}
	// A completed upload is gone.
	_, err = c0.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("mpu/object"), UploadId: u.id})
	wantAPIError(t, err, "NoSuchUpload", 404)

	t.Run("abort", func(t *testing.T) {
		u := createUpload(t, c0, bucket, "mpu/aborted")
		u.part(c1, 1, randomBytes(23, 1000))
		_, err := c2.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu/aborted"), UploadId: u.id})
		must(t, err, "abort")
		_, err = c0.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("mpu/aborted"), UploadId: u.id})
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = c1.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mpu/aborted"), UploadId: u.id,
			PartNumber: aws.Int32(2), Body: strings.NewReader("late")})
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = u.complete(c0, completed(1, md5Hex(nil)))
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = c1.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("mpu/aborted")})
		wantAPIError(t, err, "NotFound", 404)
		ups, err := c0.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String("mpu/aborted")})
		must(t, err, "list uploads")
		if len(ups.Uploads) != 0 {
			t.Errorf("an aborted upload is listed: %+v", ups.Uploads)
		}
	})
}

func testMultipartErrors(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "bucket"
	c0, c1 := e.s3(t, 0), e.s3(t, 1)
	p1, p2 := randomBytes(30, 5*mib), randomBytes(31, 1234)
	u := createUpload(t, c0, bucket, "mpu/errors")
	e1, e2 := u.part(c0, 1, p1), u.part(c1, 2, p2)

	_, err := u.complete(c1, completed(1, e1), completed(2, `"0123456789abcdef0123456789abcdef"`))
	wantAPIError(t, err, "InvalidPart", 400)
	_, err = u.complete(c1, completed(1, e1), completed(3, e2))
	wantAPIError(t, err, "InvalidPart", 400)
	_, err = u.complete(c1, completed(2, e2), completed(1, e1))
	wantAPIError(t, err, "InvalidPartOrder", 400)
	_, err = c0.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mpu/errors"), UploadId: u.id,
		PartNumber: aws.Int32(10001), Body: strings.NewReader("x")})
	wantAPIError(t, err, "InvalidArgument", 400)
	_, err = c0.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mpu/errors"),
		UploadId: aws.String("0000000000000000000000000000000000000000000000000000000000000000"), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantAPIError(t, err, "NoSuchUpload", 404)
	_, err = c0.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mpu/errors"),
		UploadId: aws.String("garbage"), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantAPIError(t, err, "NoSuchUpload", 404)
	_, err = c1.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("mpu/errors")})
	wantAPIError(t, err, "NotFound", 404)

	// The refused completions left the upload as it was.
	out, err := u.complete(c0, completed(1, e1), completed(2, e2))
	must(t, err, "complete after refusals")
	if aws.ToString(out.ETag) != multipartETag(p1, p2) {
		t.Errorf("ETag %s, want %s", aws.ToString(out.ETag), multipartETag(p1, p2))
	}
	if got := getBytes(t, c1, bucket, "mpu/errors"); !bytes.Equal(got, slices.Concat(p1, p2)) {
		t.Errorf("content differs")
	}

	t.Run("part too small", func(t *testing.T) {
		small := randomBytes(32, mib)
		u := createUpload(t, c0, bucket, "mpu/small")
		s1, s2 := u.part(c0, 1, small), u.part(c0, 2, small)
		_, err := u.complete(c1, completed(1, s1), completed(2, s2))
		wantAPIError(t, err, "EntityTooSmall", 400)
		// A single part may be small: it is the last.
		out, err := u.complete(c1, completed(2, s2))
		must(t, err, "complete with one small part")
		if aws.ToString(out.ETag) != multipartETag(small) {
			t.Errorf("ETag %s, want %s", aws.ToString(out.ETag), multipartETag(small))
		}
	})
}

// testMultipartReplacedPart uploads part 2 twice, through different nodes:
// the second upload wins.
func testMultipartReplacedPart(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket, key = "bucket", "mpu/replaced"
	c0, c1, c2 := e.s3(t, 0), e.s3(t, 1), e.s3(t, 2)
	p1, p2old, p2new, p3 := randomBytes(40, 5*mib), randomBytes(41, 5*mib+100), randomBytes(42, 6*mib), randomBytes(43, 777)
	u := createUpload(t, c0, bucket, key)
	e1 := u.part(c0, 1, p1)
	old := u.part(c1, 2, p2old)
	e3 := u.part(c0, 3, p3)
	e2 := u.part(c2, 2, p2new)
	if old == e2 {
		t.Fatal("the two uploads of part 2 have the same ETag")
	}
	lp, err := c0.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: u.id})
	must(t, err, "list parts")
	if len(lp.Parts) != 3 || aws.ToString(lp.Parts[1].ETag) != e2 || aws.ToInt64(lp.Parts[1].Size) != int64(len(p2new)) {
		t.Errorf("parts after replacing part 2: %+v", lp.Parts)
	}
	_, err = u.complete(c1, completed(1, e1), completed(2, old), completed(3, e3))
	wantAPIError(t, err, "InvalidPart", 400)
	out, err := u.complete(c2, completed(1, e1), completed(2, e2), completed(3, e3))
	must(t, err, "complete")
	if want := multipartETag(p1, p2new, p3); aws.ToString(out.ETag) != want {
		t.Errorf("ETag %s, want %s", aws.ToString(out.ETag), want)
	}
	for i, cl := range []*s3.Client{c0, c1, c2} {
		if got := getBytes(t, cl, bucket, key); !bytes.Equal(got, slices.Concat(p1, p2new, p3)) {
			t.Errorf("node %d: content is not parts 1, 2 (second upload) and 3 (%d bytes)", i, len(got))
		}
	}
}

func testMultipartLists(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "mpu-lists"
	e.createBucket(t, bucket)
	cl := e.s3(t, 0)
	type up struct{ key, id string }
	var ups []up
	for _, k := range []string{"a/1", "a/1", "a/2", "b/1", "c"} {
		u := createUpload(t, cl, bucket, k)
		ups = append(ups, up{k, aws.ToString(u.id)})
	}
	listed := func(out *s3.ListMultipartUploadsOutput) []up {
		var got []up
		for _, u := range out.Uploads {
			got = append(got, up{aws.ToString(u.Key), aws.ToString(u.UploadId)})
			if u.Initiated == nil || u.Initiator == nil || u.Owner == nil {
				t.Errorf("upload %s lacks initiated/initiator/owner", aws.ToString(u.Key))
			}
		}
		return got
	}
	byKey := func(a, b up) int { return strings.Compare(a.key, b.key) }
	ids := func(us []up) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.key+"#"+u.id)
		}
		slices.Sort(out)
		return out
	}

	other := e.s3(t, 1)
	all, err := other.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	must(t, err, "list uploads")
	got := listed(all)
	if !slices.IsSortedFunc(got, byKey) || !slices.Equal(ids(got), ids(ups)) {
		t.Errorf("uploads %v, want %v sorted by key", got, ups)
	}
	pre, err := other.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String("a/")})
	must(t, err, "list with prefix")
	if !slices.Equal(ids(listed(pre)), ids(ups[:3])) {
		t.Errorf("prefix a/: %v", listed(pre))
	}
	del, err := other.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Delimiter: aws.String("/")})
	must(t, err, "list with delimiter")
	var cps []string
	for _, p := range del.CommonPrefixes {
		cps = append(cps, aws.ToString(p.Prefix))
	}
	if !slices.Equal(cps, []string{"a/", "b/"}) || !slices.Equal(ids(listed(del)), ids(ups[4:])) {
		t.Errorf("delimiter /: prefixes %v uploads %v", cps, listed(del))
	}

	t.Run("paged", func(t *testing.T) {
		var paged []up
		in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), MaxUploads: aws.Int32(2)}
		for pages := 0; ; pages++ {
			if pages == 5 {
				t.Fatal("too many pages")
			}
			out, err := other.ListMultipartUploads(ctx, in)
			must(t, err, "list page")
			page := listed(out)
			if len(page) > 2 {
				t.Errorf("page of %d uploads", len(page))
			}
			paged = append(paged, page...)
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
		}
		if !slices.Equal(ids(paged), ids(ups)) || len(paged) != len(ups) {
			t.Errorf("paged uploads %v, want %v", paged, ups)
		}
	})

	t.Run("list parts paged", func(t *testing.T) {
		u := &upload{t: t, bucket: bucket, key: "c", id: aws.String(ups[4].id)}
		var etags []string
		for n := int32(1); n <= 5; n++ {
			etags = append(etags, u.part(cl, n, []byte(strings.Repeat("p", int(n)))))
		}
		var seen []string
		in := &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("c"), UploadId: u.id, MaxParts: aws.Int32(2)}
		for pages := 0; ; pages++ {
			if pages == 5 {
				t.Fatal("too many pages")
			}
			out, err := other.ListParts(ctx, in)
			must(t, err, "list parts page")
			if len(out.Parts) > 2 {
				t.Errorf("page of %d parts", len(out.Parts))
			}
			for _, p := range out.Parts {
				seen = append(seen, aws.ToString(p.ETag))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			in.PartNumberMarker = out.NextPartNumberMarker
		}
		if !slices.Equal(seen, etags) {
			t.Errorf("parts %v, want %v", seen, etags)
		}
	})

	for _, u := range ups {
		_, err := cl.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(u.key), UploadId: aws.String(u.id)})
		must(t, err, "abort "+u.key)
	}
	left, err := other.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	must(t, err, "list uploads")
	if len(left.Uploads) != 0 {
		t.Errorf("uploads left after aborting all: %v", listed(left))
	}
}

// testMultipartChecksums runs a multipart upload the way the SDK's upload
// managers do by default: created with a checksum algorithm, each part
// sent with its checksum, and the checksums listed in the completion.
func testMultipartChecksums(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket, key = "bucket", "mpu/checksummed"
	c0, c1 := e.s3(t, 0), e.s3(t, 1)
	u := createUpload(t, c0, bucket, key, func(in *s3.CreateMultipartUploadInput) { in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32 })
	parts := [][]byte{randomBytes(70, 5*mib), randomBytes(71, 2000)}
	var done []types.CompletedPart
	for i, p := range parts {
		n := int32(i + 1)
		out, err := c1.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: u.id,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(p), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		must(t, err, "upload part")
		if got, want := aws.ToString(out.ChecksumCRC32), checksumOf(types.ChecksumAlgorithmCrc32, p); got != want {
			t.Errorf("part %d: checksum %q, want %q", n, got, want)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	out, err := u.complete(c0, done...)
	must(t, err, "complete")
	if aws.ToString(out.ETag) != multipartETag(parts...) {
		t.Errorf("ETag %s, want %s", aws.ToString(out.ETag), multipartETag(parts...))
	}
	// Reading back validates whatever checksum the object came with.
	g, err := c1.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	must(t, err, "get")
	if got := readAll(t, g.Body); !bytes.Equal(got, slices.Concat(parts...)) {
		t.Errorf("content differs")
	}
}

// testUploadPartCopyRanges copies parts out of a multipart source, across
// its part boundaries, and refuses ranges outside it.
func testUploadPartCopyRanges(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "bucket"
	c0, c1 := e.s3(t, 0), e.s3(t, 1)
	src := createUpload(t, c0, bucket, "mpu/copy-source")
	s1, s2 := randomBytes(80, 5*mib), randomBytes(81, 3*mib)
	_, err := src.complete(c0, completed(1, src.part(c0, 1, s1)), completed(2, src.part(c1, 2, s2)))
	must(t, err, "complete source")
	whole := slices.Concat(s1, s2)
	size := len(whole)

	u := createUpload(t, c1, bucket, "mpu/copy-target")
	copyPart := func(n int32, rng string) (*s3.UploadPartCopyOutput, error) {
		in := &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("mpu/copy-target"), UploadId: u.id,
			PartNumber: aws.Int32(n), CopySource: aws.String(bucket + "/mpu/copy-source")}
		if rng != "" {
			in.CopySourceRange = aws.String(rng)
		}
		return c0.UploadPartCopy(ctx, in)
	}
	from, to := 1000, 5*mib+mib // across the source's part boundary
	p1 := whole[from : to+1]
	cp1, err := copyPart(1, fmt.Sprintf("bytes=%d-%d", from, to))
	must(t, err, "copy a range across parts")
	cp2, err := copyPart(2, "") // the whole source
	must(t, err, "copy the whole source")
	for bad, code := range map[string]string{
		fmt.Sprintf("bytes=%d-%d", size-10, size): "InvalidArgument", // last byte past the end
		fmt.Sprintf("bytes=%d-%d", size, size+10): "InvalidRequest",  // first byte past the end
		"bytes=10-5":    "InvalidArgument", // inverted
		"bytes=-100":    "InvalidArgument", // a suffix is not a copy range
		"bytes=0-1,5-6": "InvalidArgument", // several ranges
	} {
		_, err := copyPart(3, bad)
		t.Run(bad, func(t *testing.T) { wantAPIError(t, err, code, 400) })
	}
	_, err = u.complete(c1, completed(1, aws.ToString(cp1.CopyPartResult.ETag)), completed(2, aws.ToString(cp2.CopyPartResult.ETag)))
	must(t, err, "complete")
	if got := getBytes(t, e.s3(t, 2), bucket, "mpu/copy-target"); !bytes.Equal(got, slices.Concat(p1, whole)) {
		t.Errorf("copied parts differ (%d bytes, want %d)", len(got), len(p1)+len(whole))
	}
}
