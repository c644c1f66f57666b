// Package httpapi is the HTTP plumbing the node's APIs share: the S3 API
// (s3api) and the K2V API (k2vapi). It holds what both do alike and
// nothing either does alone:
//
//   - Serve runs an API's handler with the server-side timeouts (Timeouts)
//     that bound slow and vanished clients;
//   - Response wraps a request's http.ResponseWriter so that every request
//     ends with a status of the API's own, and a stalled reader cannot hold
//     a handler; ClientBody reads a request body under the same bounds;
//   - SigV4 authenticates a request signed with AWS Signature V4 for one
//     service ("s3", "k2v") and region, looking its access key up through
//     the node (Doer), and wraps the body in the checks its signature
//     calls for (VerifiedBody); ResolveBucket finds the bucket a name means
//     to that key.
//
// Errors a client causes are *s3err.Error values, the node's one catalogue
// of protocol errors with their HTTP statuses; each API renders them in its
// own format (S3's XML, K2V's JSON).
package httpapi
