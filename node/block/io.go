package block

import (
	"errors"
	"fmt"

	"github.com/garagego/garage/node/cluster"
)

// IOKind is a disk operation the manager asks the driver to perform.
type IOKind uint8

const (
	IOWrite      IOKind = iota + 1 // store Data (Compressed or not) under Hash; a no-op if present
	IORead                         // read the block under Hash
	IOStat                         // does the block exist?
	IOVerify                       // read and re-hash the block: Err is ErrCorrupt on mismatch
	IODelete                       // remove every copy
	IOQuarantine                   // move a corrupt block aside
	IOList                         // up to Limit stored hashes strictly after After (all when First)
)

func (k IOKind) String() string {
	switch k {
	case IOWrite:
		return "write"
	case IORead:
		return "read"
	case IOStat:
		return "stat"
	case IOVerify:
		return "verify"
	case IODelete:
		return "delete"
	case IOQuarantine:
		return "quarantine"
	case IOList:
		return "list"
	}
	return fmt.Sprintf("io(%d)", uint8(k))
}

// IORequest is one disk operation. The driver performs the requests of a
// Ready once that Ready's records are durable, in any order and
// concurrently, and answers each with an IOResult carrying its ID.
type IORequest struct {
	ID         uint64
	Kind       IOKind
	Hash       cluster.Hash
	Data       []byte // IOWrite: the block as stored
	Compressed bool   // IOWrite
	After      cluster.Hash
	First      bool // IOList: start from the beginning
	Limit      int  // IOList
}

// IOResult answers an IORequest.
type IOResult struct {
	ID         uint64
	Err        error
	Data       []byte // IORead
	Compressed bool   // IORead
	Present    bool   // IOStat
	Hashes     []cluster.Hash
}

// Errors drivers report (wrapped or not).
var (
	ErrNotFound = errors.New("block not found")
	ErrCorrupt  = errors.New("block corrupt")
)
