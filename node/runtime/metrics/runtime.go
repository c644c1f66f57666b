package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

// rpcTimeout is how long a request may wait for its answer before it is
// counted in rpc_timeout_counter. The core gives up on its own schedule
// (table.Config.RequestTimeout, 30 s by default); this only bounds what
// the tracker remembers.
const rpcTimeout = time.Minute

// Runtime observes the server's block I/O and RPCs: a server.Observer.
type Runtime struct {
	bytesRead, bytesWritten prometheus.Counter
	readErrors, writeErrors prometheus.Counter
	readTime, writeTime     prometheus.Observer

	rpcRequests, rpcErrors, rpcTimeouts *prometheus.CounterVec
	rpcDuration                         *prometheus.HistogramVec

	mu      sync.Mutex
	self    string
	pending map[callKey]pendingCall
	peers   map[rpcSeriesKey]*rpcSeries
	names   map[cluster.NodeID]string
	swept   time.Time
}

// callKey names a request in flight: a call to several peers sends the
// same id to each.
type callKey struct {
	to cluster.NodeID
	id uint64
}

type pendingCall struct {
	s     *rpcSeries
	start time.Time
}

type rpcSeriesKey struct {
	to   cluster.NodeID
	kind rpc.Kind
}

// rpcSeries are one (endpoint, peer)'s series, resolved once.
type rpcSeries struct {
	requests, errors, timeouts prometheus.Counter
	duration                   prometheus.Observer
}

func newRuntime(reg *prometheus.Registry) *Runtime {
	counter := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
		reg.MustRegister(c)
		return c
	}
	histogram := func(name, help string) prometheus.Observer {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: prometheus.DefBuckets})
		reg.MustRegister(h)
		return h
	}
	rpcLabels := []string{"from", "rpc_endpoint", "to"}
	r := &Runtime{
		bytesRead:    counter("block_bytes_read", "Bytes read from the data directories (as stored)."),
		bytesWritten: counter("block_bytes_written", "Bytes written to the data directories (as stored)."),
		readErrors:   counter("block_read_error_counter", "Block reads that failed (missing, corrupt, disk error)."),
		writeErrors:  counter("block_write_error_counter", "Block writes that failed (full or failing disk)."),
		readTime:     histogram("block_read_duration", "Duration of local block reads, in seconds."),
		writeTime:    histogram("block_write_duration", "Duration of local block writes, in seconds."),
		rpcRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rpc_request_counter",
			Help: "RPC requests sent to other nodes."}, rpcLabels),
		rpcErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rpc_netapp_error_counter",
			Help: "RPC requests the transport could not send (peer unreachable, queue full)."}, rpcLabels),
		rpcTimeouts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rpc_timeout_counter",
			Help: "RPC requests not answered within a minute."}, rpcLabels),
		rpcDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rpc_duration",
			Help: "Time from sending an RPC request to its answer, in seconds.", Buckets: prometheus.DefBuckets}, rpcLabels),
		pending: map[callKey]pendingCall{},
		peers:   map[rpcSeriesKey]*rpcSeries{},
		names:   map[cluster.NodeID]string{},
	}
	reg.MustRegister(r.rpcRequests, r.rpcErrors, r.rpcTimeouts, r.rpcDuration)
	return r
}

// SetSelf names this node in the rpc_* series' from label.
func (r *Runtime) SetSelf(id cluster.NodeID) {
	r.mu.Lock()
	r.self = id.String()
	r.mu.Unlock()
}

// BlockIO counts one local block read or write.
func (r *Runtime) BlockIO(write bool, bytes int, took time.Duration, err error) {
	switch {
	case write && err != nil:
		r.writeErrors.Inc()
	case write:
		r.bytesWritten.Add(float64(bytes))
		r.writeTime.Observe(took.Seconds())
	case err != nil:
		r.readErrors.Inc()
	default:
		r.bytesRead.Add(float64(bytes))
		r.readTime.Observe(took.Seconds())
	}
}

// RPCSent counts a request, and remembers it until its answer.
func (r *Runtime) RPCSent(to cluster.NodeID, id uint64, kind rpc.Kind, err error) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.seriesLocked(to, kind)
	s.requests.Inc()
	if err != nil {
		s.errors.Inc()
		return
	}
	r.pending[callKey{to, id}] = pendingCall{s: s, start: now}
	if len(r.pending) > 1<<16 || now.Sub(r.swept) > rpcTimeout {
		r.sweepLocked(now)
	}
}

// RPCAnswered times the request id answered by from.
func (r *Runtime) RPCAnswered(from cluster.NodeID, id uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := callKey{from, id}
	p, ok := r.pending[k]
	if !ok {
		return
	}
	delete(r.pending, k)
	p.s.duration.Observe(time.Since(p.start).Seconds())
}

// sweep counts the requests waiting longer than rpcTimeout as timed out,
// and forgets them.
func (r *Runtime) sweep() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sweepLocked(time.Now())
}

func (r *Runtime) sweepLocked(now time.Time) {
	r.swept = now
	for k, p := range r.pending {
		if now.Sub(p.start) > rpcTimeout {
			p.s.timeouts.Inc()
			delete(r.pending, k)
		}
	}
}

func (r *Runtime) seriesLocked(to cluster.NodeID, kind rpc.Kind) *rpcSeries {
	k := rpcSeriesKey{to, kind}
	if s := r.peers[k]; s != nil {
		return s
	}
	name, ok := r.names[to]
	if !ok {
		name = to.String()
		r.names[to] = name
	}
	labels := []string{r.self, rpc.KindName(kind), name}
	s := &rpcSeries{requests: r.rpcRequests.WithLabelValues(labels...), errors: r.rpcErrors.WithLabelValues(labels...),
		timeouts: r.rpcTimeouts.WithLabelValues(labels...), duration: r.rpcDuration.WithLabelValues(labels...)}
	r.peers[k] = s
	return s
}
