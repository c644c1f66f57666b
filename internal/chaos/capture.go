package chaos

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/garagego/garage/node/runtime/s3api"
)

// capture is what the HTTP layer saw of one SDK call: the status of the
// last response, its x-garage-stamp, and, for a listing, the raw bodies of
// its pages, one after the other (their <GarageStamp> elements the SDKs
// drop). Both SDKs hand the call's
// context to their HTTP requests, which is how captureTransport finds it.
type capture struct {
	wantBody bool // keep the body, and ask for the entries' stamps

	mu     sync.Mutex
	status int // 0: no response came
	stamp  string
	body   bytes.Buffer
}

type captureKey struct{}

func withCapture(ctx context.Context, c *capture) context.Context {
	return context.WithValue(ctx, captureKey{}, c)
}

func (c *capture) result() (status int, stamp string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status, c.stamp
}

func (c *capture) rawBody() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.body.Bytes())
}

// captureTransport records what the responses to captured calls say.
type captureTransport struct{ next http.RoundTripper }

func (t captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c, _ := req.Context().Value(captureKey{}).(*capture)
	if c == nil {
		return t.next.RoundTrip(req)
	}
	if c.wantBody {
		// Not signed, and not needed to be: it only adds to the answer.
		req = req.Clone(req.Context())
		req.Header.Set(s3api.StampsHeader, "true")
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	c.mu.Lock()
	c.status, c.stamp = resp.StatusCode, resp.Header.Get(s3api.StampHeader)
	c.mu.Unlock()
	if c.wantBody {
		resp.Body = &teeBody{ReadCloser: resp.Body, c: c}
	}
	return resp, nil
}

// teeBody copies what the SDK reads of a body into its capture.
type teeBody struct {
	io.ReadCloser
	c *capture
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.c.mu.Lock()
	b.c.body.Write(p[:n])
	b.c.mu.Unlock()
	return n, err
}
