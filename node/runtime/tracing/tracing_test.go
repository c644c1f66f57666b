package tracing

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

func TestParseSink(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Sink
	}{
		{"localhost:4317", Sink{GRPC, "localhost:4317", true}},
		{"http://localhost:4317", Sink{GRPC, "localhost:4317", true}},
		{"http://jaeger/", Sink{GRPC, "jaeger:4317", true}},
		{"https://collector.example:443", Sink{GRPC, "collector.example:443", false}},
		{"http://collector:4318/v1/traces", Sink{HTTP, "http://collector:4318/v1/traces", true}},
		{"https://collector/otlp/v1/traces", Sink{HTTP, "https://collector/otlp/v1/traces", false}},
		{"http://[::1]:4317", Sink{GRPC, "[::1]:4317", true}},
	} {
		got, err := ParseSink(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSink(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "localhost", "grpc://localhost:4317", "http://:4317", "http://h:4317?x=1", "http://u@h:4317", "::"} {
		if s, err := ParseSink(bad); err == nil {
			t.Errorf("ParseSink(%q) = %+v, want an error", bad, s)
		}
	}
}

// TestNoSinkNoProvider: no sink, no provider, and the nil provider is
// safe to use (serve calls it unconditionally).
func TestNoSinkNoProvider(t *testing.T) {
	p, err := New(Config{})
	if p != nil || err != nil {
		t.Fatalf("New without a sink = %v, %v; want nil, nil", p, err)
	}
	if p.Tracer() != nil || p.Flush(context.Background()) != nil || p.Shutdown(context.Background()) != nil || p.Sink() != (Sink{}) {
		t.Fatal("a nil provider must do nothing")
	}
	if _, err := New(Config{Sink: "nonsense"}); err == nil {
		t.Fatal("a bad sink must be refused")
	}
}

// TestOTLPHTTP: a sink URL with a path exports over OTLP/HTTP to exactly
// that URL, with the node's resource.
func TestOTLPHTTP(t *testing.T) {
	got := make(chan *collectorpb.ExportTraceServiceRequest, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := &collectorpb.ExportTraceServiceRequest{}
		if r.URL.Path != "/otlp/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, req) != nil {
			http.Error(w, "unexpected export "+r.URL.Path, http.StatusBadRequest)
			return
		}
		got <- req
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&collectorpb.ExportTraceServiceResponse{})
		w.Write(out) //nolint:errcheck // test
	}))
	defer srv.Close()
	p, err := New(Config{Sink: srv.URL + "/otlp/v1/traces", Node: "node-a", Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Sink().Protocol != HTTP {
		t.Fatalf("sink %+v, want OTLP/HTTP", p.Sink())
	}
	_, span := p.Tracer().Start(context.Background(), "S3 API GetObject")
	span.End()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	select {
	case req := <-got:
		rs := req.GetResourceSpans()[0]
		res := map[string]string{}
		for _, kv := range rs.GetResource().GetAttributes() {
			res[kv.GetKey()] = kv.GetValue().GetStringValue()
		}
		if name := rs.GetScopeSpans()[0].GetSpans()[0].GetName(); name != "S3 API GetObject" ||
			res["service.name"] != "garage" || res["service.instance.id"] != "node-a" || res["service.version"] != "v1" {
			t.Fatalf("exported %q with resource %v", name, res)
		}
	default:
		t.Fatal("shutdown returned before the span was exported")
	}
}
