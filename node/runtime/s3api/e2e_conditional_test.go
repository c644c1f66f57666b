package s3api_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// TestE2EConditionalPutJudgedAtCommit: a PUT with If-None-Match: * whose
// body is still uploading when another writer creates the key must fail
// with 412 when it would commit, not overwrite the other's object.
func TestE2EConditionalPutJudgedAtCommit(t *testing.T) {
	e := startEnv(t, 3)
	ctx := testCtx(t)
	const key = "cond/race"
	presigned, err := s3.NewPresignClient(e.s3(t, 0)).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)},
		s3.WithPresignExpires(5*time.Minute))
	must(t, err, "presign")
	body := randomBytes(3, 4<<20)
	pr, pw := io.Pipe()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, presigned.URL, pr)
	must(t, err, "request")
	req.ContentLength = int64(len(body))
	req.Header.Set("If-None-Match", "*")
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req) // no proxy from the environment
		if err != nil {
			t.Errorf("conditional put: %v", err)
			answered <- nil
			return
		}
		answered <- resp
	}()
	// Once the server reads the body, its first check has passed. Socket
	// buffers on loopback can hold the first half unread, so give the
	// server a moment; if it still judged after the other writer (a loaded
	// machine), it answers 412 at once, which is right too.
	if _, err := pw.Write(body[:len(body)/2]); err != nil {
		t.Fatalf("send the first half: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	putBytes(t, e.s3(t, 1), "bucket", key, []byte("the other writer"))
	if _, err := pw.Write(body[len(body)/2:]); err != nil {
		t.Logf("the server answered before the second half (%v): its first check already saw the other writer", err)
	}
	pw.Close()
	resp := <-answered
	if resp == nil {
		return
	}
	wantHTTPError(t, resp, "PreconditionFailed", http.StatusPreconditionFailed)
	if got := getBytes(t, e.s3(t, 2), "bucket", key); !bytes.Equal(got, []byte("the other writer")) {
		t.Fatalf("the conditional put overwrote the other writer's object (%d bytes)", len(got))
	}
}

// slowPut starts a PUT of body through a presigned URL and sends its first
// half; the returned function sends the rest and returns the response.
// Once it returns, the server has begun the put (its version is stamped).
func slowPut(t *testing.T, e *env, node int, key string, body []byte) func() *http.Response {
	t.Helper()
	ctx := testCtx(t)
	presigned, err := s3.NewPresignClient(e.s3(t, node)).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)},
		s3.WithPresignExpires(5*time.Minute))
	must(t, err, "presign")
	pr, pw := io.Pipe()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, presigned.URL, pr)
	must(t, err, "request")
	req.ContentLength = int64(len(body))
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req) // no proxy from the environment
		if err != nil {
			t.Errorf("slow put: %v", err)
		}
		answered <- resp
	}()
	if _, err := pw.Write(body[:len(body)/2]); err != nil {
		t.Fatalf("slow put, first half: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	return func() *http.Response {
		if _, err := pw.Write(body[len(body)/2:]); err != nil {
			t.Logf("slow put, second half: %v", err)
		}
		pw.Close()
		return <-answered
	}
}

