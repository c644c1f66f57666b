package httpapi

import (
	"context"
	"io"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Tracing of the APIs' requests: when the context given to Serve carries a
// tracer (WithTracing), every request is one server span, started before
// the API's handler runs and ended after it returned. The handler's
// context holds the span, so the core operations it runs (server.Do) and
// the RPCs they cause become its children. The API names the span after
// its endpoint through Response.Observe. Without a tracer, Serve serves the
// API's handler itself: tracing costs nothing.

type tracingKey struct{}

// apiTracing is what WithTracing puts in the context.
type apiTracing struct {
	tracer trace.Tracer
	api    string // "S3", "K2V", "Web", "Admin": the span names' prefix
}

// WithTracing returns ctx for Serve with requests traced by tracer, under
// span names "<api> API <endpoint>"; a nil tracer leaves ctx as it is
// (tracing off).
func WithTracing(ctx context.Context, tracer trace.Tracer, api string) context.Context {
	if tracer == nil {
		return ctx
	}
	return context.WithValue(ctx, tracingKey{}, apiTracing{tracer: tracer, api: api})
}

// tracedHandler opens and closes each request's span around the API.
type tracedHandler struct {
	next http.Handler
	apiTracing
}

// traceContext reads a client's W3C traceparent (and tracestate).
var traceContext = propagation.TraceContext{}

// Attribute keys, OpenTelemetry's HTTP semantic conventions where there is
// one.
const (
	attrMethod    = attribute.Key("http.request.method")
	attrPath      = attribute.Key("url.path")
	attrHost      = attribute.Key("server.address")
	attrStatus    = attribute.Key("http.response.status_code")
	attrBytesIn   = attribute.Key("http.request.body.size")
	attrBytesOut  = attribute.Key("http.response.body.size")
	attrEndpoint  = attribute.Key("garage.endpoint")
	unknownSuffix = " API call (unknown)"
)

func (t tracedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := traceContext.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	// The query is left out: it may hold a presigned request's signature.
	ctx, span := t.tracer.Start(ctx, t.api+unknownSuffix, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attrMethod.String(r.Method), attrPath.String(r.URL.Path), attrHost.String(r.Host)))
	tw := &tracedWriter{ResponseWriter: w, span: span, api: t.api}
	var body *countingBody
	if r.Body != nil && r.Body != http.NoBody {
		body = &countingBody{ReadCloser: r.Body}
		r.Body = body
	}
	defer func() {
		// Deferred, so that a handler's panic (which net/http recovers)
		// still ends the span.
		status := tw.status
		if status == 0 {
			status = http.StatusOK
		}
		attrs := []attribute.KeyValue{attrStatus.Int(status), attrBytesOut.Int64(tw.written)}
		if body != nil {
			attrs = append(attrs, attrBytesIn.Int64(body.read))
		}
		span.SetAttributes(attrs...)
		if status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
		span.End()
	}()
	t.next.ServeHTTP(tw, r.WithContext(ctx))
}

// tracedWriter is the ResponseWriter of a traced request: it counts what
// is written and carries the span to the API's Response (NewResponse).
type tracedWriter struct {
	http.ResponseWriter
	span    trace.Span
	api     string
	status  int
	written int64
}

func (w *tracedWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *tracedWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *tracedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// name names the span after the endpoint the API routed to.
func (w *tracedWriter) name(endpoint string) {
	w.span.SetName(w.api + " API " + endpoint)
	w.span.SetAttributes(attrEndpoint.String(endpoint))
}

// countingBody counts the request body's bytes read by the API.
type countingBody struct {
	io.ReadCloser
	read int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	return n, err
}
