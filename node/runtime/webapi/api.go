package webapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/bucketcfg"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/sse"
	"github.com/garagego/garage/node/wire"
)

// Backend is what the website endpoint needs of a node: the runtime
// server's bucket lookups and object reads.
type Backend interface {
	Do(ctx context.Context, op node.Op) (any, error)
	HeadObject(ctx context.Context, bucket model.BucketID, key string) (object.Object, error)
	ReadObjectSealed(ctx context.Context, obj object.Object, from, to uint64, w io.Writer, seal server.Sealer) error
}

// Config configures the website endpoint.
type Config struct {
	// RootDomain (".web.example.com") is the domain under which a host's
	// first labels name a bucket: site.web.example.com serves "site".
	RootDomain string
	Logger     *zap.Logger
	// Timeouts bound slow and vanished clients; zero fields take
	// httpapi.DefaultTimeouts.
	Timeouts httpapi.Timeouts
	// SSEMasterKey decrypts SSE-S3 objects (the S3 API's sse_master_key);
	// without it they are refused as the S3 API refuses them.
	SSEMasterKey *[sse.KeySize]byte
	// Metrics is told of every request by its method (Garage's web_*
	// series); nil observes nothing.
	Metrics httpapi.Observer
}

// API is the website endpoint's HTTP handler.
type API struct {
	cfg     Config
	backend Backend
	log     *zap.Logger
}

// New returns the website endpoint over backend.
func New(cfg Config, backend Backend) *API {
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	cfg.Timeouts = cfg.Timeouts.WithDefaults()
	return &API{cfg: cfg, backend: backend, log: cfg.Logger}
}

// Serve answers website requests on l until ctx ends.
func (a *API) Serve(ctx context.Context, l net.Listener) error {
	return httpapi.Serve(ctx, l, a, a.cfg.Timeouts, a.log)
}

// request is one website request on its way through.
type request struct {
	api  *API
	w    *httpapi.Response
	r    *http.Request
	ctx  context.Context
	base http.Header // the headers every answer keeps (CORS), once known

	bucketName string
	bucket     model.Bucket
	website    bucketcfg.Website
}

// ServeHTTP answers one website request. Every request is anonymous: a
// signature, if any, is not looked at, and grants nothing here.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	resp := httpapi.NewResponse(w, a.cfg.Timeouts.Body)
	rq := &request{api: a, w: resp, r: r, ctx: r.Context()}
	resp.Header().Set("Server", "garage")
	resp.Answer(r, rq.serve, rq.fail)
	resp.Observe(a.cfg.Metrics, r.Method, start)
	resp.Finish()
	if ce := a.log.Check(zapcore.DebugLevel, "request"); ce != nil {
		ce.Write(zap.String("host", r.Host), zap.String("method", r.Method), zap.String("path", r.URL.Path),
			zap.Int("status", resp.Status()), zap.Duration("took", time.Since(start)))
	}
}

// serve finds the website, then answers with a redirect, the object the
// path names, or the failure (with the error document if there is one).
func (rq *request) serve() error {
	host, err := authorityToHost(rq.r.Host)
	if err != nil {
		return err
	}
	rq.bucketName = hostBucket(host, rq.api.cfg.RootDomain)
	if err := rq.findWebsite(); err != nil {
		return err
	}
	switch rq.r.Method {
	case http.MethodOptions:
		if err := httpapi.Preflight(rq.ctx, rq.api.backend, rq.bucketName, rq.r, rq.w.Header()); err != nil {
			return err
		}
		rq.w.WriteHeader(http.StatusOK)
		return nil
	case http.MethodGet, http.MethodHead:
	default:
		return s3err.New(s3err.MethodNotAllowed, "The specified method is not allowed against this resource.")
	}
	httpapi.AddCORSHeaders(rq.bucket, rq.r, rq.w.Header())
	rq.base = rq.w.Header().Clone()
	cfg := rq.website
	if cfg.RedirectAllRequestsTo != nil {
		return rq.redirect(redirectAll(cfg.RedirectAllRequestsTo, rq.r.URL.RequestURI(), rq.origin()))
	}
	base, err := requestKey(rq.r.URL.Path)
	if err != nil {
		return err
	}
	if rule, ok := matchRule(cfg.RoutingRules, base, 0); ok {
		return rq.redirect(redirectFor(rule, base, rq.origin()))
	}
	err = rq.serveKey(base)
	if err == nil || rq.w.Started() {
		return err
	}
	status := toS3(err).Status()
	if status < 400 || status >= 500 {
		return err
	}
	if rule, ok := matchRule(cfg.RoutingRules, base, status); ok {
		return rq.redirect(redirectFor(rule, base, rq.origin()))
	}
	return rq.errorDocument(err, status)
}

