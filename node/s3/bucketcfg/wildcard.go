package bucketcfg

import "strings"

// wildcardMatch reports whether s matches pattern, where pattern holds at
// most one '*' standing for any run of characters (validation guarantees
// the count; a second '*' would be taken literally).
func wildcardMatch(pattern, s string) bool {
	before, after, found := strings.Cut(pattern, "*")
	if !found {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}
