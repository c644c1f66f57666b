package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// Timeouts bound how long a client may hold a connection without making
// progress, so that a slow or vanished client costs a bounded wait, never
// a handler stuck for ever.
type Timeouts struct {
	// Header bounds reading a request's line and headers.
	Header time.Duration
	// Body is the longest a request body may stall (no byte received) or a
	// response body may stall (the client reads nothing); the request then
	// fails with 400 RequestTimeout, as AWS answers after about 20 s.
	Body time.Duration
	// Request bounds reading the whole of a small request: one with no
	// body or a body of at most SmallBody bytes, so that a client sending a
	// byte every few seconds cannot hold it for ever.
	Request time.Duration
	// Idle bounds how long a keep-alive connection waits for its next
	// request.
	Idle time.Duration
}

// SmallBody is the largest body a request may have for Timeouts.Request to
// bound its whole reading (XML documents, small objects).
const SmallBody = 1 << 20

// DefaultTimeouts are an API's timeouts unless configured.
var DefaultTimeouts = Timeouts{Header: 30 * time.Second, Body: 20 * time.Second, Request: 5 * time.Minute, Idle: 2 * time.Minute}

// WithDefaults is t with DefaultTimeouts' value in each field left zero.
func (t Timeouts) WithDefaults() Timeouts {
	d := DefaultTimeouts
	if t.Header > 0 {
		d.Header = t.Header
	}
	if t.Body > 0 {
		d.Body = t.Body
	}
	if t.Request > 0 {
		d.Request = t.Request
	}
	if t.Idle > 0 {
		d.Idle = t.Idle
	}
	return d
}

// ClientBody is a request body read under the Body timeout (and, for a
// small request, the Request deadline). Its read errors are *s3err.Error
// values: a body that ends early is IncompleteBody, one that stalls
// RequestTimeout, one past a http.MaxBytesReader's limit EntityTooLarge;
// so a request whose body did not arrive whole always fails as the
// client's mistake, with a status written.
type ClientBody struct {
	body     io.ReadCloser
	rc       *http.ResponseController
	stall    time.Duration
	deadline time.Time // the Request deadline; zero for a large body
	setAt    time.Time // when the read deadline was last pushed back
	err      error     // sticky, once classified
}

// NewClientBody wraps r's body; rc is the response's controller (Response
// has it), start when the request arrived.
func NewClientBody(r *http.Request, rc *http.ResponseController, t Timeouts, start time.Time) *ClientBody {
	b := &ClientBody{body: r.Body, rc: rc, stall: t.Body}
	if len(r.TransferEncoding) == 0 && r.ContentLength <= SmallBody {
		b.deadline = start.Add(t.Request)
	}
	return b
}

func (b *ClientBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	// Pushing the deadline back costs a timer reset: do it once per tenth
	// of the stall bound, not for every small read.
	if now := time.Now(); now.Sub(b.setAt) > b.stall/10 {
		d := now.Add(b.stall)
		if !b.deadline.IsZero() && b.deadline.Before(d) {
			d = b.deadline
		}
		// Unsupported only for a writer that is not a connection's (tests).
		_ = b.rc.SetReadDeadline(d)
		b.setAt = now
	}
	n, err := b.body.Read(p)
	if err != nil && err != io.EOF {
		b.err = BodyError(err)
		return n, b.err
	}
	return n, err
}

func (b *ClientBody) Close() error { return b.body.Close() }

// BodyError names why a request body could not be read. net/http reports a
// body cut short (Content-Length or chunked) as io.ErrUnexpectedEOF, and a
// reset or half-closed connection as some other error; either way the
// client did not send what it announced.
func BodyError(err error) error {
	if _, ok := s3err.As(err); ok {
		return err
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return s3err.New(s3err.RequestTimeout, "Your socket connection to the server was not read from or written to within the timeout period.")
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return s3err.New(s3err.EntityTooLarge, "The request body exceeds %d bytes.", tooLarge.Limit)
	}
	return s3err.New(s3err.IncompleteBody, "You did not provide the number of bytes specified by the Content-Length HTTP header: %v.", err)
}
