package adminapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/runtime/transport"
)

// Backend is what the admin API needs of a node: it runs admin operations
// and connects to peers. The runtime server is one.
type Backend interface {
	Do(ctx context.Context, op node.Op) (any, error)
	Connect(ctx context.Context, p transport.Peer) error
	ID() cluster.NodeID
}

// Config configures the admin API.
type Config struct {
	// Region is named in error bodies: the S3 API's (s3_region).
	Region string
	// AdminToken is [admin] admin_token: a bearer token allowed every
	// endpoint. Empty: only user-defined tokens are accepted.
	AdminToken string
	// MetricsToken guards /metrics when set, or when MetricsRequireToken.
	MetricsToken        string
	MetricsRequireToken bool
	// S3RootDomain and WebRootDomain are [s3_api] root_domain and [s3_web]
	// root_domain, for /check.
	S3RootDomain  string
	WebRootDomain string
	// Version and DBEngine are reported by GetNodeInfo.
	Version  string
	DBEngine string
	Logger   *zap.Logger
	// Now is the clock tokens' expirations are checked against.
	Now      func() time.Time
	Timeouts httpapi.Timeouts
	// OpTimeout bounds each operation (30 s if zero).
	OpTimeout time.Duration
	// Metrics answers GET /metrics (the Prometheus exposition) once the
	// request passes the metrics token rules; nil answers 501.
	Metrics http.Handler
	// Observer is told of every request by endpoint name (Garage's
	// api_admin_* series); nil observes nothing.
	Observer httpapi.Observer
}

// API is the admin API's HTTP handler.
type API struct {
	cfg      Config
	backend  Backend
	log      *zap.Logger
	verified verified
	byName   map[string]*endpoint
}

// New returns the admin API over backend.
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
	if cfg.OpTimeout == 0 {
		cfg.OpTimeout = 30 * time.Second
	}
	cfg.Timeouts = cfg.Timeouts.WithDefaults()
	a := &API{cfg: cfg, backend: backend, log: cfg.Logger, byName: map[string]*endpoint{}}
	for _, ep := range endpoints {
		a.byName[ep.Name] = ep
	}
	return a
}

// Serve answers admin requests on l until ctx ends.
func (a *API) Serve(ctx context.Context, l net.Listener) error {
	return httpapi.Serve(ctx, l, a, a.cfg.Timeouts, a.log)
}

// request is one admin request on its way through.
type request struct {
	api   *API
	w     *httpapi.Response
	r     *http.Request
	ctx   context.Context
	query url.Values
	ep    *endpoint
	// token is the user token the request was authenticated with; nil for
	// the configured admin_token.
	token *model.AdminToken
	// endpoint names the request for metrics: Garage's endpoint name.
	endpoint string
}

// ServeHTTP answers one admin request; every request ends with a status
// written here.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	resp := httpapi.NewResponse(w, a.cfg.Timeouts.Body)
	r.Body = httpapi.NewClientBody(r, resp.RC, a.cfg.Timeouts, start)
	rq := &request{api: a, w: resp, r: r, ctx: r.Context()}
	resp.Answer(r, rq.serve, rq.fail)
	if rq.ep != nil {
		rq.endpoint = rq.ep.Name
	}
	resp.Observe(a.cfg.Observer, rq.endpoint, start)
	resp.Finish()
	if ce := a.log.Check(zapcore.DebugLevel, "request"); ce != nil {
		name := rq.endpoint
		ce.Write(zap.String("endpoint", name), zap.String("method", r.Method), zap.String("path", r.URL.Path),
			zap.Int("status", resp.Status()), zap.Duration("took", time.Since(start)))
	}
}

// serve routes, authenticates, authorizes and runs the request.
func (rq *request) serve() error {
	q, err := url.ParseQuery(rq.r.URL.RawQuery)
	if err != nil {
		return badRequest("Invalid query string: %v", err)
	}
	rq.query = q
	path := rq.r.URL.Path
	if v := oldVersion(path); v != "" {
		return rq.serveOld(v) // before OPTIONS: Garage refuses a v1 preflight
	}
	switch {
	case rq.r.Method == http.MethodOptions:
		rq.endpoint = "Options"
		return rq.preflight()
	case rq.r.Method == http.MethodGet && path == "/health":
		rq.endpoint = "Health"
		return rq.health()
	case rq.r.Method == http.MethodGet && path == "/check":
		rq.endpoint = "CheckDomain"
		return rq.checkDomain()
	case rq.r.Method == http.MethodGet && path == "/metrics":
		rq.endpoint = "Metrics"
		if err := rq.authorizeMetrics(); err != nil {
			return err
		}
		if rq.api.cfg.Metrics == nil {
			return notImplemented("Metrics")
		}
		rq.api.cfg.Metrics.ServeHTTP(rq.w, rq.r)
		return nil
	case rq.r.Method == http.MethodGet && path == "/v2/openapi.json":
		return rq.writeJSON(http.StatusOK, openAPI())
	}
	name, ok := strings.CutPrefix(path, "/v2/")
	ep := rq.api.byName[name]
	if !ok || ep == nil || ep.Method != rq.r.Method {
		return badRequest("Unknown API endpoint: %s %s", rq.r.Method, path)
	}
	rq.ep = ep
	return rq.runEndpoint(ep)
}

