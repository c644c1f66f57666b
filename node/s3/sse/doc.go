// Package sse is the pure half of S3 server-side encryption. It reads and
// checks a request's encryption headers (SSE-C customer keys, their
// copy-source twins, x-amz-server-side-encryption), keeps the parameters
// stored with an encrypted object (a salted digest of a customer key, the
// object's data key wrapped by the customer key or the cluster's master
// key), derives keys, and seals and opens an object's blocks with
// AES-256-GCM, each bound to its position in the object.
//
// It draws no randomness and reads no clock: data keys, salts and nonces
// come from the caller (the runtime, which reads crypto/rand).
package sse
