// Package k2vapi serves Garage's K2V API over HTTP: the item endpoints
// (ReadItem, PollItem, InsertItem, DeleteItem), the index (ReadIndex) and
// the batch endpoints (InsertBatch, ReadBatch, DeleteBatch, PollRange),
// with Garage's wire format — paths, query parameters, JSON bodies, the
// X-Garage-Causality-Token header, statuses and JSON error bodies — so
// that existing K2V clients work unchanged.
//
// Requests are signed with AWS Signature V4 for the service "k2v" and the
// S3 region, by the same keys as the S3 API, with the same bucket names
// and rights (read for reads, write for writes, as Garage's router
// classifies each endpoint). The shared HTTP plumbing (signatures,
// timeouts, the response wrapper) is httpapi's.
//
// Only protocol work lives here; each endpoint runs one or a few K2V
// operations of node/k2v (ops.go) on the node through Backend.Do.
package k2vapi