// testConditionalRequests: S3's conditional writes and deletes, each
// refusal with its code, and the object untouched by it.
func testConditionalRequests(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl, other := e.s3(t, 0, noRetries), e.s3(t, 1)
	const bucket = "bucket"
	content := func(key string) string {
		t.Helper()
		g, err := other.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return string(readAll(t, g.Body))
	}
	put := func(key, body string, set func(*s3.PutObjectInput)) (string, error) {
		in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}
		set(in)
		out, err := cl.PutObject(ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ETag), nil
	}
	t.Run("put", func(t *testing.T) {
		const key = "condreq/put"
		etag, err := put(key, "v1", func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") })
		must(t, err, "create")
		_, err = put(key, "v2", func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") })
		wantAPIError(t, err, "PreconditionFailed", 412)
		_, err = put(key, "v2", func(in *s3.PutObjectInput) { in.IfMatch = aws.String(`"0123456789abcdef0123456789abcdef"`) })
		wantAPIError(t, err, "PreconditionFailed", 412)
		_, err = put("condreq/absent", "v2", func(in *s3.PutObjectInput) { in.IfMatch = aws.String(etag) })
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = put(key, "v2", func(in *s3.PutObjectInput) { in.IfMatch, in.IfNoneMatch = aws.String(etag), aws.String("*") })
		wantAPIError(t, err, "NotImplemented", 501)
		_, err = put(key, "v2", func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String(etag) })
		wantAPIError(t, err, "NotImplemented", 501)
		if got := content(key); got != "v1" {
			t.Errorf("refused puts left %q", got)
		}
		_, err = put(key, "v2", func(in *s3.PutObjectInput) { in.IfMatch = aws.String(etag) })
		must(t, err, "put if-match the current ETag")
		big := randomBytes(121, 40<<10) // stored in blocks
		_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(big), IfNoneMatch: aws.String("*")})
		wantAPIError(t, err, "PreconditionFailed", 412)
		if got := content(key); got != "v2" {
			t.Errorf("content %q", got)
		}
	})
	t.Run("copy", func(t *testing.T) {
		src, dst := "condreq/copy-src", "condreq/copy-dst"
		srcTag, err := put(src, "source", func(*s3.PutObjectInput) {})
		must(t, err, "source")
		dstTag, err := put(dst, "destination", func(*s3.PutObjectInput) {})
		must(t, err, "destination")
		copyIn := func(set func(*s3.CopyObjectInput)) error {
			in := &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(dst), CopySource: aws.String(bucket + "/" + src)}
			set(in)
			_, err := cl.CopyObject(ctx, in)
			return err
		}
		wantAPIError(t, copyIn(func(in *s3.CopyObjectInput) { in.IfNoneMatch = aws.String("*") }), "PreconditionFailed", 412)
		wantAPIError(t, copyIn(func(in *s3.CopyObjectInput) { in.IfMatch = aws.String(srcTag) }), "PreconditionFailed", 412)
		wantAPIError(t, copyIn(func(in *s3.CopyObjectInput) {
			in.Key = aws.String("condreq/copy-absent")
			in.IfMatch = aws.String(dstTag)
		}), "NoSuchKey", 404)
		// The source's conditions still hold the source to account.
		wantAPIError(t, copyIn(func(in *s3.CopyObjectInput) {
			in.IfMatch, in.CopySourceIfMatch = aws.String(dstTag), aws.String(dstTag)
		}), "PreconditionFailed", 412)
		if got := content(dst); got != "destination" {
			t.Errorf("refused copies left %q", got)
		}
		must(t, copyIn(func(in *s3.CopyObjectInput) {
			in.IfMatch, in.CopySourceIfMatch = aws.String(dstTag), aws.String(srcTag)
		}), "copy under both conditions")
		if got := content(dst); got != "source" {
			t.Errorf("content %q", got)
		}
		must(t, copyIn(func(in *s3.CopyObjectInput) {
			in.Key = aws.String("condreq/copy-new")
			in.IfNoneMatch = aws.String("*")
		}), "copy to a new key")
	})
	t.Run("complete", func(t *testing.T) {
		u := createUpload(t, cl, bucket, "condreq/mpu-absent")
		etag := u.part(cl, 1, []byte("only part"))
		_, err := cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("condreq/mpu-absent"), UploadId: u.id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{completed(1, etag)}}, IfMatch: aws.String(etag)})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("condreq/mpu-absent"), UploadId: u.id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{completed(1, etag)}}, IfNoneMatch: aws.String("*")})
		must(t, err, "a refused completion leaves the upload to complete")
	})
	t.Run("delete", func(t *testing.T) {
		const key = "condreq/del"
		etag, err := put(key, "doomed", func(*s3.PutObjectInput) {})
		must(t, err, "put")
		h, err := other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		must(t, err, "head")
		del := func(key string, set func(*s3.DeleteObjectInput)) error {
			in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
			set(in)
			_, err := cl.DeleteObject(ctx, in)
			return err
		}
		wantAPIError(t, del(key, func(in *s3.DeleteObjectInput) { in.IfMatch = aws.String(`"ffffffffffffffffffffffffffffffff"`) }), "PreconditionFailed", 412)
		wantAPIError(t, del(key, func(in *s3.DeleteObjectInput) { in.IfMatchSize = aws.Int64(7) }), "PreconditionFailed", 412)
		wantAPIError(t, del(key, func(in *s3.DeleteObjectInput) { in.IfMatchLastModifiedTime = aws.Time(h.LastModified.Add(-time.Hour)) }), "PreconditionFailed", 412)
		wantAPIError(t, del(key, func(in *s3.DeleteObjectInput) {
			in.IfMatch, in.IfMatchSize = aws.String(etag), aws.Int64(7)
		}), "PreconditionFailed", 412)
		if got := content(key); got != "doomed" {
			t.Fatalf("refused deletes left %q", got)
		}
		wantAPIError(t, del("condreq/del-absent", func(in *s3.DeleteObjectInput) { in.IfMatch = aws.String("*") }), "NoSuchKey", 404)
		must(t, del("condreq/del-absent", func(in *s3.DeleteObjectInput) { in.IfMatchSize = aws.Int64(3) }), "a size condition on a missing key")
		must(t, del(key, func(in *s3.DeleteObjectInput) {
			in.IfMatch, in.IfMatchSize, in.IfMatchLastModifiedTime = aws.String(etag), aws.Int64(6), h.LastModified
		}), "delete under every condition")
		_, err = other.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		wantAPIError(t, err, "NotFound", 404)
		// If-None-Match means nothing to a delete: refused, not ignored.
		req := newRequest(t, http.MethodDelete, e.c.Nodes[0].Endpoint+"/bucket/condreq/del", nil)
		req.Header.Set("If-None-Match", "*")
		wantHTTPError(t, httpDo(t, signRaw(t, e, req)), "NotImplemented", 501)
		// The delete-only conditions are refused elsewhere.
		req = newRequest(t, http.MethodPut, e.c.Nodes[0].Endpoint+"/bucket/condreq/misplaced", strings.NewReader("x"))
		req.Header.Set("x-amz-if-match-size", "1")
		wantHTTPError(t, httpDo(t, signRaw(t, e, req)), "NotImplemented", 501)
	})
}

