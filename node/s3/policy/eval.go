package policy

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Decision is a policy's verdict on a request.
type Decision uint8

// The three verdicts.
const (
	NoMatch Decision = iota // no statement applies: implicitly denied
	Allowed
	Denied
)

func (d Decision) String() string { return [...]string{"no match", "allow", "deny"}[d] }

// Request is what a policy is evaluated against.
type Request struct {
	// Principal is the key id of a signed request, "" for an anonymous one.
	Principal string
	Action    string // "s3:GetObject"
	Resource  string // "arn:aws:s3:::bucket/key"
	// Context holds the condition keys' values (keys lowercased); a key
	// that is absent is not in the request.
	Context map[string][]string
}

// Evaluate returns Denied if a Deny statement matches r, else Allowed if
// an Allow statement does, else NoMatch.
func (p *Policy) Evaluate(r Request) Decision {
	verdict := NoMatch
	action := strings.ToLower(r.Action)
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect == Allow && verdict == Allowed {
			continue // only a Deny can change the verdict now
		}
		if !s.matches(r, action) {
			continue
		}
		if s.Effect == Deny {
			return Denied
		}
		verdict = Allowed
	}
	return verdict
}

func (s *Statement) matches(r Request, action string) bool {
	if !s.AnyPrincipal && (r.Principal == "" || !slices.Contains(s.Keys, r.Principal)) {
		return false
	}
	if anyMatch(s.Actions, action, true) == s.NotAction {
		return false
	}
	if anyMatch(s.Resources, r.Resource, false) == s.NotResource {
		return false
	}
	for i := range s.Conditions {
		if !s.Conditions[i].holds(r.Context) {
			return false
		}
	}
	return true
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if wildcardMatch(p, s, fold) {
			return true
		}
	}
	return false
}

// holds evaluates the condition on the request's context: a negated
// operator holds when no value matches (so also for an absent key), the
// others when one does; IfExists holds for an absent key; ForAllValues
// holds when every request value matches (vacuously for none),
// ForAnyValue when one does.
func (c *Condition) holds(ctx map[string][]string) bool {
	values, present := ctx[c.Key]
	if c.op.kind == opNull {
		return c.bools[0] == !present
	}
	if !present {
		if c.ifExists || c.qualifier == "ForAllValues" {
			return true
		}
		return c.op.negated
	}
	one := func(v string) bool { return c.matchesValue(v) != c.op.negated }
	switch c.qualifier {
	case "ForAllValues":
		for _, v := range values {
			if !one(v) {
				return false
			}
		}
		return true
	default: // ForAnyValue, and single-valued keys
		for _, v := range values {
			if one(v) {
				return true
			}
		}
		return false
	}
}

// matchesValue reports whether one request value matches any of the
// condition's values, before negation.
func (c *Condition) matchesValue(v string) bool {
	switch c.op.kind {
	case opString:
		for _, want := range c.Values {
			if v == want || (c.op.fold && strings.EqualFold(v, want)) {
				return true
			}
		}
	case opStringLike:
		for _, want := range c.Values {
			if wildcardMatch(want, v, false) {
				return true
			}
		}
	case opNumeric:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		for _, want := range c.numbers {
			if compare(f, c.op.cmp, want) {
				return true
			}
		}
	case opIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, p := range c.prefixes {
			if p.Contains(a) {
				return true
			}
		}
	case opBool:
		for _, want := range c.bools {
			if (v == "true") == want {
				return true
			}
		}
	}
	return false
}

func compare(a float64, cmp string, b float64) bool {
	switch cmp {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	}
	return a == b
}

// wildcardMatch matches s against pattern, where * is any run of
// characters and ? any one character; fold ignores case (ASCII).
// Iterative with one backtrack point, so linear in practice and never
// exponential.
func wildcardMatch(pattern, s string, fold bool) bool {
	eq := func(a, b byte) bool {
		if fold {
			a, b = lower(a), lower(b)
		}
		return a == b
	}
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || eq(pattern[p], s[i])):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// IsPublic reports whether the policy is public as S3 defines it: some
// Allow statement grants to every principal ("*") without a condition
// that pins the caller to fixed values. Of the condition keys this store
// knows, only aws:SourceIp with IpAddress does, and only with ranges no
// wider than an IPv4 /8 or an IPv6 /32.
func (p *Policy) IsPublic() bool {
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect == Allow && s.AnyPrincipal && !s.pinned() {
			return true
		}
	}
	return false
}

func (s *Statement) pinned() bool {
	for _, c := range s.Conditions {
		if c.Key != "aws:sourceip" || c.op.kind != opIP || c.op.negated || c.ifExists || c.qualifier != "" {
			continue
		}
		narrow := true
		for _, pr := range c.prefixes {
			if (pr.Addr().Is4() && pr.Bits() < 8) || (!pr.Addr().Is4() && pr.Bits() < 32) {
				narrow = false
			}
		}
		if narrow {
			return true
		}
	}
	return false
}
