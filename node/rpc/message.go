package rpc

import (
	"fmt"
	"sort"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
)

// Kind names a message body type on the wire.
type Kind uint16

// Body is the payload of a message. Each body type has a Kind registered
// with a decoder; the set of kinds is closed and known at start-up.
type Body interface {
	Kind() Kind
	Encode(*wire.Encoder)
}

// Message is the envelope every node-to-node message travels in.
type Message struct {
	From, To cluster.NodeID
	// ID correlates a response with its request; 0 for one-way messages.
	ID uint64
	// Response marks a reply to the request with the same ID from To.
	Response bool
	Body     Body
	// Cause is the id of the client request (node.Request.ID) whose
	// handling queued this message, 0 if none (timers, peers' requests).
	// It stays on this node: it is never encoded, so a message off the
	// wire has none. Drivers use it to attribute RPCs to requests
	// (tracing); the core only carries it.
	Cause uint64
}

func (m Message) String() string {
	dir := "req"
	if m.Response {
		dir = "resp"
	}
	return fmt.Sprintf("%s->%s %s#%d %s", m.From, m.To, dir, m.ID, KindName(m.Body.Kind()))
}

type registration struct {
	name   string
	decode func(*wire.Decoder) Body
}

var registry = map[Kind]registration{}

// Register makes kind decodable. Packages call it from init; a duplicate
// kind is a programming error and panics at start-up.
func Register(kind Kind, name string, decode func(*wire.Decoder) Body) {
	if r, dup := registry[kind]; dup {
		panic(fmt.Sprintf("rpc: kind %#04x registered twice (%s, %s)", kind, r.name, name))
	}
	registry[kind] = registration{name: name, decode: decode}
}

// KindName is the registered name of kind.
func KindName(kind Kind) string {
	if r, ok := registry[kind]; ok {
		return r.name
	}
	return fmt.Sprintf("kind%#04x", uint16(kind))
}

// Kinds lists the registered kinds in order.
func Kinds() []Kind {
	kinds := make([]Kind, 0, len(registry))
	for k := range registry {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	return kinds
}

// Encode serialises m.
func (m Message) Encode(e *wire.Encoder) {
	e.Raw(m.From[:])
	e.Raw(m.To[:])
	e.Uvarint(m.ID)
	e.Bool(m.Response)
	e.Uvarint(uint64(m.Body.Kind()))
	m.Body.Encode(e)
}

// DecodeMessage parses a message, refusing unknown kinds and any byte
// left over, so a peer speaking garbage gets an error, never a panic.
func DecodeMessage(b []byte) (Message, error) {
	d := wire.NewDecoder(b)
	var m Message
	d.Fixed(m.From[:])
	d.Fixed(m.To[:])
	m.ID = d.Uvarint()
	m.Response = d.Bool()
	kind := Kind(d.Uvarint())
	if err := d.Err(); err != nil {
		return Message{}, fmt.Errorf("rpc: message header: %w", err)
	}
	r, ok := registry[kind]
	if !ok {
		return Message{}, fmt.Errorf("rpc: unknown message kind %#04x", uint16(kind))
	}
	m.Body = r.decode(d)
	if err := d.Finish(); err != nil {
		return Message{}, fmt.Errorf("rpc: %s body: %w", r.name, err)
	}
	return m, nil
}
