package checker

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
)

// Stamp is the version stamp the store assigns to a write. Stamps are opaque
// and totally ordered by plain byte-wise string comparison. The empty stamp
// means "never written" and is smaller than every real stamp.
type Stamp string

// String renders a stamp for humans: printable ASCII as is, anything else as
// hex, and the empty stamp as "initial".
func (s Stamp) String() string {
	if s == "" {
		return "initial"
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return "0x" + hex.EncodeToString([]byte(s))
		}
	}
	return string(s)
}

// Kind is the type of a client operation.
type Kind uint8

// Operation kinds. The zero Kind is invalid so that an Op built without one
// is reported instead of being mistaken for a Put.
const (
	Put Kind = iota + 1
	Delete
	Get
	Range
	// DeleteVersion removes one version of Key, Op.Version, for good (S3's
	// DeleteObject with a versionId); the key's other versions stay.
	DeleteVersion
	// ListVersions lists every version of Key, newest first (S3's
	// ListObjectVersions, over one key).
	ListVersions
)

func (k Kind) String() string {
	switch k {
	case Put:
		return "put"
	case Delete:
		return "delete"
	case Get:
		return "get"
	case Range:
		return "range"
	case DeleteVersion:
		return "delete-version"
	case ListVersions:
		return "list-versions"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// isWrite reports whether k creates a new version of a key.
func (k Kind) isWrite() bool { return k == Put || k == Delete }

// Outcome is what the client learned about an operation.
type Outcome uint8

// Operation outcomes. The zero Outcome is invalid so that an Op built without
// one is reported instead of being mistaken for an acknowledged operation.
const (
	// OK: the store acknowledged the operation; its results are valid.
	OK Outcome = iota + 1
	// Unknown: the operation may or may not have taken effect (timeout,
	// crash). Its results are not known.
	Unknown
	// Failed: the store rejected the operation and it had no effect.
	Failed
)

func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Unknown:
		return "unknown"
	case Failed:
		return "failed"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Key addresses one register of the store.
type Key struct {
	Partition string
	Sort      string
}

func (k Key) String() string {
	return quoteIfNeeded(k.Partition) + "/" + quoteIfNeeded(k.Sort)
}

// compare orders keys by partition, then sort key.
func (k Key) compare(other Key) int {
	if c := cmp.Compare(k.Partition, other.Partition); c != 0 {
		return c
	}
	return cmp.Compare(k.Sort, other.Sort)
}

// Entry is one live item returned by a Range.
type Entry struct {
	Sort  string
	Value string
	Stamp Stamp
}

// VersionEntry is one version a ListVersions listed.
type VersionEntry struct {
	Version string
	Stamp   Stamp
	Value   string // the value of a data version; "" for a delete marker
	Marker  bool
}

// Op is one client operation of a history.
type Op struct {
	ID     int // unique across the history
	Client int // zero-based client id
	Kind   Kind
	Key    Key    // Put, Delete, Get; a Range uses only Key.Partition
	Value  string // Put: the value written; Get: the value read ("" when not found)
	Found  bool   // Get: whether a live value was found; DeleteVersion: whether the store found the version
	// Copy marks a Put that writes again a value another Put wrote (an
	// object copied to another key): its value is not new, and it must
	// read back as that value for as long as nothing overwrites it.
	Copy bool
	// Locked marks a Put whose version is created under an object lock
	// that outlasts the history (a COMPLIANCE retention): no deletion by
	// id may remove it.
	Locked bool
	// Version is, for a Put or a Delete of a versioned store, the id of the
	// version it creates (a delete marker, for a Delete), known from the
	// call on; "" when the store keeps no versions, and then no version
	// property applies to the write. For a DeleteVersion it is the version
	// removed; for a Get, the version read by id ("" for the current one).
	Version string
	// Versions is what a ListVersions listed, newest first.
	Versions []VersionEntry
	// Stamp is, for Put and Delete, the stamp assigned (meaningful only when
	// Outcome is OK) and, for Get, the stamp of what was read (a tombstone's
	// stamp when not found, "" when never written).
	Stamp Stamp

	// Range parameters: sort keys in [Start, End); End "" is unbounded.
	Start, End string
	Limit      int     // at most this many entries; 0 means no limit
	Entries    []Entry // live entries, sorted by Sort
	More       bool    // the result was cut short
	Next       string  // when More, the result covers [Start, Next) only

	// Call and Return are global, strictly increasing event sequence
	// numbers with Call < Return. An Unknown op may have Return = MaxInt64.
	Call, Return int64
	Outcome      Outcome
}

// History is a recorded sequence of client operations, in any order.
type History []Op

// String names the operation for messages: kind, id, client and interval.
func (op Op) String() string {
	return fmt.Sprintf("%s #%d (client %d, seq %d..%s)",
		op.Kind, op.ID, op.Client, op.Call, formatSeq(op.Return))
}

// describeWrite names a write, what it wrote and what is known of its stamp.
func describeWrite(op Op) string {
	var what string
	if op.Kind == Put {
		what = fmt.Sprintf(" of %q", op.Value)
	}
	switch op.Outcome {
	case OK:
		return fmt.Sprintf("%v%s @%v", op, what, op.Stamp)
	case Unknown:
		return fmt.Sprintf("%v%s (outcome unknown)", op, what)
	}
	return fmt.Sprintf("%v%s (%v)", op, what, op.Outcome)
}

// describeRead names what a Get returned.
func describeRead(op Op) string {
	switch {
	case op.Found:
		return fmt.Sprintf("%v read %q @%v", op, op.Value, op.Stamp)
	case op.Stamp != "":
		return fmt.Sprintf("%v read a tombstone @%v", op, op.Stamp)
	}
	return fmt.Sprintf("%v read nothing (never written)", op)
}

func formatSeq(seq int64) string {
	if seq == math.MaxInt64 {
		return "inf"
	}
	return strconv.FormatInt(seq, 10)
}

// quoteIfNeeded leaves plain names readable and quotes anything that could
// be confused with the separator or is not printable.
func quoteIfNeeded(s string) string {
	if s == "" {
		return `""`
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' || s[i] == '/' || s[i] == '"' {
			return strconv.Quote(s)
		}
	}
	return s
}
