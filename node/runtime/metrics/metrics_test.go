package metrics

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

func TestRPCTracking(t *testing.T) {
	n := New("test")
	r := n.Runtime
	a, b := cluster.NodeID{1}, cluster.NodeID{2}
	r.SetSelf(cluster.NodeID{9})
	const kind = rpc.Kind(0x0101)
	name := rpc.KindName(kind)
	// One call to two peers shares its id: both answers are timed.
	r.RPCSent(a, 7, kind, nil)
	r.RPCSent(b, 7, kind, nil)
	r.RPCAnswered(a, 7)
	r.RPCAnswered(b, 7)
	r.RPCAnswered(b, 7) // a duplicate answer is not timed twice
	r.RPCAnswered(a, 8) // nor an answer to nothing
	if got := testutil.CollectAndCount(r.rpcDuration); got != 2 {
		t.Errorf("rpc_duration has %d series, want 2", got)
	}
	for _, peer := range []cluster.NodeID{a, b} {
		labels := []string{cluster.NodeID{9}.String(), name, peer.String()}
		if got := testutil.ToFloat64(r.rpcRequests.WithLabelValues(labels...)); got != 1 {
			t.Errorf("rpc_request_counter to %s = %v, want 1", peer, got)
		}
	}
	// A refused send is an error, and is not waited for.
	r.RPCSent(a, 9, kind, errors.New("not connected"))
	labels := []string{cluster.NodeID{9}.String(), name, a.String()}
	if got := testutil.ToFloat64(r.rpcErrors.WithLabelValues(labels...)); got != 1 {
		t.Errorf("rpc_netapp_error_counter = %v, want 1", got)
	}
	// An unanswered request counts as a timeout once it is old enough.
	r.RPCSent(a, 10, kind, nil)
	r.mu.Lock()
	k := callKey{a, 10}
	p := r.pending[k]
	p.start = time.Now().Add(-2 * rpcTimeout)
	r.pending[k] = p
	r.mu.Unlock()
	r.sweep()
	if got := testutil.ToFloat64(r.rpcTimeouts.WithLabelValues(labels...)); got != 1 {
		t.Errorf("rpc_timeout_counter = %v, want 1", got)
	}
	if len(r.pending) != 0 {
		t.Errorf("%d requests still tracked, want 0", len(r.pending))
	}
}

func TestAPIObserverLabels(t *testing.T) {
	n := New("test")
	n.S3.Observe("GetObject", 200, time.Millisecond)
	n.S3.Observe("GetObject", 404, time.Millisecond)
	n.S3.Observe("", 400, time.Millisecond)
	if got := testutil.ToFloat64(n.S3.requests.WithLabelValues("GetObject")); got != 2 {
		t.Errorf("api_s3_request_counter{GetObject} = %v, want 2", got)
	}
	if got := testutil.ToFloat64(n.S3.errors.WithLabelValues("GetObject", "404")); got != 1 {
		t.Errorf("api_s3_error_counter{GetObject,404} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(n.S3.errors.WithLabelValues("Unknown", "400")); got != 1 {
		t.Errorf("an unrouted request is not counted as Unknown: %v", got)
	}
	// The website's methods are bounded, and its statuses are Garage's.
	n.Web.Observe("BREW", 405, time.Millisecond)
	n.Web.Observe("GET", 404, time.Millisecond)
	if got := testutil.ToFloat64(n.Web.errors.WithLabelValues("OTHER", "405 Method Not Allowed")); got != 1 {
		t.Errorf("web_error_counter{OTHER,405 Method Not Allowed} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(n.Web.errors.WithLabelValues("GET", "404 Not Found")); got != 1 {
		t.Errorf("web_error_counter{GET,404 Not Found} = %v, want 1", got)
	}
	if got := testutil.CollectAndCount(n.Web.requests); got != 2 {
		t.Errorf("web_request_counter has %d series, want 2 (GET, OTHER)", got)
	}
}

// BenchmarkObserve measures what a request pays for its metrics.
func BenchmarkObserve(b *testing.B) {
	n := New("bench")
	b.ReportAllocs()
	for b.Loop() {
		n.S3.Observe("PutObject", 200, time.Millisecond)
	}
}
