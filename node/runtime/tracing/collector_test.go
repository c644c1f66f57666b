package tracing_test

import (
	"context"
	"encoding/hex"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/grpc"
)

// collector is an OTLP/gRPC trace collector on 127.0.0.1:0 that keeps
// every span it receives.
type collector struct {
	collectorpb.UnimplementedTraceServiceServer
	addr string
	srv  *grpc.Server

	mu    sync.Mutex
	spans []span
}

// span is a received span, flattened.
type span struct {
	name              string
	node              string // the resource's service.instance.id
	service           string
	trace, id, parent string // hex
	attrs             map[string]string
	errored           bool
	start, end        time.Time
}

func startCollector(t *testing.T) *collector {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{addr: l.Addr().String(), srv: grpc.NewServer()}
	collectorpb.RegisterTraceServiceServer(c.srv, c)
	go c.srv.Serve(l) //nolint:errcheck // ends with Stop
	t.Cleanup(c.srv.Stop)
	return c
}

func (c *collector) Export(_ context.Context, req *collectorpb.ExportTraceServiceRequest) (*collectorpb.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		res := attrMap(rs.GetResource().GetAttributes())
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				c.spans = append(c.spans, span{
					name: s.GetName(), node: res["service.instance.id"], service: res["service.name"],
					trace: hex.EncodeToString(s.GetTraceId()), id: hex.EncodeToString(s.GetSpanId()),
					parent: hex.EncodeToString(s.GetParentSpanId()), attrs: attrMap(s.GetAttributes()),
					errored: s.GetStatus().GetCode() == 2, // STATUS_CODE_ERROR
					start:   time.Unix(0, int64(s.GetStartTimeUnixNano())), end: time.Unix(0, int64(s.GetEndTimeUnixNano())),
				})
			}
		}
	}
	return &collectorpb.ExportTraceServiceResponse{}, nil
}

func attrMap(kvs []*commonpb.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		v := kv.GetValue()
		switch x := v.GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			m[kv.GetKey()] = x.StringValue
		case *commonpb.AnyValue_IntValue:
			m[kv.GetKey()] = strconv.FormatInt(x.IntValue, 10)
		case *commonpb.AnyValue_BoolValue:
			if x.BoolValue {
				m[kv.GetKey()] = "true"
			} else {
				m[kv.GetKey()] = "false"
			}
		}
	}
	return m
}

// received is a copy of the spans so far.
func (c *collector) received() []span {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]span(nil), c.spans...)
}

// waitFor polls until found reports true on the spans received, for at
// most 20 s.
func (c *collector) waitFor(t *testing.T, what string, found func([]span) bool) []span {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		spans := c.received()
		if found(spans) {
			return spans
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s among the %d spans received: %v", what, len(spans), names(spans))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func names(spans []span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.name)
	}
	return out
}
