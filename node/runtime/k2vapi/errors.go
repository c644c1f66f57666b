package k2vapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"go.uber.org/zap"

	"github.com/garagego/garage/node/k2v"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/table"
)

// Error is a K2V error: its status, and the code and message of its JSON
// body, with the codes Garage's K2V API uses.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Garage's K2V error codes.
const (
	codeInvalidRequest = "InvalidRequest" // Garage's generic bad request
	codeAccessDenied   = "AccessDenied"
	codeNoSuchBucket   = "NoSuchBucket"
	codeNoSuchKey      = "NoSuchKey"
	codeNotAcceptable  = "NotAcceptable"
	codeCausalityToken = "CausalityToken"
	codeMalformedAuth  = "AuthorizationHeaderMalformed"
	codeInvalidDigest  = "InvalidDigest"
	codeUnavailable    = "ServiceUnavailable"
	codeInternal       = "InternalError"
	codeEntityTooLarge = "EntityTooLarge"
	codeInvalidUtf8    = "InvalidUtf8String"
)

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: codeInvalidRequest, Message: "Bad request: " + fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) *Error {
	return &Error{Status: http.StatusForbidden, Code: codeAccessDenied, Message: "Forbidden: " + fmt.Sprintf(format, args...)}
}

var (
	errNoSuchKey  = &Error{Status: http.StatusNotFound, Code: codeNoSuchKey, Message: "Key not found"}
	errBadToken   = &Error{Status: http.StatusBadRequest, Code: codeCausalityToken, Message: "Invalid causality token"}
	errNoEncoding = &Error{Status: http.StatusNotAcceptable, Code: codeNotAcceptable,
		Message: "Not acceptable: Invalid Accept: header value, must contain either application/json or application/octet-stream (or both)"}
)

// toK2V gives err its K2V error. A client's mistake is a 4xx that says
// what was wrong; the cluster failing to reach a quorum (or to answer in
// time) is a 503 the client may retry, as Garage answers it; anything
// else is a 500. As in Garage, a 5xx on a write does not mean the write
// was not stored: it may have reached some replicas.
func toK2V(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if s, ok := s3err.As(err); ok {
		return fromS3(s)
	}
	switch {
	case errors.Is(err, k2v.ErrBadToken):
		return errBadToken
	case errors.Is(err, k2v.ErrBadMarker):
		return badRequest("Invalid seenMarker: %v", err)
	case errors.Is(err, k2v.ErrBadSearch):
		return badRequest("%v", err)
	case errors.Is(err, k2v.ErrTooManyPolls):
		return &Error{Status: http.StatusServiceUnavailable, Code: codeUnavailable, Message: "Too many polls in progress; retry later"}
	case errors.Is(err, rpc.ErrQuorum), errors.Is(err, rpc.ErrTimeout), errors.Is(err, table.ErrNoLayout),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, server.ErrStopped):
		return &Error{Status: http.StatusServiceUnavailable, Code: codeUnavailable, Message: "Internal error: the cluster could not reach a quorum: " + err.Error()}
	case errors.Is(err, context.Canceled):
		// Only a read's context ends with its client; what it did is moot.
		return &Error{Status: http.StatusServiceUnavailable, Code: codeUnavailable, Message: "The request was cancelled: " + err.Error()}
	}
	return &Error{Status: http.StatusInternalServerError, Code: codeInternal, Message: "Internal error: " + err.Error()}
}

// fromS3 renders an error of the shared HTTP layer (signatures, bodies,
// bucket lookups) with Garage's K2V codes: every refusal of a signature
// or key is 403 AccessDenied, as Garage's "Forbidden"; a malformed scope
// (wrong service or region) 400 AuthorizationHeaderMalformed; other
// client mistakes keep their status under Garage's generic code.
func fromS3(s *s3err.Error) *Error {
	status := s.Status()
	code := codeInvalidRequest
	switch {
	case s.Code == s3err.NoSuchBucket:
		code = codeNoSuchBucket
	case s.Code == s3err.AuthorizationHeaderMalformed:
		code = codeMalformedAuth
	case s.Code == s3err.BadDigest || s.Code == s3err.InvalidDigest || s.Code == s3err.XAmzContentSHA256Mismatch:
		code, status = codeInvalidDigest, http.StatusBadRequest
	case status == http.StatusForbidden:
		code = codeAccessDenied
	case status == http.StatusServiceUnavailable:
		code = codeUnavailable
	case status >= 500:
		code = codeInternal
	}
	return &Error{Status: status, Code: code, Message: s.Message}
}

// errorBody is Garage's K2V error document.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Region  string `json:"region"`
	Path    string `json:"path"`
}

// fail answers the request with err's JSON error document, unless the
// status line is already out (then the client sees a short body).
func (rq *request) fail(err error) {
	e := toK2V(err)
	log := rq.api.log.With(zap.String("endpoint", rq.ep.name), zap.String("method", rq.r.Method),
		zap.String("path", rq.r.URL.Path), zap.String("code", e.Code), zap.Error(err))
	switch {
	case rq.r.Context().Err() != nil:
		log.Debug("client gone")
	case e.Status >= 500:
		log.Warn("request failed")
	default:
		log.Debug("request failed")
	}
	if rq.w.Started() {
		return
	}
	body, _ := json.MarshalIndent(errorBody{Code: e.Code, Message: e.Message, Region: rq.api.cfg.Region, Path: rq.r.URL.Path}, "", "  ")
	h := rq.w.Header()
	for k := range h {
		delete(h, k) // nothing a handler set before failing describes the error
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rq.w.WriteHeader(e.Status)
	rq.w.Write(body) //nolint:errcheck // the client went away
}
