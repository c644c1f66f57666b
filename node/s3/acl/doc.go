// Package acl holds S3's access control lists and the two bucket settings
// that govern them: object ownership (which can switch ACLs off) and the
// public access block. It parses what clients send (canned ACL names,
// x-amz-grant-* headers, AccessControlPolicy, OwnershipControls and
// PublicAccessBlockConfiguration documents), says which S3 actions a grant
// allows, and encodes all of it canonically for storage. It knows nothing
// of keys or buckets: grantees are key ids (the canonical user id of a key
// is its id) or the two global groups.
package acl
