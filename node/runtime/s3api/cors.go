package s3api

import (
	"net/http"
	"strings"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/s3/bucketcfg"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/wire"
)

// bucketCORS decodes the bucket's CORS configuration, if it has one.
func bucketCORS(b model.Bucket) (bucketcfg.CORS, bool) {
	data, ok := b.Config(model.ConfigCORS)
	if !ok {
		return bucketcfg.CORS{}, false
	}
	d := wire.NewDecoder(data)
	cfg := bucketcfg.DecodeCORS(d)
	return cfg, d.Finish() == nil
}

// preflight answers a CORS preflight (OPTIONS) request, which browsers
// send unsigned, from the bucket's CORS rules.
func (rq *request) preflight() error {
	origin := rq.r.Header.Get("Origin")
	method := rq.r.Header.Get("Access-Control-Request-Method")
	if rq.bucketName == "" || origin == "" || method == "" {
		return s3err.New(s3err.InvalidRequest, "A CORS preflight needs a bucket, an Origin and an Access-Control-Request-Method.")
	}
	res, err := rq.api.backend.Do(rq.ctx, admin.LookupBucket{Name: rq.bucketName})
	if err != nil {
		if httpapi.IsNotFound(err) {
			return s3err.New(s3err.NoSuchBucket, "The specified bucket does not exist.")
		}
		return err
	}
	headers := requestedHeaders(rq.r.Header.Get("Access-Control-Request-Headers"))
	cfg, ok := bucketCORS(res.(model.Bucket))
	if !ok {
		return s3err.New(s3err.AccessForbidden, "CORSResponse: this CORS request is not allowed: the bucket has no CORS configuration.")
	}
	rule, ok := cfg.Match(origin, method, headers)
	if !ok {
		return s3err.New(s3err.AccessForbidden, "CORSResponse: this CORS request is not allowed by the bucket's CORS rules.")
	}
	for name, value := range rule.ResponseHeaders(origin, true, headers) {
		rq.w.Header().Set(name, value)
	}
	return rq.writeEmpty(http.StatusOK)
}

// addCORSHeaders adds the CORS headers of the rule matching a browser's
// request (one with an Origin) to the response.
func (rq *request) addCORSHeaders() {
	origin := rq.r.Header.Get("Origin")
	if origin == "" {
		return
	}
	cfg, ok := bucketCORS(rq.bucket)
	if !ok {
		return
	}
	rule, ok := cfg.Match(origin, rq.r.Method, nil)
	if !ok {
		return
	}
	for name, value := range rule.ResponseHeaders(origin, false, nil) {
		rq.w.Header().Set(name, value)
	}
}

func requestedHeaders(list string) []string {
	var out []string
	for _, h := range strings.Split(list, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, strings.ToLower(h))
		}
	}
	return out
}
