package layout

import (
	"cmp"
	"fmt"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
)

// Role is what an operator assigns to a node: its zone and either a storage
// capacity or the gateway role (no data, only an entry point for requests).
type Role struct {
	Zone     string
	Capacity uint64 // bytes of data storage; 0 for a gateway
	Gateway  bool
	Tags     []string
}

// Validate rejects roles that cannot take part in a layout.
func (r Role) Validate() error {
	if r.Zone == "" {
		return fmt.Errorf("role: zone is empty")
	}
	if r.Gateway && r.Capacity != 0 {
		return fmt.Errorf("role: a gateway has no capacity (got %d)", r.Capacity)
	}
	if !r.Gateway && r.Capacity == 0 {
		return fmt.Errorf("role: a storage node needs a capacity > 0")
	}
	return nil
}

// Member is a node with its role in a layout version.
type Member struct {
	ID cluster.NodeID
	Role
}

func compareMembers(a, b Member) int { return cmp.Compare(string(a.ID[:]), string(b.ID[:])) }

func (m Member) encode(e *wire.Encoder) {
	e.Raw(m.ID[:])
	e.String(m.Zone)
	e.Uvarint(m.Capacity)
	e.Bool(m.Gateway)
	e.Uvarint(uint64(len(m.Tags)))
	for _, t := range m.Tags {
		e.String(t)
	}
}

func decodeMember(d *wire.Decoder) Member {
	var m Member
	d.Fixed(m.ID[:])
	m.Zone = d.String()
	m.Capacity = d.Uvarint()
	m.Gateway = d.Bool()
	n := d.Len(1)
	for range n {
		m.Tags = append(m.Tags, d.String())
	}
	return m
}
