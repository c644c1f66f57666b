// Package s3api serves the S3 API over HTTP: it routes a request to its
// operation, authenticates it with Signature V4, checks the key's rights
// on the bucket, and runs the operation on the node through a Backend (the
// runtime server), streaming bodies in both directions.
//
// Only protocol work lives here: parsing, signatures, checksums, XML and
// headers. What an operation does to the cluster (quorum reads and writes,
// blocks, multipart bookkeeping) is the deterministic core's, reached
// through Backend.Do and the streaming helpers of the runtime server.
package s3api
