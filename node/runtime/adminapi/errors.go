package adminapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/table"
)

// apiError is an error answered as Garage's JSON error body.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidRequest", fmt.Sprintf(format, args...)}
}

func forbidden(msg string) *apiError { return &apiError{http.StatusForbidden, "AccessDenied", msg} }

func notImplemented(name string) *apiError {
	return &apiError{http.StatusNotImplemented, "NotImplemented",
		fmt.Sprintf("%s is not implemented by this server yet", name)}
}

// Codes for a missing thing, per kind, as Garage names them.
const (
	codeNoSuchKey        = "NoSuchAccessKey"
	codeNoSuchBucket     = "NoSuchBucket"
	codeNoSuchAdminToken = "NoSuchAdminToken"
)

// coreError maps an operation's error to its answer: the admin
// operations' sentinels say whose mistake it was. notFound is the code of
// a missing thing for this endpoint; clientFault tells that any other
// error of the operation is the request's (the layout's checks).
func coreError(err error, notFound string, clientFault bool) *apiError {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, admin.ErrNotFound):
		return &apiError{http.StatusNotFound, notFound, err.Error()}
	case errors.Is(err, admin.ErrInvalid), errors.Is(err, admin.ErrAmbiguous):
		return badRequest("%v", err)
	case errors.Is(err, admin.ErrBucketNotEmpty):
		return &apiError{http.StatusConflict, "BucketNotEmpty", err.Error()}
	case errors.Is(err, admin.ErrConflict):
		code := "InvalidRequest"
		switch notFound {
		case codeNoSuchKey:
			code = "KeyAlreadyExists"
		case codeNoSuchBucket:
			code = "BucketAlreadyExists"
		}
		return &apiError{http.StatusConflict, code, err.Error()}
	case errors.Is(err, rpc.ErrTimeout), errors.Is(err, rpc.ErrQuorum), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, table.ErrNoLayout):
		return &apiError{http.StatusServiceUnavailable, "ServiceUnavailable", err.Error()}
	case clientFault:
		return badRequest("%v", err)
	}
	return &apiError{http.StatusInternalServerError, "InternalError", err.Error()}
}
