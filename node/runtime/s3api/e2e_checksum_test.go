package s3api_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/garagego/garage/internal/localcluster"
)

// Checksums computed here with the standard library alone, independently
// of the store's own arithmetic: a full-object CRC of a multipart object is
// the CRC of the concatenated data, a composite checksum the digest of the
// parts' digests.

// allAlgorithms are every algorithm the store computes.
var allAlgorithms = []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
	types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256,
	types.ChecksumAlgorithmSha512, types.ChecksumAlgorithmMd5}

func newHash(algo types.ChecksumAlgorithm) hash.Hash {
	switch algo {
	case types.ChecksumAlgorithmCrc32:
		return crc32.NewIEEE()
	case types.ChecksumAlgorithmCrc32c:
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case types.ChecksumAlgorithmCrc64nvme:
		return crc64.New(crc64.MakeTable(0x9a6c9329ac4bc9b5))
	case types.ChecksumAlgorithmSha1:
		return sha1.New()
	case types.ChecksumAlgorithmSha256:
		return sha256.New()
	case types.ChecksumAlgorithmSha512:
		return sha512.New()
	case types.ChecksumAlgorithmMd5:
		return md5.New()
	}
	panic("no such checksum: " + string(algo))
}

func digest(algo types.ChecksumAlgorithm, data []byte) []byte {
	h := newHash(algo)
	h.Write(data)
	return h.Sum(nil)
}

// sumOf is the base64 checksum of data.
func sumOf(algo types.ChecksumAlgorithm, data []byte) string {
	return base64.StdEncoding.EncodeToString(digest(algo, data))
}

// compositeOf is S3's COMPOSITE checksum of parts.
func compositeOf(algo types.ChecksumAlgorithm, parts ...[]byte) string {
	h := newHash(algo)
	for _, p := range parts {
		h.Write(digest(algo, p))
	}
	return fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(h.Sum(nil)), len(parts))
}

// fieldName is the name of an algorithm's checksum field in SDK shapes.
func fieldName(algo types.ChecksumAlgorithm) string {
	return "Checksum" + strings.ToUpper(string(algo))
}

// sumField reads the checksum of algo from an SDK input or output struct
// (a pointer), "" if unset.
func sumField(v any, algo types.ChecksumAlgorithm) string {
	f := reflect.ValueOf(v).Elem().FieldByName(fieldName(algo))
	if !f.IsValid() {
		panic(fmt.Sprintf("%T has no field %s", v, fieldName(algo)))
	}
	return aws.ToString(f.Interface().(*string))
}

// setSum sets the checksum of algo on an SDK input struct (a pointer).
func setSum(v any, algo types.ChecksumAlgorithm, value string) {
	reflect.ValueOf(v).Elem().FieldByName(fieldName(algo)).Set(reflect.ValueOf(aws.String(value)))
}

// otherSums lists the checksums of other algorithms than algo set in v.
func otherSums(v any, algo types.ChecksumAlgorithm) []string {
	var out []string
	for _, a := range allAlgorithms {
		if a != algo && sumField(v, a) != "" {
			out = append(out, string(a))
		}
	}
	return out
}

// whenRequired makes a client send checksums only where S3 requires them,
// so that the store's own defaults can be seen.
func whenRequired(o *s3.Options) {
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
}

