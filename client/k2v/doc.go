// Package k2v is a client for Garage's K2V API: a key/key/value store
// whose items (a partition key, a sort key and opaque values) keep
// concurrent writes as siblings instead of picking a winner. It speaks
// the wire format of Garage's specification (doc/drafts/k2v-spec.md) and
// of Garage's own Rust client, so it works against Garage as well as this
// re-creation: JSON bodies with base64 values, causality tokens in the
// X-Garage-Causality-Token header, requests signed with AWS SigV4 for the
// service "k2v".
//
// A read returns every concurrent value of an item (nil for a tombstone)
// with a causality token. Writing with that token supersedes the values
// that were read; writing without one adds a sibling. An application
// resolves siblings by merging them and writing the merge back with the
// token of the read that returned them.
//
// Usage:
//
//	c, err := k2v.New(k2v.Config{
//		Endpoint:        "http://127.0.0.1:3904",
//		AccessKeyID:     "GK...",
//		SecretAccessKey: "...",
//		Bucket:          "my-bucket",
//	})
//	if err != nil {
//		return err
//	}
//	if err := c.InsertItem(ctx, "mailboxes", "INBOX", []byte("hello"), ""); err != nil {
//		return err
//	}
//	values, token, err := c.ReadItem(ctx, "mailboxes", "INBOX")
//	if errors.Is(err, k2v.ErrNotFound) {
//		// never written, or deleted and collected
//	}
//	merged := mergeSiblings(values) // the application's rule
//	err = c.InsertItem(ctx, "mailboxes", "INBOX", merged, token)
//
// Credentials come only from Config: the client never reads AWS_*
// environment variables or files.
package k2v
