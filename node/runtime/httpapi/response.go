package httpapi

import (
	"fmt"
	"net/http"
	"time"
)

// Response is a request's http.ResponseWriter. It remembers whether the
// status line was written, so that no request ever ends without a status
// of the API's own (net/http would send an implicit 200 for a handler that
// wrote nothing), and it bounds every write by the stall timeout, so a
// client that stops reading cannot hold the handler for ever.
type Response struct {
	http.ResponseWriter
	// RC controls the connection (deadlines, flushes).
	RC     *http.ResponseController
	stall  time.Duration
	status int           // 0 until the status line is written
	traced *tracedWriter // the request's span, nil if not traced
}

// NewResponse wraps w; stall bounds each write (Timeouts.Body).
func NewResponse(w http.ResponseWriter, stall time.Duration) *Response {
	rc := http.NewResponseController(w)
	// A deadline left by this connection's previous request must not cut
	// this one; every write below sets its own.
	_ = rc.SetWriteDeadline(time.Time{})
	traced, _ := w.(*tracedWriter)
	return &Response{ResponseWriter: w, RC: rc, stall: stall, traced: traced}
}

func (w *Response) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *Response) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	_ = w.RC.SetWriteDeadline(time.Now().Add(w.stall))
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *Response) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Started reports whether the status line was written.
func (w *Response) Started() bool { return w.status != 0 }

// Status is the status written, 0 if none yet.
func (w *Response) Status() int { return w.status }

// Finish flushes what is buffered under the stall bound, and leaves that
// bound on the few bytes net/http still writes once the handler returns.
func (w *Response) Finish() {
	_ = w.RC.SetWriteDeadline(time.Now().Add(w.stall))
	_ = w.RC.Flush()
	_ = w.RC.SetWriteDeadline(time.Now().Add(w.stall))
}

// Answer runs serve for request r and makes sure the request ends with a
// status of the API's own: an error serve returns is answered by fail,
// and so is a handler that returned without answering (as a 500 the API
// logs). Every API's ServeHTTP ends its requests this way, then observes
// them (Observe) and only then calls Finish: a client that has read the
// whole of a small answer must find its request already counted.
func (w *Response) Answer(r *http.Request, serve func() error, fail func(error)) {
	if err := serve(); err != nil {
		fail(err)
	}
	if !w.Started() {
		fail(fmt.Errorf("%s %s: the handler returned without a response", r.Method, r.URL.Path))
	}
}

// Observe reports the finished request to o, for metrics (as the package
// function Observe does, with the status written), and names the
// request's span, if it is traced, after endpoint (the API's name for what
// it routed to; an unrouted request keeps the name "<API> API call
// (unknown)").
func (w *Response) Observe(o Observer, endpoint string, start time.Time) {
	Observe(o, endpoint, w.status, start)
	if w.traced != nil && endpoint != "" {
		w.traced.name(endpoint)
	}
}
