// Package policy parses and evaluates S3 bucket policies: the JSON subset
// real deployments use (Version; Statement, one or a list; Sid; Effect;
// Principal as "*", {"AWS": ...} or {"CanonicalUser": ...} naming key
// ids; Action/NotAction and Resource/NotResource with wildcards; the
// string, numeric, IP, Bool and Null condition operators with the
// ForAnyValue/ForAllValues qualifiers and IfExists, on the condition keys
// this store can fill in). Anything else is refused with MalformedPolicy
// naming the problem, never silently ignored: a policy whose meaning is
// not what the store enforces must not be accepted.
//
// Evaluate gives a policy's verdict on one request: Deny if a Deny
// statement matches (it overrides everything), else Allow if an Allow
// statement matches, else NoMatch (implicit deny). Combining the verdict
// with keys' rights and ACLs is the caller's.
package policy