// testChecksumsEveryAlgorithm: a PutObject with a checksum of each
// algorithm, MD5 and SHA-512 included, is stored with it and answers it,
// as does a GET or HEAD in checksum mode, with its type; a wrong value is
// BadDigest with nothing stored; a value of the wrong length or not base64
// is InvalidRequest; without a checksum the object gets S3's default,
// CRC64NVME; a range read returns none.
func testChecksumsEveryAlgorithm(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl, other := e.s3(t, 0, noRetries), e.s3(t, 1)
	const bucket = "bucket"
	data := randomBytes(71, 200<<10+17)
	for _, algo := range allAlgorithms {
		t.Run(string(algo), func(t *testing.T) {
			key := "every/" + string(algo)
			want := sumOf(algo, data)
			in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)}
			setSum(in, algo, want)
			out, err := cl.PutObject(ctx, in)
			must(t, err, "put")
			if got := sumField(out, algo); got != want || out.ChecksumType != types.ChecksumTypeFullObject {
				t.Errorf("PUT answers %s %q type %q, want %q FULL_OBJECT", algo, got, out.ChecksumType, want)
			}
			g, err := other.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			must(t, err, "get")
			if got := readAll(t, g.Body); !bytes.Equal(got, data) {
				t.Error("content differs")
			}
			if got := sumField(g, algo); got != want || g.ChecksumType != types.ChecksumTypeFullObject || len(otherSums(g, algo)) != 0 {
				t.Errorf("GET answers %s %q type %q (others %v), want %q", algo, got, g.ChecksumType, otherSums(g, algo), want)
			}
			h, err := other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			must(t, err, "head")
			if got := sumField(h, algo); got != want || h.ChecksumType != types.ChecksumTypeFullObject {
				t.Errorf("HEAD answers %s %q type %q", algo, got, h.ChecksumType)
			}
			// Part 1 of an object put whole is the whole object.
			hp, err := other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), PartNumber: aws.Int32(1),
				ChecksumMode: types.ChecksumModeEnabled})
			must(t, err, "head part 1")
			if got := sumField(hp, algo); got != want {
				t.Errorf("HEAD of part 1 answers %s %q", algo, got)
			}
			r, err := other.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Range: aws.String("bytes=0-99"),
				ChecksumMode: types.ChecksumModeEnabled})
			must(t, err, "ranged get")
			readAll(t, r.Body)
			if got := sumField(r, algo); got != "" {
				t.Errorf("a range read answers the object's checksum %q", got)
			}

			for name, bad := range map[string]struct {
				value, code string
			}{
				"wrong":          {sumOf(algo, []byte("other data")), "BadDigest"},
				"one byte short": {base64.StdEncoding.EncodeToString(digest(algo, data)[1:]), "InvalidRequest"},
				"not base64":     {"&&" + want[2:], "InvalidRequest"},
				"empty":          {"", "InvalidRequest"},
			} {
				in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key + "-" + name), Body: bytes.NewReader(data)}
				setSum(in, algo, bad.value)
				_, err := cl.PutObject(ctx, in)
				wantAPIError(t, err, bad.code, 400)
				_, err = other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key + "-" + name)})
				wantAPIError(t, err, "NotFound", 404)
			}
		})
	}
	t.Run("computed by the SDK, header or trailer", func(t *testing.T) {
		front, client := tlsFront(t, e.c.Nodes[2].Endpoint)
		for _, over := range []*s3.Client{cl, newS3(t, front, e.c.KeyID, e.c.Secret, func(o *s3.Options) { o.HTTPClient = client })} {
			for _, algo := range allAlgorithms {
				if algo == types.ChecksumAlgorithmMd5 {
					continue // the SDK computes no MD5 checksum
				}
				key := "every/sdk-" + string(algo)
				out, err := over.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
					ChecksumAlgorithm: algo})
				must(t, err, "put "+string(algo))
				if got := sumField(out, algo); got != sumOf(algo, data) {
					t.Errorf("%s: PUT answers %q", algo, got)
				}
			}
		}
	})
	t.Run("default CRC64NVME", func(t *testing.T) {
		plain := e.s3(t, 2, whenRequired)
		out, err := plain.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("every/default"), Body: bytes.NewReader(data)})
		must(t, err, "put")
		want := sumOf(types.ChecksumAlgorithmCrc64nvme, data)
		if got := aws.ToString(out.ChecksumCRC64NVME); got != want || len(otherSums(out, types.ChecksumAlgorithmCrc64nvme)) != 0 {
			t.Errorf("PUT without a checksum answers CRC64NVME %q (others %v), want %q", got, otherSums(out, types.ChecksumAlgorithmCrc64nvme), want)
		}
		h, err := other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("every/default"), ChecksumMode: types.ChecksumModeEnabled})
		must(t, err, "head")
		if aws.ToString(h.ChecksumCRC64NVME) != want || h.ChecksumType != types.ChecksumTypeFullObject {
			t.Errorf("HEAD answers %q %q", aws.ToString(h.ChecksumCRC64NVME), h.ChecksumType)
		}
	})
	t.Run("refused algorithms", func(t *testing.T) {
		in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("every/xxhash"), Body: bytes.NewReader(data),
			ChecksumXXHASH64: aws.String(base64.StdEncoding.EncodeToString(make([]byte, 8)))}
		_, err := cl.PutObject(ctx, in)
		wantAPIError(t, err, "NotImplemented", 501)
		for header, code := range map[string]string{"x-amz-checksum-crc16": "InvalidRequest", "x-amz-sdk-checksum-algorithm": "InvalidRequest"} {
			req := newRequest(t, http.MethodPut, e.c.Nodes[0].Endpoint+"/bucket/every/unknown", strings.NewReader("abc"))
			req.Header.Set(header, "AAA=")
			wantHTTPError(t, httpDo(t, signRaw(t, e, req)), code, 400)
		}
		_, err = other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("every/unknown")})
		wantAPIError(t, err, "NotFound", 404)
	})
}

