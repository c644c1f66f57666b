package tracing

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Protocol is how spans reach the sink.
type Protocol string

const (
	GRPC Protocol = "grpc"          // OTLP over gRPC (Garage's exporter)
	HTTP Protocol = "http/protobuf" // OTLP over HTTP, protobuf bodies
)

// Sink is a parsed trace_sink.
type Sink struct {
	Protocol Protocol
	// Endpoint is host:port for gRPC, the full URL for HTTP.
	Endpoint string
	// Insecure: plain text (http:// or no scheme), else TLS (https://).
	Insecure bool
}

// ParseSink reads a trace_sink value:
//
//   - "host:port" and "http://host:port" are OTLP/gRPC in plain text
//     (Garage's form, e.g. "http://localhost:4317"); "https://host:port"
//     is OTLP/gRPC over TLS;
//   - a URL with a path, such as "http://host:4318/v1/traces", is
//     OTLP/HTTP to exactly that URL (TLS for https).
func ParseSink(s string) (Sink, error) {
	if s == "" {
		return Sink{}, errors.New("trace_sink is empty")
	}
	if !strings.Contains(s, "://") {
		if _, port, err := net.SplitHostPort(s); err != nil || port == "" {
			return Sink{}, fmt.Errorf("trace_sink %q: want host:port, http://host:port or a URL ending in /v1/traces", s)
		}
		return Sink{Protocol: GRPC, Endpoint: s, Insecure: true}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return Sink{}, fmt.Errorf("trace_sink %q: %w", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return Sink{}, fmt.Errorf("trace_sink %q: scheme %q, want http or https", s, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return Sink{}, fmt.Errorf("trace_sink %q: no host", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return Sink{}, fmt.Errorf("trace_sink %q: a query, fragment or user name is not supported", s)
	}
	insecure := u.Scheme == "http"
	if u.Path == "" || u.Path == "/" {
		host := u.Host
		if u.Port() == "" {
			host = net.JoinHostPort(u.Hostname(), "4317") // OTLP/gRPC's port
		}
		return Sink{Protocol: GRPC, Endpoint: host, Insecure: insecure}, nil
	}
	return Sink{Protocol: HTTP, Endpoint: u.String(), Insecure: insecure}, nil
}

// Config says where spans go and whose they are.
type Config struct {
	// Sink is trace_sink; "" disables tracing.
	Sink string
	// Node is the node's id (hex), its service.instance.id.
	Node string
	// Version is the build's, its service.version.
	Version string
	// BatchTimeout bounds how long a span waits before it is exported
	// (default 5 s, OpenTelemetry's).
	BatchTimeout time.Duration
}

// ServiceName is the service.name of every span, Garage's.
const ServiceName = "garage"

// Provider is one node's tracer provider and exporter.
type Provider struct {
	tp     *sdktrace.TracerProvider
	tracer trace.Tracer
	sink   Sink
}

// New builds the provider for cfg, or returns nil, nil when cfg.Sink is
// empty: tracing is off. The exporter connects lazily, so an unreachable
// collector delays nothing; its spans are dropped once the exporter's
// retries give up.
func New(cfg Config) (*Provider, error) {
	if cfg.Sink == "" {
		return nil, nil
	}
	sink, err := ParseSink(cfg.Sink)
	if err != nil {
		return nil, err
	}
	exp, err := newExporter(sink)
	if err != nil {
		return nil, fmt.Errorf("trace_sink %q: %w", cfg.Sink, err)
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", ServiceName)}
	if cfg.Node != "" {
		attrs = append(attrs, attribute.String("service.instance.id", cfg.Node))
	}
	if cfg.Version != "" {
		attrs = append(attrs, attribute.String("service.version", cfg.Version))
	}
	var batch []sdktrace.BatchSpanProcessorOption
	if cfg.BatchTimeout > 0 {
		batch = append(batch, sdktrace.WithBatchTimeout(cfg.BatchTimeout))
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, batch...),
		sdktrace.WithResource(resource.NewSchemaless(attrs...)),
		// A client's traceparent decides for its request; a request
		// without one is always traced, as in Garage.
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())),
	)
	return &Provider{tp: tp, tracer: tp.Tracer("github.com/garagego/garage"), sink: sink}, nil
}

func newExporter(s Sink) (sdktrace.SpanExporter, error) {
	ctx := context.Background() // the exporters connect lazily: nothing waits on it
	switch s.Protocol {
	case GRPC:
		opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(s.Endpoint)}
		if s.Insecure {
			opts = append(opts, otlptracegrpc.WithInsecure())
		}
		return otlptracegrpc.New(ctx, opts...)
	case HTTP:
		return otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(s.Endpoint))
	}
	return nil, fmt.Errorf("unknown protocol %q", s.Protocol)
}

// Tracer is the node's tracer; nil when tracing is off.
func (p *Provider) Tracer() trace.Tracer {
	if p == nil {
		return nil
	}
	return p.tracer
}

// Sink is where the spans go.
func (p *Provider) Sink() Sink {
	if p == nil {
		return Sink{}
	}
	return p.sink
}

// Flush exports every span ended so far.
func (p *Provider) Flush(ctx context.Context) error {
	if p == nil {
		return nil
	}
	return p.tp.ForceFlush(ctx)
}

// Shutdown exports what is buffered and stops the exporter; spans ended
// later are dropped. A nil provider has nothing to do.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p == nil {
		return nil
	}
	if err := p.tp.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: flush spans to %s: %w", p.sink.Endpoint, err)
	}
	return nil
}