// testConditionalRaces: conditional writes that commit while other
// writes do.
func testConditionalRaces(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0, noRetries)
	const bucket = "bucket"
	t.Run("delete while a put commits", func(t *testing.T) {
		// The put began before the delete and finishes after it: the delete
		// judged the object it saw; the put, which it never judged, cannot
		// claim to have been stored over it.
		const key = "condrace/delete"
		etag := putBytes(t, cl, bucket, key, []byte("current"))
		finish := slowPut(t, e, 1, key, randomBytes(131, 4<<20))
		_, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), IfMatch: aws.String(etag)})
		must(t, err, "conditional delete")
		resp := finish()
		if resp == nil {
			return
		}
		wantHTTPError(t, resp, "ConditionalRequestConflict", http.StatusConflict)
		_, err = e.s3(t, 2).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		wantAPIError(t, err, "NotFound", 404)
	})
	t.Run("complete while a put commits", func(t *testing.T) {
		const key = "condrace/complete"
		finish := slowPut(t, e, 2, key, randomBytes(132, 4<<20))
		u := createUpload(t, cl, bucket, key)
		part := randomBytes(133, 1000)
		etag := u.part(cl, 1, part)
		_, err := cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: u.id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{completed(1, etag)}}, IfNoneMatch: aws.String("*")})
		must(t, err, "conditional completion: no object yet")
		resp := finish()
		if resp == nil {
			return
		}
		wantHTTPError(t, resp, "ConditionalRequestConflict", http.StatusConflict)
		if got := getBytes(t, e.s3(t, 1), bucket, key); !bytes.Equal(got, part) {
			t.Errorf("the key holds %d bytes, not the completed upload", len(got))
		}
	})
	t.Run("put then conditional delete", func(t *testing.T) {
		// Once the put committed, the delete's If-Match is judged against it.
		const key = "condrace/after"
		etag := putBytes(t, cl, bucket, key, []byte("first"))
		finish := slowPut(t, e, 1, key, randomBytes(134, 1<<20))
		resp := finish()
		if resp == nil {
			return
		}
		readAll(t, resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("put: %d", resp.StatusCode)
		}
		_, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), IfMatch: aws.String(etag)})
		wantAPIError(t, err, "PreconditionFailed", 412)
	})
	t.Run("conditional creates from every node", func(t *testing.T) {
		// Of many creates of one key at once, at most one succeeds; the key
		// holds its value.
		const key, writers = "condrace/create", 12
		results := make(chan string, writers)
		for i := range writers {
			go func() {
				body := fmt.Sprintf("writer %d", i)
				_, err := e.s3(t, i%3, noRetries).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
					Body: strings.NewReader(body), IfNoneMatch: aws.String("*")})
				var ae smithy.APIError
				switch {
				case err == nil:
					results <- body
				case errors.As(err, &ae) && (ae.ErrorCode() == "PreconditionFailed" || ae.ErrorCode() == "ConditionalRequestConflict"):
					results <- ""
				default:
					t.Errorf("writer %d: %v", i, err)
					results <- ""
				}
			}()
		}
		var won []string
		for range writers {
			if r := <-results; r != "" {
				won = append(won, r)
			}
		}
		if len(won) > 1 {
			t.Fatalf("%d conditional creates succeeded: %v", len(won), won)
		}
		g, err := e.s3(t, 1).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		switch {
		case len(won) == 1:
			must(t, err, "get the winner's value")
			if got := string(readAll(t, g.Body)); got != won[0] {
				t.Fatalf("%s succeeded, the key holds %q", won[0], got)
			}
		default: // all yielded: nothing may be there
			wantAPIError(t, err, "NoSuchKey", 404)
		}
		t.Logf("winner: %v", won)
	})
}

