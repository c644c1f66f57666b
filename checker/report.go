package checker

import (
	"fmt"
	"slices"
	"strings"
)

// ReportedViolations bounds how many violations Report.String prints in
// full, so that the summary fits on one screen.
const ReportedViolations = 8

// Report is the verdict on one history.
type Report struct {
	Ops        int         // operations checked
	Violations []Violation // grouped by property, in the order of the Property constants
}

// Check runs every history check (well-formed, read-after-write, no-phantom,
// write-order, listing, versions-listed, version-read) over h. The result
// is deterministic: the same history always gives the same report.
func Check(h History) Report {
	ix := newIndex(h)
	var all []Violation
	all = append(all, CheckWellFormed(h)...)
	all = append(all, ix.readAfterWrite()...)
	all = append(all, ix.noPhantom()...)
	all = append(all, ix.writeOrder()...)
	all = append(all, ix.listing()...)
	all = append(all, ix.checkVersions()...)
	return Report{Ops: len(h), Violations: all}
}

// Ok reports whether no property was violated.
func (r Report) Ok() bool { return len(r.Violations) == 0 }

// Count returns how many violations of p the report holds.
func (r Report) Count(p Property) int {
	n := 0
	for _, v := range r.Violations {
		if v.Property == p {
			n++
		}
	}
	return n
}

// Keys returns the distinct keys with violations, sorted: the keys to pass
// to Visualize.
func (r Report) Keys() []Key {
	keys := make([]Key, 0, len(r.Violations))
	for _, v := range r.Violations {
		keys = append(keys, v.Key)
	}
	slices.SortFunc(keys, Key.compare)
	return slices.Compact(keys)
}

// String is a one-screen summary: the verdict, the count per violated
// property and the first few violations in full.
func (r Report) String() string {
	var b strings.Builder
	if r.Ok() {
		fmt.Fprintf(&b, "checker: %d ops, no violations\n", r.Ops)
		return b.String()
	}
	fmt.Fprintf(&b, "checker: %d ops, %d violations\n", r.Ops, len(r.Violations))
	for _, p := range r.properties() {
		fmt.Fprintf(&b, "  %-18s %d\n", p, r.Count(p))
	}
	shown := min(len(r.Violations), ReportedViolations)
	fmt.Fprintf(&b, "first %d:\n", shown)
	for _, v := range r.Violations[:shown] {
		fmt.Fprintf(&b, "  %v\n", v)
	}
	return b.String()
}

// properties lists the violated properties: known ones in report order,
// then any others by name.
func (r Report) properties() []Property {
	var out []Property
	for _, p := range properties {
		if r.Count(p) > 0 {
			out = append(out, p)
		}
	}
	var others []Property
	for _, v := range r.Violations {
		if !slices.Contains(properties, v.Property) && !slices.Contains(others, v.Property) {
			others = append(others, v.Property)
		}
	}
	slices.Sort(others)
	return append(out, others...)
}
