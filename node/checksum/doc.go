// Package checksum is the arithmetic of S3's additional checksums: the
// algorithms an object's integrity can be checked with (CRC-32, CRC-32C,
// CRC-64/NVME, SHA-1, SHA-256, SHA-512, MD5), how their values are written
// (base64 of the big-endian digest), which of them a multipart upload may
// combine into a COMPOSITE or a FULL_OBJECT checksum, and the combining
// itself: a composite checksum is the digest of the parts' digests, a full
// object CRC is the CRC of the whole object, computed from the parts' CRCs
// and lengths alone (FullObjectOf).
//
// Deterministic and free of I/O: both the S3 layer, which checks what
// clients send, and the object core, which combines the recorded parts'
// checksums when an upload completes, use it.
package checksum
