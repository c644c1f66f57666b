// Package metrics is a node's Prometheus exposition, served by the admin
// API at GET /metrics.
//
// Each node has its own registry (tests run several nodes in one
// process). Three kinds of series feed it:
//
//   - request series (api_s3_*, api_k2v_*, api_admin_*, web_*), observed
//     by the HTTP APIs through httpapi.Observer as each request finishes;
//   - runtime series (block_bytes_*, block_*_duration, rpc_*), observed by
//     the server's I/O workers and transport through server.Observer;
//   - the core's own counters and the cluster's health, read at scrape
//     time through admin operations run on the node's loop (the core
//     keeps plain counters; it never sees this package).
//
// Names and labels are Garage's where Garage has the series
// (doc/book/reference-manual/monitoring.md); the others are named in the
// same style and listed in Series.
package metrics
