package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/s3/bucketcfg"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/wire"
)

// BucketCORS decodes the bucket's CORS configuration, if it has one.
func BucketCORS(b model.Bucket) (bucketcfg.CORS, bool) {
	data, ok := b.Config(model.ConfigCORS)
	if !ok {
		return bucketcfg.CORS{}, false
	}
	d := wire.NewDecoder(data)
	cfg := bucketcfg.DecodeCORS(d)
	return cfg, d.Finish() == nil
}

// Preflight judges a CORS preflight (an OPTIONS request, which browsers
// send unsigned) against the CORS rules of the bucket it names, and sets
// the headers of the rule that allows it on h. Every API of the node
// answers preflights from the same rules, as Garage's do.
func Preflight(ctx context.Context, d Doer, bucket string, r *http.Request, h http.Header) error {
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	if bucket == "" || origin == "" || method == "" {
		return s3err.New(s3err.InvalidRequest, "A CORS preflight needs a bucket, an Origin and an Access-Control-Request-Method.")
	}
	res, err := d.Do(ctx, admin.LookupBucket{Name: bucket})
	if err != nil {
		if IsNotFound(err) {
			return s3err.New(s3err.NoSuchBucket, "The specified bucket does not exist.")
		}
		return err
	}
	headers := requestedHeaders(r.Header.Get("Access-Control-Request-Headers"))
	cfg, ok := BucketCORS(res.(model.Bucket))
	if !ok {
		return s3err.New(s3err.AccessForbidden, "CORSResponse: this CORS request is not allowed: the bucket has no CORS configuration.")
	}
	rule, ok := cfg.Match(origin, method, headers)
	if !ok {
		return s3err.New(s3err.AccessForbidden, "CORSResponse: this CORS request is not allowed by the bucket's CORS rules.")
	}
	for name, value := range rule.ResponseHeaders(origin, true, headers) {
		h.Set(name, value)
	}
	return nil
}

// AddCORSHeaders sets on h the CORS headers of the bucket's rule that
// matches a browser's request (one with an Origin), if any.
func AddCORSHeaders(b model.Bucket, r *http.Request, h http.Header) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	cfg, ok := BucketCORS(b)
	if !ok {
		return
	}
	rule, ok := cfg.Match(origin, r.Method, nil)
	if !ok {
		return
	}
	for name, value := range rule.ResponseHeaders(origin, false, nil) {
		h.Set(name, value)
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