// signRaw signs req, its headers as they are, with an unsigned payload.
func signRaw(t *testing.T, e *env, req *http.Request) *http.Request {
	t.Helper()
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	creds := aws.Credentials{AccessKeyID: e.c.KeyID, SecretAccessKey: e.c.Secret}
	err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		SignHTTP(testCtx(t), creds, req, "UNSIGNED-PAYLOAD", "s3", localcluster.Region, time.Now())
	must(t, err, "sign")
	return req
}

// upload parts of size partSize then a shorter last one.
const partSize = 5 << 20

// mpuCase is one checksum algorithm and type of a multipart upload; a zero
// one is an upload created without a checksum.
type mpuCase struct {
	algo types.ChecksumAlgorithm
	typ  types.ChecksumType
}

// testMultipartChecksumTypes: for every algorithm and type S3 allows, and
// an upload created without either, each part's checksum is answered and
// listed, the completion answers the composite checksum (the digest of the
// parts' digests, "-2") or the full-object one (the checksum of the whole
// object), GET and HEAD in checksum mode return it with its type, and a
// read of part 1 returns that part's checksum when it is composite.
func testMultipartChecksumTypes(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl, other := e.s3(t, 0, noRetries), e.s3(t, 1)
	const bucket = "bucket"
	p1, p2 := randomBytes(81, partSize), randomBytes(82, 123457)
	whole := append(append([]byte{}, p1...), p2...)
	cases := []mpuCase{{}}
	for _, a := range allAlgorithms {
		if a != types.ChecksumAlgorithmCrc64nvme {
			cases = append(cases, mpuCase{a, types.ChecksumTypeComposite})
		}
		switch a {
		case types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc64nvme:
			cases = append(cases, mpuCase{a, types.ChecksumTypeFullObject})
		}
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s-%s", c.algo, c.typ), func(t *testing.T) {
			key := fmt.Sprintf("mpusum/%s-%s", c.algo, c.typ)
			u := createUpload(t, cl, bucket, key, func(in *s3.CreateMultipartUploadInput) { in.ChecksumAlgorithm, in.ChecksumType = c.algo, c.typ })
			algo, typ := c.algo, c.typ
			if algo == "" {
				algo, typ = types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeFullObject // S3's default
			}
			var parts []types.CompletedPart
			for n, data := range [][]byte{p1, p2} {
				in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: u.id, PartNumber: aws.Int32(int32(n + 1)),
					Body: bytes.NewReader(data)}
				client := cl
				if c.algo != "" {
					setSum(in, algo, sumOf(algo, data))
				} else {
					client = e.s3(t, 0, whenRequired) // a part without a checksum: the store computes the default
				}
				out, err := client.UploadPart(ctx, in)
				must(t, err, fmt.Sprintf("part %d", n+1))
				if got := sumField(out, algo); got != sumOf(algo, data) {
					t.Errorf("part %d answers %s %q, want %q", n+1, algo, got, sumOf(algo, data))
				}
				cp := types.CompletedPart{PartNumber: aws.Int32(int32(n + 1)), ETag: out.ETag}
				if c.algo != "" {
					setSum(&cp, algo, sumOf(algo, data))
				}
				parts = append(parts, cp)
			}
			l, err := other.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: u.id})
			must(t, err, "list parts")
			if l.ChecksumAlgorithm != algo || l.ChecksumType != typ || len(l.Parts) != 2 || sumField(&l.Parts[1], algo) != sumOf(algo, p2) {
				t.Errorf("ListParts: algorithm %q type %q parts %+v", l.ChecksumAlgorithm, l.ChecksumType, l.Parts)
			}
			want := sumOf(algo, whole)
			if typ == types.ChecksumTypeComposite {
				want = compositeOf(algo, p1, p2)
			}
			in := &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: u.id,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}, ChecksumType: c.typ, MpuObjectSize: aws.Int64(int64(len(whole)))}
			if c.algo != "" {
				setSum(in, algo, want)
			}
			done, err := other.CompleteMultipartUpload(ctx, in)
			must(t, err, "complete")
			if got := sumField(done, algo); got != want || done.ChecksumType != typ {
				t.Errorf("completion answers %s %q type %q, want %q %q", algo, got, done.ChecksumType, want, typ)
			}
			// The SDK validates a full-object checksum as it reads.
			g, err := e.s3(t, 2).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			must(t, err, "get")
			if got := readAll(t, g.Body); !bytes.Equal(got, whole) {
				t.Error("content differs")
			}
			if got := sumField(g, algo); got != want || g.ChecksumType != typ {
				t.Errorf("GET answers %s %q type %q, want %q", algo, got, g.ChecksumType, want)
			}
			h, err := other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), PartNumber: aws.Int32(1),
				ChecksumMode: types.ChecksumModeEnabled})
			must(t, err, "head part 1")
			wantPart := ""
			if typ == types.ChecksumTypeComposite {
				wantPart = sumOf(algo, p1)
			}
			if got := sumField(h, algo); got != wantPart || aws.ToInt64(h.ContentLength) != partSize {
				t.Errorf("HEAD of part 1 answers %s %q (%d bytes), want %q", algo, got, aws.ToInt64(h.ContentLength), wantPart)
			}
		})
	}
}