// runEndpoint authorizes the request as ep and answers with its handler.
func (rq *request) runEndpoint(ep *endpoint) error {
	if err := rq.authorize(ep.Name); err != nil {
		return err
	}
	// A write runs to its end once its body is in, so that what it answers
	// is what happened.
	rq.ctx = httpapi.OperationContext(rq.r, ep.Method == http.MethodPost)
	res, err := ep.Handle(rq)
	if err != nil {
		return err
	}
	rq.w.Header().Set("Access-Control-Allow-Origin", "*")
	return rq.writeJSON(http.StatusOK, res)
}

// preflight answers a CORS preflight (any OPTIONS request) permissively,
// unauthenticated, as Garage does: browsers then send the token.
func (rq *request) preflight() error {
	h := rq.w.Header()
	h.Set("Allow", "OPTIONS,GET,POST")
	h.Set("Access-Control-Allow-Methods", "OPTIONS,GET,POST")
	h.Set("Access-Control-Allow-Headers", "authorization,content-type")
	h.Set("Access-Control-Allow-Origin", "*")
	rq.w.WriteHeader(http.StatusOK)
	return nil
}

// bearer extracts the request's bearer token.
func (rq *request) bearer() (string, error) {
	auth := rq.r.Header.Get("Authorization")
	if auth == "" {
		return "", forbidden("Bearer token must be provided in Authorization header")
	}
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return "", forbidden("Invalid Authorization header")
	}
	return strings.TrimSpace(token), nil
}

// authorize lets the request call endpoint: the configured admin token
// may call any; a user token ("<id>.<secret>") only those in its scope,
// and only until it expires. Every refusal is the same 403, so a caller
// learns nothing about which tokens exist.
func (rq *request) authorize(endpoint string) error {
	token, err := rq.bearer()
	if err != nil {
		return err
	}
	const invalid = "Invalid bearer token"
	prefix, _, isUser := strings.Cut(token, ".")
	if !isUser {
		if rq.api.cfg.AdminToken == "" || !sameSecret(token, rq.api.cfg.AdminToken) {
			return forbidden(invalid)
		}
		return nil
	}
	if model.ValidAdminTokenPrefix(prefix) != nil {
		return forbidden(invalid)
	}
	ctx, cancel := context.WithTimeout(rq.r.Context(), rq.api.cfg.OpTimeout)
	defer cancel()
	res, err := rq.api.backend.Do(ctx, admin.GetAdminTokenEntry{Prefix: prefix})
	if errors.Is(err, admin.ErrNotFound) {
		return forbidden(invalid)
	}
	if err != nil {
		return coreError(err, codeNoSuchAdminToken, false)
	}
	t := res.(model.AdminToken)
	if t.Expired(uint64(rq.api.cfg.Now().UnixMilli())) || !t.Allows(endpoint) || !rq.api.verified.check(token, t.Hash) {
		return forbidden(invalid)
	}
	rq.token = &t
	return nil
}

// authorizeMetrics guards /metrics: open unless a metrics token is set or
// required; then the metrics token, the admin token or a user token whose
// scope names Metrics.
func (rq *request) authorizeMetrics() error {
	c := rq.api.cfg
	if c.MetricsToken == "" && !c.MetricsRequireToken {
		return nil
	}
	if token, err := rq.bearer(); err == nil && c.MetricsToken != "" && sameSecret(token, c.MetricsToken) {
		return nil
	}
	return rq.authorize("Metrics")
}

// run runs an operation under the request's context, bounded.
func (rq *request) run(op node.Op) (any, error) {
	ctx, cancel := context.WithTimeout(rq.ctx, rq.api.cfg.OpTimeout)
	defer cancel()
	return rq.api.backend.Do(ctx, op)
}

// decode reads the JSON body into v; a malformed body is the client's.
func (rq *request) decode(v any) error {
	body, err := io.ReadAll(io.LimitReader(rq.r.Body, 1<<20+1))
	if err != nil {
		return badRequest("Cannot read the request body: %v", err)
	}
	if len(body) > 1<<20 {
		return badRequest("The request body is larger than 1 MiB")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("Invalid JSON body: %v", err)
	}
	return nil
}

// param is query parameter name, "" when absent or empty (Garage ignores
// empty values); given twice is refused.
func (rq *request) param(name string) (string, error) {
	vs := rq.query[name]
	var got string
	for _, v := range vs {
		if v == "" {
			continue
		}
		if got != "" {
			return "", badRequest("Query parameter repeated: '%s'", name)
		}
		got = v
	}
	return got, nil
}

// required is a query parameter the endpoint needs.
func (rq *request) required(name string) (string, error) {
	v, err := rq.param(name)
	if err == nil && v == "" {
		err = badRequest("Missing query parameter: '%s'", name)
	}
	return v, err
}

func (rq *request) writeJSON(status int, v any) error {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the answer: %w", err)
	}
	rq.w.Header().Set("Content-Type", "application/json")
	rq.w.WriteHeader(status)
	_, err = rq.w.Write(append(body, '\n'))
	if err != nil {
		rq.api.log.Debug("answer not delivered", zap.Error(err))
	}
	return nil
}

// fail answers err as Garage's JSON error, if nothing was answered yet.
func (rq *request) fail(err error) {
	ae := coreError(err, "NoSuchKey", false)
	if ae.status >= 500 {
		rq.api.log.Warn("admin request failed", zap.String("path", rq.r.URL.Path), zap.Error(err))
	}
	if rq.w.Started() {
		return
	}
	rq.writeJSON(ae.status, ErrorResponse{Code: ae.code, Message: ae.msg, Region: rq.api.cfg.Region, Path: rq.r.URL.Path}) //nolint:errcheck // nothing more to do
}
