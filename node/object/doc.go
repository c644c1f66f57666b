// Package object stores objects: the object, version, block-reference and
// multipart tables with the hooks that cascade between them, and the
// operations an API layer runs to put, get, list and delete objects.
//
// A put is a sequence of operations, so that object data streams through
// bounded memory: PutBegin stamps a new version (max(now, newest + 1), read
// with a quorum) and records it as uploading; PutBlock writes one block to
// its holders and records it in the version's block list and in the block
// references; PutComplete marks the version complete, which supersedes the
// older ones. Objects under InlineThreshold skip all that (PutInline).
//
// Superseded and aborted versions cascade through table hooks, run on every
// replica and carried by the persisted insert queue: the object table's hook
// deletes the dropped version's block list, the version table's hook marks
// its block references deleted, and the block-reference table's hook lowers
// the blocks' reference counts, after which the block manager collects them.
//
// A multipart upload (CreateMultipart) is an object version in the
// Uploading state marked multipart, plus an entry in the multipart table
// listing its part uploads. Each part upload is a version of its own
// (PutPartBegin, PutBlock, PutPartComplete); a part number uploaded again
// is kept beside the earlier upload, the one that finished last counting.
// CompleteMultipart copies the chosen parts' block lists into the upload's
// version entry, references the blocks from it, completes the object
// version and deletes the upload's entry, whose hook deletes every part
// upload's version (and so their references). AbortMultipart, and a newer
// complete version superseding the upload, end it the same way.
//
// Conditional writes (Condition) are judged as they commit, here in the
// core: see conditional.go.
//
// Deterministic core: version ids are drawn by the caller.
package object
