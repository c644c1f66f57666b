package k2vapi

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/httpapi"
)

// Backend is what the K2V API needs of a node: it runs K2V operations,
// and the admin lookups of keys and buckets authentication makes. The
// runtime server is one.
type Backend interface {
	Do(ctx context.Context, op node.Op) (any, error)
}

// Service is the service name K2V requests are signed for.
const Service = "k2v"

// Config configures the K2V API.
type Config struct {
	// Region is the region clients sign for: the S3 API's (s3_region).
	Region string
	Logger *zap.Logger
	// Now is the clock signatures are checked against (time.Now if nil).
	Now func() time.Time
	// Timeouts bound slow and vanished clients; zero fields take
	// httpapi.DefaultTimeouts.
	Timeouts httpapi.Timeouts
	// Metrics is told of every request by endpoint name (Garage's
	// api_k2v_* series); nil observes nothing.
	Metrics httpapi.Observer
}

// API is the K2V API's HTTP handler.
type API struct {
	cfg     Config
	backend Backend
	log     *zap.Logger
	sigv4   httpapi.SigV4
}

// New returns the K2V API over backend.
func New(cfg Config, backend Backend) *API {
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Region == "" {
		cfg.Region = "garage"
	}
	cfg.Timeouts = cfg.Timeouts.WithDefaults()
	return &API{cfg: cfg, backend: backend, log: cfg.Logger, sigv4: httpapi.SigV4{Service: Service, Region: cfg.Region, Now: cfg.Now}}
}

// Serve answers K2V requests on l until ctx ends.
func (a *API) Serve(ctx context.Context, l net.Listener) error {
	return httpapi.Serve(ctx, l, a, a.cfg.Timeouts, a.log)
}

// request is one K2V request on its way through.
type request struct {
	api   *API
	w     *httpapi.Response
	r     *http.Request
	ctx   context.Context
	query url.Values
	ep    endpoint

	// Set once authenticated and authorized.
	body   *httpapi.VerifiedBody
	bucket model.BucketID
}

// ServeHTTP answers one K2V request. Every request ends with a status
// written here: its own, a JSON error, or, should a handler return
// without answering, a logged 500.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	resp := httpapi.NewResponse(w, a.cfg.Timeouts.Body)
	r.Body = httpapi.NewClientBody(r, resp.RC, a.cfg.Timeouts, start)
	rq := &request{api: a, w: resp, r: r, ctx: r.Context()}
	resp.Answer(r, rq.serve, rq.fail)
	resp.Observe(a.cfg.Metrics, rq.ep.name, start)
	resp.Finish()
	if ce := a.log.Check(zapcore.DebugLevel, "request"); ce != nil {
		ce.Write(zap.String("endpoint", rq.ep.name), zap.String("method", r.Method), zap.String("path", r.URL.Path),
			zap.Int("status", resp.Status()), zap.Duration("took", time.Since(start)))
	}
}

// serve routes, authenticates, authorizes and runs the request.
func (rq *request) serve() error {
	var err error
	if rq.query, err = url.ParseQuery(rq.r.URL.RawQuery); err != nil {
		return badRequest("Invalid query string: %v", err)
	}
	if rq.r.Method == http.MethodOptions {
		return rq.preflight()
	}
	if rq.ep, err = route(rq.r.Method, rq.r.URL.EscapedPath(), rq.query); err != nil {
		return err
	}
	// A write runs to its end once its body is in, whatever its client
	// does, so that what it answers is what happened; a read or a poll
	// stops when its client leaves.
	rq.ctx = httpapi.OperationContext(rq.r, rq.ep.writes)
	signed, ok, err := rq.api.sigv4.Authenticate(rq.ctx, rq.api.backend, rq.r, rq.query)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("Anonymous access is not supported: sign the request with Signature V4 for the service %q.", Service)
	}
	b, err := httpapi.ResolveBucket(rq.ctx, rq.api.backend, rq.ep.bucket, signed.Key)
	if err != nil {
		return err
	}
	if !rq.ep.need.grantedBy(signed.Key.BucketPerms(b.ID)) {
		// The key and bucket may have come from this node's copy, which
		// can lag a grant: ask a quorum before refusing.
		if signed.Key, b, err = httpapi.RereadAccess(rq.ctx, rq.api.backend, signed.Key.ID, rq.ep.bucket); err != nil {
			return err
		}
	}
	if !rq.ep.need.grantedBy(signed.Key.BucketPerms(b.ID)) {
		return forbidden("Operation is not allowed for this key: %s needs the %s right on the bucket.", rq.ep.name, rq.ep.need)
	}
	rq.body, rq.bucket = signed.Body, b.ID
	httpapi.AddCORSHeaders(b, rq.r, rq.w.Header())
	return rq.ep.run(rq)
}

// preflight answers a CORS preflight (OPTIONS, unsigned) from the CORS
// rules of the bucket the path names, as the S3 API does: a browser
// application may then call K2V on that bucket from the origins the rules
// allow.
func (rq *request) preflight() error {
	rq.ep.name = "Options"
	bucket, _, _ := strings.Cut(strings.TrimLeft(rq.r.URL.EscapedPath(), "/"), "/")
	name, err := url.PathUnescape(bucket)
	if err != nil {
		return badRequest("Invalid bucket name %q", bucket)
	}
	if err := httpapi.Preflight(rq.ctx, rq.api.backend, name, rq.r, rq.w.Header()); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusOK)
	return nil
}

// need is the right an endpoint needs on its bucket.
type need uint8

const (
	needRead need = iota
	needWrite
)

func (n need) grantedBy(p model.Perms) bool {
	if n == needRead {
		return p.Read
	}
	return p.Write
}

func (n need) String() string { return [...]string{"read", "write"}[n] }
