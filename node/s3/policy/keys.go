package policy

import "strings"

// ExistingObjectTagPrefix is the condition key family of an object's
// tags (s3:ExistingObjectTag/<key>, lowercased as keys are): the caller
// fills it in for the requests that address an existing object.
const ExistingObjectTagPrefix = tagKeyPrefix

// UsesKeyPrefix reports whether a condition of p reads a key starting
// with prefix (lowercase), so that a caller fetches what that key needs
// only for the policies that look at it.
func (p *Policy) UsesKeyPrefix(prefix string) bool {
	for _, s := range p.Statements {
		for _, c := range s.Conditions {
			if strings.HasPrefix(c.Key, prefix) {
				return true
			}
		}
	}
	return false
}
