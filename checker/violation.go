package checker

import (
	"fmt"
	"strconv"
	"strings"
)

// Property names a checked property.
type Property string

// The properties this package checks, in report order.
const (
	WellFormed     Property = "well-formed"
	ReadAfterWrite Property = "read-after-write"
	NoPhantom      Property = "no-phantom"
	WriteOrder     Property = "write-order"
	Listing        Property = "listing"
	Convergence    Property = "convergence"
	MonotonicReads Property = "monotonic-reads"
	// Resurrection is the read-after-write violation where what was missed
	// is a deletion: a deleted value came back (a tombstone collected too
	// early, or never written where it had to be).
	Resurrection Property = "no-resurrection"
	// VersionsListed: a ListVersions of a key lists every version
	// acknowledged before it and not deleted by id, and none whose
	// deletion by id was acknowledged before it, each as written.
	VersionsListed Property = "versions-listed"
	// VersionRead: a Get by version id returns exactly that version (its
	// bytes, or its delete marker), or nothing once it was deleted by id.
	VersionRead Property = "version-read"
	// LockedKept: a version written under an object lock is never removed:
	// no DeleteVersion of it succeeds, and every ListVersions called after
	// its write was acknowledged lists it.
	LockedKept Property = "locked-kept"
)

// properties lists every property in report order.
var properties = []Property{WellFormed, ReadAfterWrite, Resurrection, NoPhantom, WriteOrder, Listing, VersionsListed, VersionRead, LockedKept, Convergence, MonotonicReads}

// Violation is one counterexample to a property.
type Violation struct {
	Property Property
	Key      Key    // the key concerned; for range bounds, only Partition
	Ops      []int  // IDs of the operations involved, the offending one first
	Message  string // names the ops, values, stamps and sequence numbers
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %v: %s", v.Property, v.Key, v.Message)
	if len(v.Ops) > 0 {
		b.WriteString(" (ops")
		for _, id := range v.Ops {
			b.WriteString(" #")
			b.WriteString(strconv.Itoa(id))
		}
		b.WriteString(")")
	}
	return b.String()
}
