package s3api

import (
	"context"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/runtime/server"
)

// Backend is what the S3 API needs of a node: the runtime server.
type Backend interface {
	Do(ctx context.Context, op node.Op) (any, error)
	PutObjectWith(ctx context.Context, bucket model.BucketID, key string, headers []model.Header, r io.Reader, opts server.PutOptions) (object.Written, model.ObjectMeta, error)
	HeadObject(ctx context.Context, bucket model.BucketID, key string) (object.Object, error)
	HeadObjectVersion(ctx context.Context, bucket model.BucketID, key string, ref model.VersionRef) (object.Object, error)
	ReadObjectSealed(ctx context.Context, obj object.Object, from, to uint64, w io.Writer, seal server.Sealer) error
	DeleteObjectWith(ctx context.Context, bucket model.BucketID, key string, opts server.WriteOptions) (object.Written, error)
	DeleteObjectVersion(ctx context.Context, bucket model.BucketID, key string, ref model.VersionRef) (object.VersionDeleted, error)
	ListObjectVersions(ctx context.Context, op object.ListVersions) (object.VersionListing, error)
	SetObjectAttr(ctx context.Context, bucket model.BucketID, key string, ref model.VersionRef, name string, value []byte) (model.ObjectVersion, error)
	CopyObjectWith(ctx context.Context, bucket model.BucketID, key string, src object.Object, headers []model.Header, opts server.WriteOptions) (object.Written, model.ObjectMeta, error)
	CreateMultipartWith(ctx context.Context, bucket model.BucketID, key string, headers []model.Header, spec checksum.Spec, versioned bool) (object.Written, error)
	PutPartWith(ctx context.Context, p server.PartUpload) (etag string, size uint64, sum string, err error)
	CompleteMultipart(ctx context.Context, op object.CompleteMultipart) (object.Completed, error)
	AbortMultipart(ctx context.Context, bucket model.BucketID, key string, upload model.VersionID) error
}

// Config configures the S3 API.
type Config struct {
	// Region is the region clients must sign for (s3_region).
	Region string
	// RootDomain, if set (".s3.example.com"), enables virtual-hosted-style
	// addressing: a request to bucket.s3.example.com names bucket.
	RootDomain string
	Logger     *zap.Logger
	// Now is the clock signatures are checked against (time.Now if nil).
	Now func() time.Time
	// Timeouts bound slow and vanished clients; zero fields take
	// DefaultTimeouts.
	Timeouts Timeouts
	// SSEMasterKey wraps the data keys of SSE-S3 objects (sse_master_key);
	// nil refuses SSE-S3 with NotImplemented.
	SSEMasterKey *[32]byte
	// AllowSSECOverHTTP accepts SSE-C keys on requests that did not come
	// over TLS (allow_sse_c_over_http), for a node behind a TLS-terminating
	// proxy; otherwise they are refused, as S3 refuses them.
	AllowSSECOverHTTP bool
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For and X-Forwarded-Proto headers say the client's
	// address and whether it used TLS (the aws:SourceIp and
	// aws:SecureTransport policy conditions). From any other peer, the
	// connection itself says.
	TrustedProxies []netip.Prefix
	// Metrics is told of every request by endpoint name (Garage's
	// api_s3_* series); nil observes nothing.
	Metrics httpapi.Observer
}

// API is the S3 API's HTTP handler.
type API struct {
	cfg      Config
	backend  Backend
	log      *zap.Logger
	policies policyCache
	sigv4    httpapi.SigV4
}

// New returns the S3 API over backend.
func New(cfg Config, backend Backend) *API {
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Timeouts = cfg.Timeouts.WithDefaults()
	if cfg.Region == "" {
		cfg.Region = "garage"
	}
	if cfg.RootDomain != "" {
		// Garage writes it ".s3.example.com"; accept it without the dot too.
		cfg.RootDomain = "." + strings.TrimPrefix(strings.ToLower(cfg.RootDomain), ".")
	}
	return &API{cfg: cfg, backend: backend, log: cfg.Logger, sigv4: httpapi.SigV4{Service: "s3", Region: cfg.Region, Now: cfg.Now}}
}

// Serve answers S3 requests on l until ctx ends; it then stops accepting
// and waits up to five seconds for requests under way.
func (a *API) Serve(ctx context.Context, l net.Listener) error {
	return httpapi.Serve(ctx, l, a, a.cfg.Timeouts, a.log)
}

// Timeouts bound how long a client may hold a connection without making
// progress (httpapi's, shared with the K2V API).
type Timeouts = httpapi.Timeouts

// DefaultTimeouts are the S3 API's timeouts unless configured.
var DefaultTimeouts = httpapi.DefaultTimeouts

// SmallBody is the largest body a request may have for Timeouts.Request to
// bound its whole reading (XML documents, small objects).
const SmallBody = httpapi.SmallBody
