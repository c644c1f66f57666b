package s3api

import (
	"net/http"

	"github.com/garagego/garage/node/runtime/httpapi"
)

// preflight answers a CORS preflight (OPTIONS) request, which browsers
// send unsigned, from the bucket's CORS rules.
func (rq *request) preflight() error {
	if err := httpapi.Preflight(rq.ctx, rq.api.backend, rq.bucketName, rq.r, rq.w.Header()); err != nil {
		return err
	}
	return rq.writeEmpty(http.StatusOK)
}
