package httpapi

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
)

// testAPI answers as the node's APIs do: a Response, Answer, then
// Observe with the endpoint it routed to ("" for /unrouted).
type testAPI struct {
	sawSpan  chan trace.SpanContext
	observer Observer
}

func (a testAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	resp := NewResponse(w, time.Second)
	if a.sawSpan != nil {
		a.sawSpan <- trace.SpanFromContext(r.Context()).SpanContext()
	}
	endpoint := ""
	resp.Answer(r, func() error {
		if r.URL.Path == "/unrouted" {
			return errors.New("boom")
		}
		endpoint = "PutThing"
		io.Copy(io.Discard, r.Body) //nolint:errcheck // test
		// With its length known, the client has the whole answer once
		// it is flushed, before the handler returns.
		resp.Header().Set("Content-Length", "5")
		resp.WriteHeader(http.StatusCreated)
		_, err := resp.Write([]byte("hello"))
		return err
	}, func(error) { resp.WriteHeader(http.StatusInternalServerError) })
	resp.Observe(a.observer, endpoint, start)
	resp.Finish()
}

func serveTest(t *testing.T, ctx context.Context, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, h, DefaultTimeouts, zap.NewNop()) }()
	t.Cleanup(func() { stop(); <-done })
	return "http://" + l.Addr().String()
}

func send(t *testing.T, method, url, body string, header map[string]string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // test
	resp.Body.Close()
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// TestTracedRequests: with a tracer, each request is a server span in the
// client's trace (traceparent), named after the endpoint the API reported,
// with its method, path, status and body sizes; a request the API could
// not route keeps the "call (unknown)" name, and a 500 marks it failed.
func TestTracedRequests(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) }) //nolint:errcheck // test
	url := serveTest(t, WithTracing(context.Background(), tp.Tracer("test"), "Test"), testAPI{})

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	send(t, http.MethodPut, url+"/bucket/key?X-Amz-Signature=secret", "twelve bytes", map[string]string{"traceparent": "00-" + traceID + "-" + parentID + "-01"})
	send(t, http.MethodGet, url+"/unrouted", "", nil)
	spans := exp.GetSpans().Snapshots()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	put, failed := spans[0], spans[1]
	if put.Name() != "Test API PutThing" || put.SpanKind() != trace.SpanKindServer {
		t.Errorf("span %q kind %v, want server span Test API PutThing", put.Name(), put.SpanKind())
	}
	if put.SpanContext().TraceID().String() != traceID || put.Parent().SpanID().String() != parentID || !put.Parent().IsRemote() {
		t.Errorf("span in trace %s under %s, want the client's %s under %s", put.SpanContext().TraceID(), put.Parent().SpanID(), traceID, parentID)
	}
	a := attrs(put)
	for k, want := range map[attribute.Key]string{attrMethod: "PUT", attrPath: "/bucket/key", attrEndpoint: "PutThing"} {
		if a[k].AsString() != want {
			t.Errorf("%s = %q, want %q", k, a[k].AsString(), want)
		}
	}
	if a[attrStatus].AsInt64() != 201 || a[attrBytesIn].AsInt64() != 12 || a[attrBytesOut].AsInt64() != 5 {
		t.Errorf("status %v, in %v, out %v; want 201, 12, 5", a[attrStatus].AsInt64(), a[attrBytesIn].AsInt64(), a[attrBytesOut].AsInt64())
	}
	for _, kv := range put.Attributes() {
		if strings.Contains(kv.Value.Emit(), "secret") {
			t.Errorf("attribute %s carries the query's signature", kv.Key)
		}
	}
	if put.Status().Code == codes.Error {
		t.Error("a 201 marked failed")
	}
	if failed.Name() != "Test API call (unknown)" || failed.Status().Code != codes.Error || attrs(failed)[attrStatus].AsInt64() != 500 {
		t.Errorf("unrouted request: %q, status %v, code %v; want the unknown name, Error, 500", failed.Name(), failed.Status(), attrs(failed)[attrStatus].AsInt64())
	}
	if failed.Parent().IsValid() {
		t.Error("a request without traceparent must start a trace of its own")
	}
}

// TestUntracedServe: without a tracer the API's own handler serves the
// request: no span, not even the client's trace context.
func TestUntracedServe(t *testing.T) {
	if ctx := WithTracing(context.Background(), nil, "Test"); ctx != context.Background() {
		t.Fatal("a nil tracer changed the context")
	}
	saw := make(chan trace.SpanContext, 1)
	url := serveTest(t, context.Background(), testAPI{sawSpan: saw})
	send(t, http.MethodPut, url+"/x", "body", map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
	if sc := <-saw; sc.IsValid() {
		t.Fatalf("untraced request ran under span context %v", sc)
	}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkRequest is the httpapi layer's cost for one request: off (no
// tracer: the API's handler alone) and on (a span per request, exported in
// batches to a no-op exporter).
func BenchmarkRequest(b *testing.B) {
	r, _ := http.NewRequest(http.MethodPut, "http://h/bucket/key", http.NoBody)
	run := func(b *testing.B, h http.Handler) {
		w := &discard{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, r)
		}
	}
	b.Run("off", func(b *testing.B) { run(b, testAPI{}) })
	b.Run("on", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
		defer tp.Shutdown(context.Background()) //nolint:errcheck // bench
		run(b, tracedHandler{next: testAPI{}, apiTracing: apiTracing{tracer: tp.Tracer("bench"), api: "S3"}})
	})
}