// testMultipartChecksumRefusals: what S3 refuses of an upload's checksums
// is refused, and the upload stays usable.
func testMultipartChecksumRefusals(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0, noRetries)
	plain := e.s3(t, 1, noRetries, whenRequired)
	const bucket = "bucket"
	t.Run("create", func(t *testing.T) {
		for _, c := range []struct {
			algo types.ChecksumAlgorithm
			typ  types.ChecksumType
			code string
		}{
			{types.ChecksumAlgorithmSha256, types.ChecksumTypeFullObject, "InvalidRequest"},
			{types.ChecksumAlgorithmMd5, types.ChecksumTypeFullObject, "InvalidRequest"},
			{types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeComposite, "InvalidRequest"},
			{"", types.ChecksumTypeComposite, "InvalidRequest"},
			{"CRC16", "", "InvalidRequest"},
			{types.ChecksumAlgorithmCrc32, "PARTIAL", "InvalidRequest"},
			{types.ChecksumAlgorithmXxhash3, "", "NotImplemented"},
		} {
			_, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpuref/create"),
				ChecksumAlgorithm: c.algo, ChecksumType: c.typ})
			status := 400
			if c.code == "NotImplemented" {
				status = 501
			}
			wantAPIError(t, err, c.code, status)
		}
	})
	t.Run("parts", func(t *testing.T) {
		u := createUpload(t, cl, bucket, "mpuref/parts", func(in *s3.CreateMultipartUploadInput) {
			in.ChecksumAlgorithm, in.ChecksumType = types.ChecksumAlgorithmCrc32, types.ChecksumTypeComposite
		})
		data := []byte("part data")
		part := func(client *s3.Client, set func(*s3.UploadPartInput)) error {
			in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mpuref/parts"), UploadId: u.id, PartNumber: aws.Int32(1), Body: bytes.NewReader(data)}
			set(in)
			_, err := client.UploadPart(ctx, in)
			return err
		}
		wantAPIError(t, part(cl, func(in *s3.UploadPartInput) {
			in.ChecksumSHA256 = aws.String(sumOf(types.ChecksumAlgorithmSha256, data))
		}), "InvalidRequest", 400)
		wantAPIError(t, part(plain, func(*s3.UploadPartInput) {}), "InvalidRequest", 400) // composite: a part must come with its checksum
		wantAPIError(t, part(cl, func(in *s3.UploadPartInput) {
			in.ChecksumCRC32 = aws.String(sumOf(types.ChecksumAlgorithmCrc32, []byte("x")))
		}), "BadDigest", 400)
		l, err := cl.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String("mpuref/parts"), UploadId: u.id})
		must(t, err, "list parts")
		if len(l.Parts) != 0 {
			t.Errorf("refused parts were recorded: %+v", l.Parts)
		}
		must(t, part(cl, func(in *s3.UploadPartInput) { in.ChecksumCRC32 = aws.String(sumOf(types.ChecksumAlgorithmCrc32, data)) }), "a right part")

		// A full-object upload computes what a part does not bring.
		f := createUpload(t, cl, bucket, "mpuref/full", func(in *s3.CreateMultipartUploadInput) {
			in.ChecksumAlgorithm, in.ChecksumType = types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject
		})
		out, err := plain.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mpuref/full"), UploadId: f.id, PartNumber: aws.Int32(1), Body: bytes.NewReader(data)})
		must(t, err, "a full-object part without a checksum")
		if got := aws.ToString(out.ChecksumCRC32C); got != sumOf(types.ChecksumAlgorithmCrc32c, data) {
			t.Errorf("the store computed CRC32C %q", got)
		}
	})
	t.Run("complete", func(t *testing.T) {
		const key = "mpuref/complete"
		algo := types.ChecksumAlgorithmCrc32c
		u := createUpload(t, cl, bucket, key, func(in *s3.CreateMultipartUploadInput) {
			in.ChecksumAlgorithm, in.ChecksumType = algo, types.ChecksumTypeComposite
		})
		p1, p2 := randomBytes(91, partSize), randomBytes(92, 1000)
		var parts []types.CompletedPart
		for n, data := range [][]byte{p1, p2} {
			out, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: u.id,
				PartNumber: aws.Int32(int32(n + 1)), Body: bytes.NewReader(data), ChecksumCRC32C: aws.String(sumOf(algo, data))})
			must(t, err, "part")
			parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(n + 1)), ETag: out.ETag, ChecksumCRC32C: out.ChecksumCRC32C})
		}
		complete := func(mod func(*s3.CompleteMultipartUploadInput)) error {
			ps := make([]types.CompletedPart, len(parts))
			copy(ps, parts)
			in := &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: u.id,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: ps}}
			mod(in)
			_, err := cl.CompleteMultipartUpload(ctx, in)
			return err
		}
		for name, c := range map[string]struct {
			mod  func(*s3.CompleteMultipartUploadInput)
			code string
		}{
			"a part's checksum missing": {func(in *s3.CompleteMultipartUploadInput) { in.MultipartUpload.Parts[1].ChecksumCRC32C = nil }, "InvalidRequest"},
			"a part's checksum wrong": {func(in *s3.CompleteMultipartUploadInput) {
				in.MultipartUpload.Parts[1].ChecksumCRC32C = aws.String(sumOf(algo, p1))
			}, "InvalidPart"},
			"a part's checksum of another algorithm": {func(in *s3.CompleteMultipartUploadInput) {
				in.MultipartUpload.Parts[0].ChecksumCRC32C, in.MultipartUpload.Parts[0].ChecksumSHA1 = nil, aws.String(sumOf(types.ChecksumAlgorithmSha1, p1))
			}, "BadDigest"},
			"two checksums of a part": {func(in *s3.CompleteMultipartUploadInput) {
				in.MultipartUpload.Parts[0].ChecksumSHA1 = aws.String(sumOf(types.ChecksumAlgorithmSha1, p1))
			}, "InvalidArgument"},
			"a part's checksum not base64": {func(in *s3.CompleteMultipartUploadInput) {
				in.MultipartUpload.Parts[0].ChecksumCRC32C = aws.String("!!!!")
			}, "InvalidArgument"},
			"the object's checksum wrong": {func(in *s3.CompleteMultipartUploadInput) {
				in.ChecksumCRC32C = aws.String(compositeOf(algo, p2, p1))
			}, "BadDigest"},
			"the object's checksum of another algorithm": {func(in *s3.CompleteMultipartUploadInput) {
				in.ChecksumSHA256 = aws.String(compositeOf(types.ChecksumAlgorithmSha256, p1, p2))
			}, "InvalidRequest"},
			"the object's checksum malformed": {func(in *s3.CompleteMultipartUploadInput) { in.ChecksumCRC32C = aws.String("AAAA-2") }, "InvalidRequest"},
			"another type":                    {func(in *s3.CompleteMultipartUploadInput) { in.ChecksumType = types.ChecksumTypeFullObject }, "InvalidRequest"},
			"a wrong object size":             {func(in *s3.CompleteMultipartUploadInput) { in.MpuObjectSize = aws.Int64(int64(len(p1))) }, "InvalidRequest"},
			"a negative object size":          {func(in *s3.CompleteMultipartUploadInput) { in.MpuObjectSize = aws.Int64(-1) }, "InvalidRequest"},
			"parts not numbered from 1": {func(in *s3.CompleteMultipartUploadInput) {
				in.MultipartUpload.Parts = in.MultipartUpload.Parts[1:]
			}, "InvalidPartOrder"},
		} {
			err := complete(c.mod)
			wantAPIError(t, err, c.code, 400)
			if t.Failed() {
				t.Fatalf("%s", name)
			}
		}
		_, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		wantAPIError(t, err, "NotFound", 404)
		// The composite checksum may be stated without its part count.
		must(t, complete(func(in *s3.CompleteMultipartUploadInput) {
			in.ChecksumCRC32C = aws.String(strings.TrimSuffix(compositeOf(algo, p1, p2), "-2"))
		}), "complete")
	})
}

