// Package postpolicy reads the policy of a browser-based upload (S3's POST
// Object) and checks a form against it: the policy's expiration, its
// conditions on the form fields, and the rule that every field the form
// sends must be covered by some condition.
//
// The policy's signature is checked by sigv4.VerifyPostSignature; the
// uploaded file's size, against ContentLengthRange, by the caller, who alone
// sees the file.
package postpolicy
