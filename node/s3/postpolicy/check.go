package postpolicy

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// Check checks a form against the policy at time now. fields are the form
// fields before the file, names lowercased, with ${filename} already
// expanded, plus "bucket" (from the URL) and "key". Every field must satisfy
// the conditions on it and be covered by at least one of them, except the
// ones AWS exempts: policy, x-amz-signature, file, x-ignore-*, SigV2's
// awsaccesskeyid and signature, and bucket, which the caller adds whether
// or not the form had it.
func (p Policy) Check(fields map[string]string, now time.Time) error {
	if now.After(p.Expiration) {
		return denied("Policy expired.")
	}
	form := make(map[string]string, len(fields))
	for _, name := range sortedKeys(fields) {
		lower := strings.ToLower(name)
		if _, seen := form[lower]; !seen {
			form[lower] = fields[name]
		}
	}
	covered := make(map[string]bool)
	for _, c := range p.Conditions {
		if !c.holds(form) {
			return denied("Policy Condition failed: %s", c.text)
		}
		if c.Op != OpContentLengthRange {
			covered[c.Field] = true
		}
	}
	var extra []string
	for _, name := range sortedKeys(form) {
		if !covered[name] && !exempt(name) {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		return denied("Extra input fields: %s", strings.Join(extra, ", "))
	}
	return nil
}

// ContentLengthRange returns the bounds the policy puts on the file size,
// inclusive, intersecting them if it has several; ok is false if it has
// none.
func (p Policy) ContentLengthRange() (lo, hi int64, ok bool) {
	lo, hi = 0, math.MaxInt64
	for _, c := range p.Conditions {
		if c.Op == OpContentLengthRange && !c.unsatisfiable {
			lo, hi, ok = max(lo, c.Min), min(hi, c.Max), true
		}
	}
	return lo, hi, ok
}

// holds reports whether the form meets c. A field that is absent fails
// even a starts-with "" condition, as it does in S3. The file size is the
// caller's to check, so a size range holds here if it is well formed.
func (c Condition) holds(form map[string]string) bool {
	if c.unsatisfiable {
		return false
	}
	if c.Op == OpContentLengthRange {
		return true
	}
	v, ok := form[c.Field]
	switch {
	case !ok:
		return false
	case c.Op == OpEq:
		return v == c.Value
	case c.Field == "content-type":
		// A Content-Type list must match element by element.
		for _, t := range strings.Split(v, ",") {
			if !strings.HasPrefix(strings.TrimSpace(t), c.Value) {
				return false
			}
		}
		return true
	}
	return strings.HasPrefix(v, c.Value)
}

func exempt(field string) bool {
	switch field {
	case "policy", "x-amz-signature", "file", "awsaccesskeyid", "signature", "bucket":
		return true
	}
	return strings.HasPrefix(field, "x-ignore-")
}

func denied(format string, args ...any) error {
	return s3err.New(s3err.AccessDenied, "Invalid according to Policy: "+format, args...)
}

// sortedKeys returns the keys of m in order, for walks whose order shows.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
