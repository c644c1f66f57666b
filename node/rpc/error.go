package rpc

import (
	"errors"

	"github.com/garagego/garage/node/wire"
)

// KindError is the body of a response reporting that a request failed.
const KindError Kind = 0x0001

// Error is the body of a failed response.
type Error struct{ Message string }

func (Error) Kind() Kind               { return KindError }
func (b Error) Encode(e *wire.Encoder) { e.String(b.Message) }
func (b Error) Error() string          { return b.Message }
func decodeError(d *wire.Decoder) Body { return Error{Message: d.String()} }
func init()                            { Register(KindError, "Error", decodeError) }

// Errors a call can end with.
var (
	// ErrTimeout: the deadline passed before every node set reached quorum.
	ErrTimeout = errors.New("quorum not reached before the deadline")
	// ErrQuorum: too many nodes of one set failed for it to reach quorum.
	ErrQuorum = errors.New("quorum unreachable: too many nodes failed")
)