// testCopyChecksums: a copy keeps its source's checksum, or with
// x-amz-checksum-algorithm gets that algorithm's checksum of the data; a
// part copied into an upload gets the upload's.
func testCopyChecksums(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl, other := e.s3(t, 0, noRetries), e.s3(t, 1)
	const bucket = "bucket"
	small, big := randomBytes(101, 1000), randomBytes(102, 300<<10)
	for name, data := range map[string][]byte{"small": small, "big": big} {
		src := "copysum/src-" + name
		_, err := e.s3(t, 2, whenRequired).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(src), Body: bytes.NewReader(data)})
		must(t, err, "put source")
		out, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(src + "-kept"), CopySource: aws.String(bucket + "/" + src)})
		must(t, err, "copy")
		if got := aws.ToString(out.CopyObjectResult.ChecksumCRC64NVME); got != sumOf(types.ChecksumAlgorithmCrc64nvme, data) {
			t.Errorf("%s: a copy answers the source's CRC64NVME %q", name, got)
		}
		for _, algo := range allAlgorithms {
			dst := fmt.Sprintf("copysum/%s-%s", name, algo)
			out, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(dst), CopySource: aws.String(bucket + "/" + src),
				ChecksumAlgorithm: algo})
			must(t, err, "copy with "+string(algo))
			want := sumOf(algo, data)
			if got := sumField(out.CopyObjectResult, algo); got != want || out.CopyObjectResult.ChecksumType != types.ChecksumTypeFullObject {
				t.Errorf("%s: copy answers %s %q type %q, want %q", name, algo, got, out.CopyObjectResult.ChecksumType, want)
			}
			h, err := other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(dst), ChecksumMode: types.ChecksumModeEnabled})
			must(t, err, "head copy")
			if got := sumField(h, algo); got != want || len(otherSums(h, algo)) != 0 {
				t.Errorf("%s: the copy has %s %q (others %v), want %q", name, algo, got, otherSums(h, algo), want)
			}
		}
	}
	// In place, a new algorithm is a change S3 allows.
	out, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copysum/src-big"), CopySource: aws.String(bucket + "/copysum/src-big"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	must(t, err, "copy in place with a new algorithm")
	if got := aws.ToString(out.CopyObjectResult.ChecksumSHA256); got != sumOf(types.ChecksumAlgorithmSha256, big) {
		t.Errorf("in-place copy answers %q", got)
	}
	_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copysum/bad"), CopySource: aws.String(bucket + "/copysum/src-big"),
		ChecksumAlgorithm: "CRC16"})
	wantAPIError(t, err, "InvalidRequest", 400)

	t.Run("upload part copy", func(t *testing.T) {
		u := createUpload(t, cl, bucket, "copysum/parts", func(in *s3.CreateMultipartUploadInput) {
			in.ChecksumAlgorithm, in.ChecksumType = types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite
		})
		pc, err := cl.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("copysum/parts"), UploadId: u.id,
			PartNumber: aws.Int32(1), CopySource: aws.String(bucket + "/copysum/src-big"), CopySourceRange: aws.String("bytes=100-1099")})
		must(t, err, "upload part copy")
		want := sumOf(types.ChecksumAlgorithmSha256, big[100:1100])
		if got := aws.ToString(pc.CopyPartResult.ChecksumSHA256); got != want {
			t.Fatalf("copied part answers SHA256 %q, want %q", got, want)
		}
		done, err := cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("copysum/parts"), UploadId: u.id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: pc.CopyPartResult.ETag, ChecksumSHA256: aws.String(want)}}}})
		must(t, err, "complete")
		if got := aws.ToString(done.ChecksumSHA256); got != compositeOf(types.ChecksumAlgorithmSha256, big[100:1100]) {
			t.Errorf("completion answers %q", got)
		}
	})
}

