package s3api

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/s3/s3err"
)

// MaxKeyLength is S3's limit on an object key, in bytes.
const MaxKeyLength = 1024

// request is one S3 request on its way through.
type request struct {
	api   *API
	w     *httpapi.Response
	r     *http.Request
	ctx   context.Context
	id    string
	query url.Values // parsed once: most steps read it

	bucketName string // "" for service-level requests
	key        string // "" for bucket-level requests

	// Set once the request is authenticated.
	accessKey model.Key
	body      *httpapi.VerifiedBody
	// Set once the bucket is resolved and the request authorized.
	bucket model.Bucket
	perms  model.Perms
	access *access
	// quorumRead: the key and bucket were read again with a quorum after a
	// refusal (authorize); they are not read a third time.
	quorumRead bool
	// condCtx caches the policy condition keys' values.
	condCtx map[string][]string
	// endpoint is the operation routed to, for metrics ("" if unrouted).
	endpoint string
}

// ServeHTTP answers one S3 request.
//
// Every request ends with a status written here: its own, an S3 error, or,
// should a handler return without answering, a logged 500. A request that
// did not commit never looks like a success, whatever its client does.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	resp := httpapi.NewResponse(w, a.cfg.Timeouts.Body)
	r.Body = httpapi.NewClientBody(r, resp.RC, a.cfg.Timeouts, start)
	rq := &request{api: a, w: resp, r: r, ctx: operationContext(r), id: httpapi.NewRequestID(), query: r.URL.Query()}
	h := resp.Header()
	h.Set("x-amz-request-id", rq.id)
	h.Set("x-amz-id-2", rq.id)
	h.Set("Server", "garage")
	resp.Answer(r, rq.serve, rq.fail)
	resp.Observe(a.cfg.Metrics, rq.endpoint, start)
	resp.Finish()
	if ce := a.log.Check(zapcore.DebugLevel, "request"); ce != nil {
		ce.Write(zap.String("request", rq.id), zap.String("method", r.Method), zap.String("path", r.URL.Path),
			zap.Int("status", resp.Status()), zap.Duration("took", time.Since(start)))
	}
}

func (rq *request) writeHeader(status int) { rq.w.WriteHeader(status) }

// operationContext is the context a request's operations run under: a
// read (GET, HEAD, OPTIONS) stops when its client leaves, a write runs to
// its end (httpapi.OperationContext).
func operationContext(r *http.Request) context.Context {
	read := r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions
	return httpapi.OperationContext(r, !read)
}

// serve routes, authenticates, authorizes and runs the request.
func (rq *request) serve() error {
	var err error
	if rq.bucketName, rq.key, err = rq.api.address(rq.r); err != nil {
		return err
	}
	if len(rq.key) > MaxKeyLength {
		return s3err.New(s3err.KeyTooLong, "Your key is too long (%d bytes; the limit is %d).", len(rq.key), MaxKeyLength)
	}
	if rq.r.Method == http.MethodOptions {
		rq.endpoint = "Options"
		return rq.preflight()
	}
	if rq.r.Method == http.MethodPost && rq.bucketName != "" && rq.key == "" && isFormUpload(rq.r) {
		rq.endpoint = "PostObject"
		return rq.postObject()
	}
	ep, err := route(rq.r.Method, rq.bucketName, rq.key, rq.query, rq.r.Header)
	if err != nil {
		return err
	}
	rq.endpoint = ep.name
	if err := refuseUnimplemented(rq.r.Header); err != nil {
		return err
	}
	if err := refuseMisplaced(ep, rq.r.Header); err != nil {
		return err
	}
	// A class is kept by the writes that name one (objectHeaders); on any
	// request, one this store does not offer is refused, never ignored.
	if _, err := requestStorageClass(rq.r.Header); err != nil {
		return err
	}
	if err := checkAlgorithmHeaders(rq.r.Header); err != nil {
		return err
	}
	if err := rq.checkEncryptionHeaders(ep.name); err != nil {
		return err
	}
	if err := rq.authenticate(); err != nil {
		return err
	}
	if rq.bucketName != "" && ep.need != needNothing {
		if err := rq.resolveBucket(); err != nil {
			return err
		}
		if ep.name != "DeleteObjects" { // decided for each object
			if err := rq.authorizeEndpoint(ep); err != nil {
				return err
			}
		}
		httpapi.AddCORSHeaders(rq.bucket, rq.r, rq.w.Header())
	} else if rq.principal() == "" {
		return s3err.New(s3err.AccessDenied, "Anonymous access is not allowed to %s: sign the request with an access key.", ep.name)
	}
	return ep.run(rq)
}

// authorizeEndpoint decides whether the request may run ep on the bucket
// (and object) it names.
func (rq *request) authorizeEndpoint(ep endpoint) error {
	c := check{ac: rq.access, bucket: rq.bucketName, action: endpointActions[ep.name], need: ep.need}
	if a, ok := versionActions[ep.name]; ok && rq.query.Has("versionId") {
		c.action = a
	}
	if rq.key != "" {
		c.key = rq.key
		c.objectACL = rq.objectACLReader(rq.bucket.ID, rq.key)
		c.version, _ = versionParam(rq.query) // a malformed id is refused by the endpoint
	}
	return rq.authorize(c)
}

// address finds the bucket and the key a request names: from the host
// name under the root domain (virtual-hosted style), else from the path.
func (a *API) address(r *http.Request) (bucket, key string, err error) {
	path := r.URL.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if b := a.hostBucket(r); b != "" {
		return b, path[1:], nil
	}
	bucket, key, _ = strings.Cut(path[1:], "/")
	return bucket, key, nil
}

// hostBucket is the bucket a virtual-hosted-style request names in its
// host name under the root domain, "" for a path-style request.
func (a *API) hostBucket(r *http.Request) string {
	if a.cfg.RootDomain == "" {
		return ""
	}
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if b, ok := strings.CutSuffix(host, a.cfg.RootDomain); ok && b != "" {
		return b
	}
	return ""
}

// resolveBucket finds the bucket the request names (by the key's local
// alias, else the global alias; an anonymous request has no local
// aliases) and its access controls.
func (rq *request) resolveBucket() error {
	b, ac, err := rq.lookupBucket(rq.bucketName)
	if err != nil {
		return err
	}
	rq.bucket, rq.access = b, ac
	rq.perms = rq.accessKey.BucketPerms(b.ID)
	return nil
}

// lookupBucket finds the bucket name means to the request's key, with its
// access controls.
func (rq *request) lookupBucket(name string) (model.Bucket, *access, error) {
	b, err := httpapi.ResolveBucket(rq.ctx, rq.api.backend, name, rq.accessKey)
	if err != nil {
		return model.Bucket{}, nil, err
	}
	ac, err := rq.api.loadAccess(b)
	return b, ac, err
}

// need is the right an operation needs on its bucket.
type need uint8

const (
	needNothing need = iota // service-level, or the operation checks itself
	needAny                 // any right: HeadBucket, GetBucketLocation
	needRead
	needWrite
	needOwner
)

func (n need) grantedBy(p model.Perms) bool {
	switch n {
	case needAny:
		return p.Any()
	case needRead:
		return p.Read
	case needWrite:
		return p.Write
	case needOwner:
		return p.Owner
	}
	return true
}

func (n need) String() string {
	return [...]string{"no", "any", "read", "write", "owner"}[n]
}
