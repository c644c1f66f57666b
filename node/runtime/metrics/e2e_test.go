package metrics_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/garagego/garage/internal/localcluster"
	"github.com/garagego/garage/node/runtime/adminapi"
)

// The cluster of these tests: node 0 has a metrics_token, node 1 requires
// a token without having one (metrics_require_token), node 2 is open.
const metricsToken = "the-metrics-token"

// series are the samples of one scrape: name → samples.
type series map[string][]sample

type sample struct {
	labels map[string]string
	value  float64
}

// sum adds the samples of name whose labels include match.
func (s series) sum(name string, match ...string) float64 {
	var total float64
	for _, x := range s[name] {
		ok := true
		for i := 0; i+1 < len(match); i += 2 {
			if x.labels[match[i]] != match[i+1] {
				ok = false
			}
		}
		if ok {
			total += x.value
		}
	}
	return total
}

// flatten turns the parsed families into samples named as the exposition
// names them (a histogram x gives x_bucket, x_sum and x_count).
func flatten(fams map[string]*dto.MetricFamily) series {
	out := series{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[name] = append(out[name], sample{labels, m.GetCounter().GetValue()})
			case dto.MetricType_GAUGE:
				out[name] = append(out[name], sample{labels, m.GetGauge().GetValue()})
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				out[name+"_count"] = append(out[name+"_count"], sample{labels, float64(h.GetSampleCount())})
				out[name+"_sum"] = append(out[name+"_sum"], sample{labels, h.GetSampleSum()})
				for _, b := range h.GetBucket() {
					bl := map[string]string{"le": fmt.Sprint(b.GetUpperBound())}
					for k, v := range labels {
						bl[k] = v
					}
					out[name+"_bucket"] = append(out[name+"_bucket"], sample{bl, float64(b.GetCumulativeCount())})
				}
			default:
				out[name] = append(out[name], sample{labels, m.GetUntyped().GetValue()})
			}
		}
	}
	return out
}

type env struct {
	t testing.TB
	c *localcluster.Cluster
}

func startEnv(t testing.TB) *env {
	c, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: t.TempDir(),
		TuneAdmin: func(i int, cfg *adminapi.Config) {
			switch i {
			case 0:
				cfg.MetricsToken = metricsToken
			case 1:
				cfg.MetricsRequireToken = true
			}
		}})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close cluster: %v", err)
		}
	})
	return &env{t: t, c: c}
}

// get sends a GET to the node's admin API with bearer (none if "").
func (e *env) getMetrics(node int, bearer string) (int, []byte) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.c.Nodes[node].AdminEndpoint+"/metrics", nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("GET /metrics on node %d: %v", node, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, body
}