// testSamePartTwice: part 1 uploaded twice at once, the upload that began
// first finishing last: the client got its ETag last, and completing with
// it succeeds, with its data; the other ETag no longer counts.
func testSamePartTwice(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0)
	const bucket, key = "bucket", "samepart/obj"
	u := createUpload(t, cl, bucket, key)
	first, second := randomBytes(111, 3<<20), randomBytes(112, 2<<20)
	presigned, err := s3.NewPresignClient(e.s3(t, 1)).PresignUploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: u.id, PartNumber: aws.Int32(1)}, s3.WithPresignExpires(5*time.Minute))
	must(t, err, "presign")
	pr, pw := io.Pipe()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, presigned.URL, pr)
	must(t, err, "request")
	req.ContentLength = int64(len(first))
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
		if err != nil {
			t.Errorf("first upload of part 1: %v", err)
		}
		answered <- resp
	}()
	if _, err := pw.Write(first[:len(first)/2]); err != nil {
		t.Fatalf("first half: %v", err)
	}
	time.Sleep(200 * time.Millisecond) // the first upload has begun on the server
	out, err := e.s3(t, 2).UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: u.id,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(second)})
	must(t, err, "second upload of part 1")
	secondETag := aws.ToString(out.ETag)
	if _, err := pw.Write(first[len(first)/2:]); err != nil {
		t.Fatalf("second half: %v", err)
	}
	pw.Close()
	resp := <-answered
	if resp == nil {
		return
	}
	readAll(t, resp.Body)
	firstETag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || firstETag != `"`+md5Hex(first)+`"` {
		t.Fatalf("first upload of part 1: %d, ETag %s", resp.StatusCode, firstETag)
	}
	_, err = u.complete(cl, completed(1, secondETag))
	wantAPIError(t, err, "InvalidPart", 400)
	_, err = u.complete(cl, completed(1, firstETag))
	must(t, err, "complete with the ETag got last")
	if got := getBytes(t, e.s3(t, 1), bucket, key); !bytes.Equal(got, first) {
		t.Errorf("the object holds %d bytes, not the part that finished last", len(got))
	}
}
