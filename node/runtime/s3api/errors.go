package s3api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/table"
)

// toS3 gives err its S3 error: a client's mistake keeps its code; the
// cluster failing to answer is a 503 the client may retry; anything else
// is an internal error.
func toS3(err error) *s3err.Error {
	if e, ok := s3err.As(err); ok {
		return e
	}
	switch {
	case errors.Is(err, server.ErrNoSuchObject):
		return s3err.New(s3err.NoSuchKey, "The specified key does not exist.")
	case errors.Is(err, object.ErrNoSuchUpload):
		return s3err.New(s3err.NoSuchUpload, "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	case errors.Is(err, object.ErrInvalidPart):
		return s3err.New(s3err.InvalidPart, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	case errors.Is(err, object.ErrInvalidPartOrder):
		return s3err.New(s3err.InvalidPartOrder, "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
	case errors.Is(err, object.ErrEntityTooSmall):
		return s3err.New(s3err.EntityTooSmall, "Your proposed upload is smaller than the minimum allowed object size.")
	case errors.Is(err, object.ErrInvalidPartNumber):
		return s3err.New(s3err.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive.")
	case errors.Is(err, object.ErrCompleteConflict):
		return s3err.New(s3err.OperationAborted, "A conflicting completion of this multipart upload is in progress; retry with the same parts or abort it.")
	case errors.Is(err, admin.ErrBucketExists):
		return s3err.New(s3err.BucketAlreadyExists, "The requested bucket name is not available. Select a different name and try again.")
	case errors.Is(err, admin.ErrBucketOwned):
		return s3err.New(s3err.BucketAlreadyOwnedByYou, "Your previous request to create the named bucket succeeded and you already own it.")
	case errors.Is(err, admin.ErrBucketNotEmpty):
		return s3err.New(s3err.BucketNotEmpty, "The bucket you tried to delete is not empty.")
	case errors.Is(err, admin.ErrInvalid):
		return s3err.New(s3err.InvalidArgument, "%s", strings.TrimPrefix(err.Error(), admin.ErrInvalid.Error()+": "))
	case errors.Is(err, rpc.ErrQuorum), errors.Is(err, rpc.ErrTimeout), errors.Is(err, table.ErrNoLayout),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, server.ErrStopped):
		return s3err.New(s3err.ServiceUnavailable, "The cluster could not reach a quorum: %v", err)
	}
	return s3err.New(s3err.InternalError, "%v", err)
}

// fail answers the request with err's S3 error document.
func (rq *request) fail(err error) {
	if rq.ctx.Err() != nil {
		// The client went away: nobody is left to answer, nothing went wrong.
		rq.api.log.Debug("client gone", zap.String("request", rq.id), zap.String("method", rq.r.Method),
			zap.String("path", rq.r.URL.Path), zap.Error(err))
		return
	}
	e := toS3(err)
	if e.Code == s3err.InternalError {
		rq.api.log.Error("internal error", zap.String("request", rq.id), zap.String("method", rq.r.Method),
			zap.String("path", rq.r.URL.Path), zap.Error(err))
	} else {
		rq.api.log.Debug("request failed", zap.String("request", rq.id), zap.String("method", rq.r.Method),
			zap.String("path", rq.r.URL.Path), zap.String("code", string(e.Code)), zap.Error(err))
	}
	if rq.wrote {
		return // the status line is gone; the client sees a short body
	}
	h := rq.w.Header()
	if e.Code == s3err.NotModified {
		rq.writeHeader(http.StatusNotModified)
		return
	}
	body := e.XML(rq.r.URL.Path, rq.id)
	h.Set("Content-Type", "application/xml")
	h.Del("Content-Length")
	h.Del("ETag")
	h.Del("Last-Modified")
	rq.writeHeader(e.Status())
	if rq.r.Method != http.MethodHead {
		rq.w.Write(body) //nolint:errcheck // the client went away
	}
}
