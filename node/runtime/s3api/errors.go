package s3api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
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
//
// The status class is a promise: a 4xx means the request had no effect
// (it was refused before anything was written), a 5xx that its outcome is
// unknown (a write may have reached some replicas). Only the 5xx codes are
// used for failures that can strike after a write began.
func toS3(err error) *s3err.Error {
	if e, ok := s3err.As(err); ok {
		return e
	}
	var refusal *object.Refusal
	if errors.As(err, &refusal) {
		switch {
		case errors.Is(err, object.ErrBadDigest):
			return s3err.New(s3err.BadDigest, "%s", refusal.Message)
		case errors.Is(err, object.ErrChecksumRequest), errors.Is(err, object.ErrObjectSize):
			return s3err.New(s3err.InvalidRequest, "%s", refusal.Message)
		case errors.Is(err, object.ErrQuotaExceeded):
			// Garage answers a quota refusal so: 403, its message.
			return s3err.New(s3err.AccessDenied, "%s", refusal.Message)
		}
	}
	switch {
	case errors.Is(err, object.ErrObjectLocked):
		return objectLockedError(err)
	case errors.Is(err, object.ErrPreconditionFailed):
		return s3err.New(s3err.PreconditionFailed, "At least one of the pre-conditions you specified did not hold")
	case errors.Is(err, object.ErrConditionNoObject):
		return s3err.New(s3err.NoSuchKey, "The specified key does not exist.")
	case errors.Is(err, object.ErrConditionalConflict):
		return s3err.New(s3err.ConditionalRequestConflict, "A conflicting conditional operation is currently in progress against this resource. Please try again.")
	case errors.Is(err, object.ErrOutcomeUnknown):
		return s3err.New(s3err.ServiceUnavailable, "The write was stored, but a conditional write of the key that may replace it did not finish in time: %v", err)
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
	case errors.Is(err, context.Canceled):
		// Only a read's context ends with its client; what it did is moot.
		return s3err.New(s3err.ServiceUnavailable, "The request was cancelled: %v", err)
	}
	return s3err.New(s3err.InternalError, "%v", err)
}

// fail answers the request with err's S3 error document, unless the
// status line is already out (then the client sees a short body).
//
// It answers even when the client seems gone: a client that half-closed
// its connection after a short body is still reading, and must learn that
// its request failed rather than get the implicit 200 net/http would send.
func (rq *request) fail(err error) {
	if plantedShortBodyOK && rq.r.Context().Err() != nil {
		return
	}
	e := toS3(err)
	log := rq.api.log.With(zap.String("request", rq.id), zap.String("method", rq.r.Method),
		zap.String("path", rq.r.URL.Path), zap.String("code", string(e.Code)), zap.Error(err))
	switch {
	case rq.r.Context().Err() != nil:
		log.Debug("client gone")
	case e.Code == s3err.InternalError:
		log.Error("internal error")
	default:
		log.Debug("request failed")
	}
	if rq.w.Started() {
		return
	}
	h := rq.w.Header()
	if e.Code == s3err.NotModified {
		rq.writeHeader(http.StatusNotModified)
		return
	}
	body := e.XML(rq.r.URL.Path, rq.id)
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("ETag")
	h.Del("Last-Modified")
	rq.writeHeader(e.Status())
	if rq.r.Method != http.MethodHead {
		rq.w.Write(body) //nolint:errcheck // the client went away
	}
}
