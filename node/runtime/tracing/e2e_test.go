package tracing_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/garagego/garage/internal/localcluster"
)

func s3Client(c *localcluster.Cluster, i int) *s3.Client {
	return s3.New(s3.Options{Region: localcluster.Region, BaseEndpoint: aws.String(c.Nodes[i].Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(c.KeyID, c.Secret, ""), HTTPClient: awshttp.NewBuildableClient()})
}

func flush(t *testing.T, c *localcluster.Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, n := range c.Nodes {
		if err := n.Tracing.Flush(ctx); err != nil {
			t.Fatalf("flush node %d: %v", i, err)
		}
	}
}

// TestTracesEndToEnd: a 3-node cluster exporting to an in-process OTLP
// collector. An S3 PUT is one server span named after its endpoint, with
// the core operations it ran as children and, under them, the RPCs they
// caused to both other nodes, all in one trace; an admin request honours
// the client's traceparent; a website request is traced too.
func TestTracesEndToEnd(t *testing.T) {
	col := startCollector(t)
	c, err := localcluster.Start(localcluster.Options{Dir: t.TempDir(), TraceSink: "http://" + col.addr})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	self, peers := c.Nodes[0].Server.ID().Hex(), []string{c.Nodes[1].Server.ID().Hex(), c.Nodes[2].Server.ID().Hex()}

	body := bytes.Repeat([]byte("traced "), 20000) // 140 kB: blocks, not inline
	if _, err := s3Client(c, 0).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(c.Bucket), Key: aws.String("traced/object"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	flush(t, c)
	var put span
	spans := col.waitFor(t, "S3 API PutObject span from node 0", func(spans []span) bool {
		for _, s := range spans {
			if s.name == "S3 API PutObject" && s.node == self {
				put = s
				return true
			}
		}
		return false
	})
	if put.parent != "" || put.service != "garage" {
		t.Errorf("PutObject span: parent %q, service %q; want a root span of service garage", put.parent, put.service)
	}
	for k, want := range map[string]string{"http.request.method": "PUT", "url.path": "/bucket/traced/object",
		"http.response.status_code": "200", "garage.endpoint": "PutObject"} {
		if put.attrs[k] != want {
			t.Errorf("PutObject span: %s = %q, want %q (attributes %v)", k, put.attrs[k], want, put.attrs)
		}
	}
	if n, _ := strconv.Atoi(put.attrs["http.request.body.size"]); n < len(body) {
		t.Errorf("PutObject span: request body size %d, want at least %d", n, len(body))
	}
	// Flushing again waits for nothing: every span of the request ended
	// before its response, except RPCs a quorum did not wait for; give
	// those a moment.
	time.Sleep(200 * time.Millisecond)
	flush(t, c)
	spans = col.received()
	ops := map[string]span{}
	for _, s := range spans {
		if s.trace == put.trace && s.parent == put.id && strings.HasPrefix(s.name, "Do ") {
			ops[s.id] = s
		}
	}
	if len(ops) == 0 {
		t.Fatalf("no core operation span under the PutObject span; trace has %v", names(inTrace(spans, put.trace)))
	}
	reached := map[string]int{}
	for _, s := range spans {
		if s.trace != put.trace || !strings.HasPrefix(s.name, "RPC ") {
			continue
		}
		if _, ok := ops[s.parent]; !ok {
			t.Errorf("RPC span %q is not a child of a core operation of the request", s.name)
		}
		if s.node != self {
			t.Errorf("RPC span %q exported by %s, want the calling node", s.name, s.node)
		}
		if s.attrs["garage.rpc.outcome"] == "ok" && !s.errored && s.attrs["garage.rpc.kind"] != "" && !s.end.Before(s.start) {
			reached[s.attrs["garage.rpc.peer"]]++
		}
	}
	// Calls started while handling a response are still the request's:
	// some operation (writing a block, then its reference) has an RPC
	// that began after another of its RPCs was answered.
	if !laterRound(spans, ops) {
		t.Error("no operation of the PutObject trace has an RPC started after another was answered: follow-up calls lost their cause")
	}
	for _, p := range peers {
		if reached[p] == 0 {
			t.Errorf("no successful RPC span to node %s in the PutObject trace; reached %v; trace %v", p[:16], reached, names(inTrace(spans, put.trace)))
		}
	}
	for _, s := range spans {
		if s.trace == put.trace && s.node != self {
			t.Errorf("span %q of node %s in the PutObject trace: peers do not join the caller's trace", s.name, s.node)
		}
	}

	// An admin request, with the client's trace context.
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.Nodes[1].AdminEndpoint+"/v2/GetClusterHealth", nil)
	req.Header.Set("Authorization", "Bearer "+c.Nodes[1].AdminToken)
	req.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GetClusterHealth: %s", resp.Status)
	}
	flush(t, c)
	col.waitFor(t, "admin span in the client's trace", func(spans []span) bool {
		for _, s := range spans {
			if s.name == "Admin API GetClusterHealth" && s.trace == traceID && s.parent == parentID && s.node == peers[0] &&
				s.attrs["url.path"] == "/v2/GetClusterHealth" && s.attrs["http.response.status_code"] == "200" {
				return true
			}
		}
		return false
	})

	// A website request (no website configured: a 404, traced all the same).
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, c.Nodes[2].WebEndpoint+"/index.html", nil)
	req.Host = c.Bucket + localcluster.WebRootDomain
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	flush(t, c)
	col.waitFor(t, "website span", func(spans []span) bool {
		for _, s := range spans {
			if s.name == "Web API GET" && s.node == peers[1] && s.attrs["http.response.status_code"] == strconv.Itoa(resp.StatusCode) {
				return true
			}
		}
		return false
	})
}

// TestNoSinkNoTracing: without a trace_sink a node has no provider,
// installs none globally, and serves as usual.
func TestNoSinkNoTracing(t *testing.T) {
	c, err := localcluster.Start(localcluster.Options{Dir: t.TempDir(), Nodes: 1})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if c.Nodes[0].Tracing != nil {
		t.Fatal("a node without trace_sink has a tracer provider")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s3Client(c, 0).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(c.Bucket), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if _, sdk := otel.GetTracerProvider().(*sdktrace.TracerProvider); sdk {
		t.Fatal("a tracer provider was installed globally")
	}
}

func inTrace(spans []span, trace string) []span {
	var out []span
	for _, s := range spans {
		if s.trace == trace {
			out = append(out, s)
		}
	}
	return out
}

// laterRound reports whether some operation in ops has an RPC span that
// started after another RPC span of the same operation ended.
func laterRound(spans []span, ops map[string]span) bool {
	byOp := map[string][]span{}
	for _, s := range spans {
		if _, ok := ops[s.parent]; ok && strings.HasPrefix(s.name, "RPC ") {
			byOp[s.parent] = append(byOp[s.parent], s)
		}
	}
	for _, rpcs := range byOp {
		for _, a := range rpcs {
			for _, b := range rpcs {
				if a.attrs["garage.rpc.id"] != b.attrs["garage.rpc.id"] && !b.start.Before(a.end) {
					return true
				}
			}
		}
	}
	return false
}
