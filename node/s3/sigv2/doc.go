// Package sigv2 authenticates S3 requests signed with AWS Signature
// Version 2, as older tools and SDKs in V2 mode send them: the
// "Authorization: AWS AKID:signature" header, presigned URLs
// (AWSAccessKeyId, Expires and Signature in the query) and browser POST
// forms whose policy is signed with HMAC-SHA1.
//
// A V2 signature is the HMAC-SHA1, under the key's secret itself, of the
// method, Content-MD5, Content-Type, the date (or a presigned URL's
// expiry), the x-amz-* headers and the resource: the bucket, the path as
// sent and the sub-resources AWS lists. It covers neither the body, which
// only a Content-MD5 protects, nor a region.
//
// Everything here is pure: the caller passes the request as plain values,
// the bucket it addressed, the secret of the access key and the current
// time. Every failure a client can cause is an *s3err.Error.
package sigv2
