package s3api_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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
