// Package tracing exports the node's OpenTelemetry traces over OTLP when
// `[admin] trace_sink` is set, as Garage does.
//
// New builds one node's tracer provider from the sink (gRPC for a plain
// host:port or a URL without a path, OTLP/HTTP for a URL with one, such as
// http://collector:4318/v1/traces); Shutdown flushes what is buffered when
// the node stops. The provider is the node's own, never installed as
// OpenTelemetry's global one: several nodes share a test process, and
// nothing else in the process is traced by accident.
//
// What is traced, and where:
//   - every request to the S3, K2V, website and admin APIs is one server
//     span, started by httpapi.Serve (which honours an incoming W3C
//     traceparent) and named after the endpoint the API routed to;
//   - every core operation the request runs (server.Do) is a child span;
//   - every RPC that operation causes, found through the causal request id
//     the core stamps on its messages (rpc.Message.Cause), is a child span
//     of the operation, from the hand-off to the transport to the answer.
//
// With no sink, New returns nil and nothing is traced: the APIs serve
// unwrapped handlers and the server allocates nothing for tracing.
package tracing
