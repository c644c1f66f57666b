package webapi

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strconv"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/table"
)

// toS3 gives err its S3 error: a client's mistake keeps its code, a
// missing object is NoSuchKey, the cluster failing to answer a 503, and
// anything else an internal error.
func toS3(err error) *s3err.Error {
	if e, ok := s3err.As(err); ok {
		return e
	}
	switch {
	case errors.Is(err, server.ErrNoSuchObject):
		return s3err.New(s3err.NoSuchKey, "The specified key does not exist.")
	case errors.Is(err, rpc.ErrQuorum), errors.Is(err, rpc.ErrTimeout), errors.Is(err, table.ErrNoLayout),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.Is(err, server.ErrStopped):
		return s3err.New(s3err.ServiceUnavailable, "The cluster could not reach a quorum: %v", err)
	}
	return s3err.New(s3err.InternalError, "%v", err)
}

// fail answers the request with err as an HTML page (a website's
// visitors are browsers), as Garage does: the status, and S3's code and
// message; a HEAD gets the status alone, a 304 no body.
func (rq *request) fail(err error) {
	e := toS3(err)
	log := rq.api.log.With(zap.String("host", rq.r.Host), zap.String("method", rq.r.Method),
		zap.String("path", rq.r.URL.Path), zap.String("code", string(e.Code)), zap.Error(err))
	if e.Code == s3err.InternalError && rq.r.Context().Err() == nil {
		log.Error("internal error")
	} else {
		log.Debug("request failed")
	}
	if rq.w.Started() {
		return
	}
	h := rq.w.Header()
	if e.Code == s3err.NotModified {
		rq.w.WriteHeader(http.StatusNotModified)
		return
	}
	rq.resetHeaders()
	if e.Code == s3err.MethodNotAllowed {
		h.Set("Allow", "GET, HEAD, OPTIONS")
	}
	body := errorPage(e)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rq.w.WriteHeader(e.Status())
	if rq.r.Method != http.MethodHead {
		rq.w.Write(body) //nolint:errcheck // the client went away
	}
}

// errorPage is the page an error is answered with.
func errorPage(e *s3err.Error) []byte {
	status := e.Status()
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return fmt.Appendf(nil, "<title>%s</title>\n<h1>%s</h1>\n<ul>\n<li>Code: %s</li>\n<li>Message: %s</li>\n</ul>\n",
		title, title, html.EscapeString(string(e.Code)), html.EscapeString(e.Message))
}
