package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Node is one node's metrics: its registry and the observers that feed it.
type Node struct {
	reg *prometheus.Registry
	// S3, K2V, Admin and Web observe the APIs' requests.
	S3, K2V, Admin, Web *API
	// Runtime observes block I/O and RPCs (a server.Observer).
	Runtime *Runtime
}

// New returns a node's metrics, with garage_build_info naming version.
func New(version string) *Node {
	reg := prometheus.NewRegistry()
	n := &Node{
		reg:   reg,
		S3:    newAPI(reg, "api_s3", "api_endpoint", "S3 API", statusCode),
		K2V:   newAPI(reg, "api_k2v", "api_endpoint", "K2V API", statusCode),
		Admin: newAPI(reg, "api_admin", "api_endpoint", "administration API", statusCode),
		Web:   newAPI(reg, "web", "method", "website endpoint", statusText),
	}
	n.Runtime = newRuntime(reg)
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "garage_build_info", Help: "The Garage version this node runs.", ConstLabels: prometheus.Labels{"version": version},
	}, func() float64 { return 1 }))
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return n
}

// Attach adds the series read at scrape time from src: the core's
// counters, the cluster's health, the layout and the local disks.
func (n *Node) Attach(src Source) {
	n.reg.MustRegister(&scrapeCollector{src: src, rpc: n.Runtime})
}

// Handler serves the exposition in Prometheus' text format.
func (n *Node) Handler() http.Handler {
	return promhttp.HandlerFor(n.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Registry is the node's registry, for tests.
func (n *Node) Registry() *prometheus.Registry { return n.reg }
