// Package sigv4 authenticates S3 requests signed with AWS Signature Version
// 4: the Authorization header, presigned URLs, browser POST policies, and the
// aws-chunked bodies whose chunks carry their own chained signatures.
//
// Everything here is pure: the caller passes the request as plain values,
// the secret it looked up for the access key, the configured region and the
// current time, and reads bodies through the io.Reader wrappers this package
// returns. Every failure a client can cause is an *s3err.Error.
package sigv4