// scrape reads and parses one node's exposition, with the token its rules
// accept.
func (e *env) scrape(node int) series {
	e.t.Helper()
	token := ""
	switch node {
	case 0:
		token = metricsToken
	case 1:
		token = e.c.Nodes[1].AdminToken
	}
	status, body := e.getMetrics(node, token)
	if status != http.StatusOK {
		e.t.Fatalf("scrape node %d: %d %s", node, status, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		e.t.Fatalf("parse node %d's exposition: %v\n%s", node, err, body)
	}
	return flatten(fams)
}

func (e *env) scrapeAll() []series {
	var out []series
	for i := range e.c.Nodes {
		out = append(out, e.scrape(i))
	}
	return out
}

// signed sends a request signed for service ("s3" or "k2v").
func (e *env) signed(method, url, service string, body []byte, host string) int {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, err := e.send(ctx, method, url, service, body, host)
	if err != nil {
		e.t.Fatal(err)
	}
	return status
}

// send is signed for any goroutine: it answers the status or an error.
func (e *env) send(ctx context.Context, method, url, service string, body []byte, host string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if host != "" {
		req.Host = host
	}
	if service != "" {
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		req.Header.Set("X-Amz-Content-Sha256", hash)
		creds := aws.Credentials{AccessKeyID: e.c.KeyID, SecretAccessKey: e.c.Secret}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hash, service, localcluster.Region, time.Now()); err != nil {
			return 0, err
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func (e *env) wantStatus(got, want int, what string) {
	e.t.Helper()
	if got != want {
		e.t.Fatalf("%s: status %d, want %d", what, got, want)
	}
}

// traffic sends S3, K2V, website and admin requests to node 0, errors
// included, so that every request series has samples.
func (e *env) traffic() {
	n := e.c.Nodes[0]
	data := bytes.Repeat([]byte("metrics "), 40<<10) // 320 KiB: stored in blocks, not inline
	for i := range 3 {
		e.wantStatus(e.signed(http.MethodPut, fmt.Sprintf("%s/%s/obj%d", n.Endpoint, e.c.Bucket, i), "s3", data, ""), 200, "PutObject")
		e.wantStatus(e.signed(http.MethodGet, fmt.Sprintf("%s/%s/obj%d", n.Endpoint, e.c.Bucket, i), "s3", nil, ""), 200, "GetObject")
	}
	e.wantStatus(e.signed(http.MethodGet, n.Endpoint+"/"+e.c.Bucket+"/missing", "s3", nil, ""), 404, "GetObject of a missing key")
	e.wantStatus(e.signed(http.MethodPut, n.K2VEndpoint+"/"+e.c.Bucket+"/pk?sort_key=sk", "k2v", []byte("v"), ""), 204, "InsertItem")
	e.wantStatus(e.signed(http.MethodGet, n.K2VEndpoint+"/"+e.c.Bucket+"/pk?sort_key=missing", "k2v", nil, ""), 404, "ReadItem of a missing item")
	e.wantStatus(e.signed(http.MethodGet, n.WebEndpoint+"/", "", nil, e.c.Bucket+localcluster.WebRootDomain), 404, "website of a bucket without one")
	e.wantStatus(e.signed(http.MethodGet, n.AdminEndpoint+"/v2/NoSuchEndpoint", "", nil, ""), 400, "unknown admin endpoint")
}

func TestMetricsEndToEnd(t *testing.T) {
	e := startEnv(t)
	t.Run("TokenRules", e.testTokenRules)
	t.Run("TrafficMovesSeries", e.testTraffic)
	t.Run("DashboardSeriesExposed", e.testDashboard)
}

// testTokenRules checks Garage's rules: with metrics_token set, it or the
// admin token is needed; with metrics_require_token alone, an admin
// token; otherwise /metrics is open.
func (e *env) testTokenRules(t *testing.T) {
	admin := e.c.Nodes[0].AdminToken
	cases := []struct {
		node   int
		bearer string
		want   int
	}{
		{0, "", http.StatusForbidden},
		{0, "wrong", http.StatusForbidden},
		{0, metricsToken, http.StatusOK},
		{0, admin, http.StatusOK},
		{1, "", http.StatusForbidden},
		{1, metricsToken, http.StatusForbidden},
		{1, admin, http.StatusOK},
		{2, "", http.StatusOK},
	}
	for _, c := range cases {
		got, body := e.getMetrics(c.node, c.bearer)
		if got != c.want {
			t.Errorf("node %d, bearer %q: %d, want %d (%.200s)", c.node, c.bearer, got, c.want, body)
		}
		if got == http.StatusOK && !bytes.Contains(body, []byte("garage_build_info{version=\""+localcluster.Version+"\"} 1")) {
			t.Errorf("node %d: the exposition lacks garage_build_info:\n%.500s", c.node, body)
		}
	}
}

func (e *env) testTraffic(t *testing.T) {
	before := e.scrapeAll()
	// The cluster is healthy once every node has seen every other's
	// status; the setup does not wait for that.
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; i < len(before); i++ {
		for before[i].sum("cluster_healthy") != 1 && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			before[i] = e.scrape(i)
		}
	}
	for i, s := range before {
		for name, want := range map[string]float64{"cluster_healthy": 1, "cluster_available": 1, "cluster_connected_nodes": 3,
			"cluster_known_nodes": 3, "cluster_storage_nodes": 3, "cluster_storage_nodes_ok": 3, "cluster_partitions": 256,
			"cluster_partitions_quorum": 256, "cluster_partitions_all_ok": 256, "garage_replication_factor": 3} {
			if got := s.sum(name); got != want {
				t.Errorf("node %d: %s = %v, want %v", i, name, got, want)
			}
		}
		if v := s.sum("cluster_layout_version"); v < 1 {
			t.Errorf("node %d: cluster_layout_version = %v, want ≥ 1", i, v)
		}
		if v := s.sum("cluster_layout_node_connected"); v != 3 || len(s["cluster_layout_node_connected"]) != 3 {
			t.Errorf("node %d: cluster_layout_node_connected: %v", i, s["cluster_layout_node_connected"])
		}
		if v := s.sum("garage_local_disk_total", "volume", "data"); v <= 0 {
			t.Errorf("node %d: garage_local_disk_total{volume=data} = %v", i, v)
		}
		if v := s.sum("table_entries", "table_name", "buckets"); v < 1 {
			t.Errorf("node %d: table_entries{table_name=buckets} = %v, want the cluster's bucket: %v", i, v, s["table_entries"])
		}
	}
	e.traffic()
	after := e.scrapeAll()
	moved := func(node int, name string, atLeast float64, match ...string) {
		t.Helper()
		if d := after[node].sum(name, match...) - before[node].sum(name, match...); d < atLeast {
			t.Errorf("node %d: %s%v moved by %v, want ≥ %v", node, name, match, d, atLeast)
		}
	}
	moved(0, "api_s3_request_counter", 3, "api_endpoint", "PutObject")
	moved(0, "api_s3_request_counter", 4, "api_endpoint", "GetObject")
	moved(0, "api_s3_error_counter", 1, "api_endpoint", "GetObject", "status_code", "404")
	// Each of those looked up its key and bucket (from node 0's copy once
	// anti-entropy has made it fresh, with a quorum until then).
	moved(0, "api_key_bucket_lookups", 6)
	moved(0, "api_s3_request_duration_count", 3, "api_endpoint", "PutObject")
	moved(0, "api_k2v_request_counter", 1, "api_endpoint", "InsertItem")
	moved(0, "api_k2v_error_counter", 1, "api_endpoint", "ReadItem", "status_code", "404")
	moved(0, "web_request_counter", 1, "method", "GET")
	moved(0, "web_error_counter", 1, "method", "GET", "status_code", "404 Not Found")
	moved(0, "api_admin_request_counter", 1, "api_endpoint", "Metrics")
	moved(0, "api_admin_error_counter", 1, "api_endpoint", "Unknown", "status_code", "400")
	moved(0, "rpc_request_counter", 1)
	moved(0, "rpc_duration_count", 1)
	for i := range after {
		// Replication factor 3: every node stores every block.
		moved(i, "block_bytes_written", 3*320<<10)
		moved(i, "block_write_duration_count", 3)
		moved(i, "table_entries", 3, "table_name", "objects")
		if after[i].sum("block_resync_errored_blocks") != 0 {
			t.Errorf("node %d: block_resync_errored_blocks = %v", i, after[i].sum("block_resync_errored_blocks"))
		}
	}
	var read float64
	for i := range after {
		read += after[i].sum("block_bytes_read") - before[i].sum("block_bytes_read")
	}
	if read < 3*320<<10 {
		t.Errorf("block_bytes_read moved by %v over the cluster, want ≥ %v", read, 3*320<<10)
	}
	if s := after[0]["rpc_request_counter"]; len(s) == 0 || s[0].labels["from"] != e.c.Nodes[0].Server.ID().String() {
		t.Errorf("rpc_request_counter's from label: %v, want node 0's id", s)
	}
}

// dashboardPath is the Grafana dashboard shipped with the repository.
const dashboardPath = "../../../deploy/grafana/garage-dashboard.json"

// dashboardExprs returns every PromQL expression of the dashboard's panels.
func dashboardExprs(t *testing.T) []string {
	raw, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("parse %s: %v", dashboardPath, err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			if tg.Expr == "" {
				t.Errorf("panel %q has a target without an expression", p.Title)
			}
			exprs = append(exprs, tg.Expr)
		}
	}
	return exprs
}

var (
	promStrings   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promMatchers  = regexp.MustCompile(`\{[^}]*\}`)
	promRanges    = regexp.MustCompile(`\[[^\]]*\]`)
	promGrouping  = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promIdent     = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*\s*\(?`)
	promOperators = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true}
)

// metricNames extracts the metric names a PromQL expression reads: the
// identifiers left once strings, label matchers, ranges and grouping
// clauses are removed, that are not functions or operators.
func metricNames(expr string) []string {
	e := promStrings.ReplaceAllString(expr, `""`)
	e = promMatchers.ReplaceAllString(e, " ")
	e = promRanges.ReplaceAllString(e, " ")
	e = promGrouping.ReplaceAllString(e, " ")
	var names []string
	for _, m := range promIdent.FindAllString(e, -1) {
		if strings.HasSuffix(m, "(") {
			continue // a function or aggregation
		}
		if m = strings.TrimSpace(m); !promOperators[m] {
			names = append(names, m)
		}
	}
	return names
}

func TestMetricNames(t *testing.T) {
	got := metricNames(`histogram_quantile(0.99, sum by (le, api_endpoint) (rate(api_s3_request_duration_bucket{instance=~"$instance", x="a{b}"}[$__rate_interval]))) / on (instance) garage_local_disk_total`)
	if want := []string{"api_s3_request_duration_bucket", "garage_local_disk_total"}; !slices.Equal(got, want) {
		t.Errorf("metricNames: %v, want %v", got, want)
	}
}

// testDashboard checks that every series the dashboard reads is exposed
// by a node that served traffic, and that every series of this package
// is on the dashboard: neither can drift from the other.
func (e *env) testDashboard(t *testing.T) {
	e.traffic()
	exposed := map[string]bool{}
	for _, s := range e.scrapeAll() {
		for name := range s {
			exposed[name] = true
		}
	}
	used := map[string]bool{}
	for _, expr := range dashboardExprs(t) {
		names := metricNames(expr)
		if len(names) == 0 {
			t.Errorf("no metric read by %q", expr)
		}
		for _, n := range names {
			used[n] = true
			if !exposed[n] {
				t.Errorf("the dashboard reads %s (in %q), which no node exposes", n, expr)
			}
		}
	}
	if len(used) < 50 {
		t.Errorf("only %d series found on the dashboard: is the extraction broken?", len(used))
	}
	var missing []string
	for name := range exposed {
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") || strings.HasPrefix(name, "promhttp_") {
			continue
		}
		base := name
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(name, suffix); ok && exposed[b+"_bucket"] {
				base = b
			}
		}
		if !used[base] && !used[base+"_bucket"] && !used[base+"_sum"] && !used[base+"_count"] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("series exposed but not on the dashboard: %v", missing)
	}
}