// testDeleteObjectsResults: one result per entry, in quiet and verbose
// modes: duplicates and missing keys are deleted, an entry that fails
// (its conditions, its key, its version) is an error of its own.
func testDeleteObjectsResults(t *testing.T, e *env) {
	ctx := testCtx(t)
	cl := e.s3(t, 0, noRetries)
	const bucket = "bucket"
	setup := func() map[string]string {
		etags := map[string]string{}
		for _, k := range []string{"a", "b", "kept", "sized", "sized-wrong"} {
			etags[k] = putBytes(t, cl, bucket, "delres/"+k, []byte("content of "+k))
		}
		return etags
	}
	id := func(k string, set ...func(*types.ObjectIdentifier)) types.ObjectIdentifier {
		o := types.ObjectIdentifier{Key: aws.String("delres/" + k)}
		for _, f := range set {
			f(&o)
		}
		return o
	}
	long := strings.Repeat("k", 1100)
	for _, quiet := range []bool{false, true} {
		t.Run(fmt.Sprintf("quiet=%v", quiet), func(t *testing.T) {
			etags := setup()
			entries := []types.ObjectIdentifier{
				id("a"), id("a"), id("missing"), id("b", func(o *types.ObjectIdentifier) { o.ETag = aws.String(etags["b"]) }),
				id(long), id("a", func(o *types.ObjectIdentifier) { o.VersionId = aws.String("3") }),
				id("kept", func(o *types.ObjectIdentifier) { o.ETag = aws.String(etags["a"]) }),
				id("missing-matched", func(o *types.ObjectIdentifier) { o.ETag = aws.String(etags["a"]) }),
				id("sized", func(o *types.ObjectIdentifier) { o.Size = aws.Int64(int64(len("content of sized"))) }),
				id("sized-wrong", func(o *types.ObjectIdentifier) { o.Size = aws.Int64(1) }),
			}
			out, err := e.s3(t, 1).DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: entries, Quiet: aws.Bool(quiet)}})
			must(t, err, "delete objects")
			var deleted []string
			for _, d := range out.Deleted {
				deleted = append(deleted, strings.TrimPrefix(aws.ToString(d.Key), "delres/"))
			}
			errs := map[string]string{}
			for _, x := range out.Errors {
				errs[strings.TrimPrefix(aws.ToString(x.Key), "delres/")] = aws.ToString(x.Code)
			}
			wantDeleted := []string{"a", "a", "missing", "b", "sized"}
			if quiet {
				wantDeleted = nil
			}
			wantErrs := map[string]string{long: "KeyTooLongError", "a": "InvalidArgument", "kept": "PreconditionFailed",
				"missing-matched": "NoSuchKey", "sized-wrong": "PreconditionFailed"}
			if !slices.Equal(deleted, wantDeleted) || !maps.Equal(errs, wantErrs) || len(out.Errors) != len(wantErrs) {
				t.Errorf("deleted %v errors %v, want %v %v", deleted, errs, wantDeleted, wantErrs)
			}
			for _, k := range []string{"kept", "sized-wrong"} {
				if got := string(getBytes(t, e.s3(t, 2), bucket, "delres/"+k)); got != "content of "+k {
					t.Errorf("%s after a refused delete: %q", k, got)
				}
			}
		})
	}
	t.Run("more than 1000 keys", func(t *testing.T) {
		var many []types.ObjectIdentifier
		for i := range 1001 {
			many = append(many, types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("delres/many%d", i))})
		}
		_, err := cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: many}})
		wantAPIError(t, err, "MalformedXML", 400)
	})
	t.Run("body digest", func(t *testing.T) {
		putBytes(t, cl, bucket, "delres/digest", []byte("x"))
		body := []byte(`<Delete><Object><Key>delres/digest</Key></Object></Delete>`)
		send := func(headers map[string]string) *http.Response {
			req := newRequest(t, http.MethodPost, e.c.Nodes[2].Endpoint+"/bucket?delete", bytes.NewReader(body))
			for k, v := range headers {
				req.Header.Set(k, v)
			}
			return httpDo(t, signRaw(t, e, req))
		}
		wantHTTPError(t, send(nil), "InvalidRequest", 400)
		wantHTTPError(t, send(map[string]string{"Content-MD5": md5B64([]byte("other"))}), "BadDigest", 400)
		wantHTTPError(t, send(map[string]string{"x-amz-checksum-crc32": sumOf(types.ChecksumAlgorithmCrc32, []byte("other"))}), "BadDigest", 400)
		wantHTTPError(t, send(map[string]string{"x-amz-checksum-sha256": "short"}), "InvalidRequest", 400)
		if got := string(getBytes(t, cl, bucket, "delres/digest")); got != "x" {
			t.Fatalf("refused requests deleted the key: %q", got)
		}
		for _, h := range []map[string]string{{"Content-MD5": md5B64(body)}, {"x-amz-checksum-crc32c": sumOf(types.ChecksumAlgorithmCrc32c, body)}} {
			resp := send(h)
			readAll(t, resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%v: status %d", h, resp.StatusCode)
			}
		}
	})
}