// findWebsite resolves the bucket the host names, by its global alias
// only, and its website configuration: a bucket without one is not a
// website, and answers as an unknown one does (404).
func (rq *request) findWebsite() error {
	res, err := rq.api.backend.Do(rq.ctx, admin.LookupBucket{Name: rq.bucketName})
	if err != nil {
		if httpapi.IsNotFound(err) {
			return s3err.New(s3err.NoSuchBucket, "The specified bucket does not exist.").With("BucketName", rq.bucketName)
		}
		return err
	}
	rq.bucket = res.(model.Bucket)
	cfg, ok := bucketWebsite(rq.bucket)
	if !ok {
		return s3err.New(s3err.NoSuchWebsiteConfiguration, "The specified bucket does not have a website configuration.").With("BucketName", rq.bucketName)
	}
	rq.website = cfg
	return nil
}

// bucketWebsite decodes the bucket's website configuration, if it has one.
func bucketWebsite(b model.Bucket) (bucketcfg.Website, bool) {
	data, ok := b.Config(model.ConfigWebsite)
	if !ok {
		return bucketcfg.Website{}, false
	}
	d := wire.NewDecoder(data)
	cfg := bucketcfg.DecodeWebsite(d)
	return cfg, d.Finish() == nil
}

// serveKey answers with the object a request key names, or, for a name
// without its slash that is a directory (its index document exists),
// with a redirect to the directory.
func (rq *request) serveKey(base string) error {
	obj, err := rq.api.backend.HeadObject(rq.ctx, rq.bucket.ID, objectKey(base, rq.website.IndexDocument))
	if errors.Is(err, server.ErrNoSuchObject) && !isDirectory(base) {
		if _, derr := rq.api.backend.HeadObject(rq.ctx, rq.bucket.ID, base+"/"+rq.website.IndexDocument); derr == nil {
			return rq.redirect(directoryRedirect(base))
		}
	}
	if err != nil {
		return err
	}
	// An object may name where its page moved (x-amz-website-redirect-location).
	if loc := model.HeaderValue(obj.Meta.Headers, "x-amz-website-redirect-location"); loc != "" {
		return rq.redirect(redirect{location: loc, code: http.StatusMovedPermanently})
	}
	return rq.serveObject(obj, http.StatusOK)
}

// errorDocument answers a GET that failed with a client error with the
// bucket's error document, under the failure's status. Without one, or
// when it cannot be read, or for a HEAD, the failure itself is answered.
func (rq *request) errorDocument(cause error, status int) error {
	key := strings.TrimLeft(rq.website.ErrorDocument, "/")
	if key == "" || rq.r.Method != http.MethodGet {
		return cause
	}
	obj, err := rq.api.backend.HeadObject(rq.ctx, rq.bucket.ID, key)
	if err == nil {
		rq.resetHeaders()
		err = rq.serveObject(obj, status)
	}
	if err != nil && !rq.w.Started() {
		rq.api.log.Debug("error document not served", zap.String("bucket", rq.bucketName), zap.String("key", key), zap.Error(err))
		return cause
	}
	return err
}

// serveObject answers with obj under status: 200 for the object asked
// for, which honours the request's Range and conditional headers, or an
// error's status for the error document, which ignores them (a part of
// the error page, or a 304 for it, would answer what was not asked).
// An SSE-S3 object is decrypted; an SSE-C one cannot be, the web endpoint
// having no key to give, and is refused as S3 refuses a GET without one.
func (rq *request) serveObject(obj object.Object, status int) error {
	meta := obj.Meta
	seal, err := rq.sealer(meta)
	if err != nil {
		return err
	}
	h := rq.w.Header()
	modified := httpapi.MillisTime(obj.Timestamp)
	span, partial := httpapi.ByteRange{From: 0, To: meta.Size}, false
	if status == http.StatusOK {
		r, ok, err := httpapi.ParseRange(rq.r.Header.Get("Range"), meta.Size)
		if err != nil {
			return err
		}
		if ok {
			span, partial = r, true
		}
		if err := httpapi.ReadConditions(rq.r.Header).Check(meta.ETag, modified, false); err != nil {
			if e, _ := s3err.As(err); e.Code == s3err.NotModified {
				h.Set("ETag", httpapi.Quote(meta.ETag))
				h.Set("Last-Modified", modified.Format(http.TimeFormat))
			}
			return err
		}
	}
	httpapi.SetObjectHeaders(h, meta, modified)
	if seal != nil {
		h.Set(sse.HeaderSSE, sse.AES256)
	}
	if partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", span.From, span.To-1, meta.Size))
	}
	h.Set("Content-Length", strconv.FormatUint(span.To-span.From, 10))
	if rq.r.Method == http.MethodHead || span.To == span.From {
		rq.w.WriteHeader(status)
		return nil
	}
	out := &lazyWriter{w: rq.w, status: status}
	if err := rq.api.backend.ReadObjectSealed(rq.ctx, obj, span.From, span.To, out, seal); err != nil {
		if !rq.w.Started() {
			return err
		}
		// Part of the body is gone: cut the connection so the client sees a
		// short read, never a complete-looking corrupt page.
		rq.api.log.Warn("object read failed mid-body: " + err.Error())
		panic(http.ErrAbortHandler)
	}
	return nil
}

// sealer is how an object's data is to be opened: nil for plaintext.
func (rq *request) sealer(meta model.ObjectMeta) (server.Sealer, error) {
	p, encrypted, err := httpapi.StoredSSE(meta)
	if err != nil || !encrypted {
		return nil, err
	}
	if p.Mode == sse.Customer {
		return nil, s3err.New(s3err.InvalidRequest, "The object was stored using a form of Server Side Encryption with a customer-provided key, which a website cannot serve.")
	}
	dk, err := httpapi.ManagedDataKey(p, rq.api.cfg.SSEMasterKey)
	if err != nil {
		return nil, err
	}
	return server.NewSealer(sse.DeriveObjectKey(&dk)), nil
}

// lazyWriter sends the status line with the first bytes of the body, so
// that a failure before any data is read can still be answered properly.
type lazyWriter struct {
	w      *httpapi.Response
	status int
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.w.Started() {
		l.w.WriteHeader(l.status)
	}
	return l.w.Write(p)
}

// redirect answers with r.
func (rq *request) redirect(r redirect) error {
	rq.resetHeaders()
	rq.w.Header().Set("Location", r.location)
	rq.w.WriteHeader(r.code)
	return nil
}

// resetHeaders drops what a failed attempt set, keeping the CORS headers.
func (rq *request) resetHeaders() {
	h := rq.w.Header()
	for name := range h {
		delete(h, name)
	}
	for name, v := range rq.base {
		h[name] = v
	}
	h.Set("Server", "garage")
}

// origin is the protocol and host the request came with. Behind a
// TLS-terminating proxy the client's protocol is X-Forwarded-Proto's: it
// only shapes the redirects this client is sent.
func (rq *request) origin() origin {
	proto := "http"
	if rq.r.TLS != nil {
		proto = "https"
	}
	if p := strings.ToLower(rq.r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
		proto = p
	}
	return origin{proto: proto, host: rq.r.Host}
}
