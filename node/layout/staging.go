package layout

import (
	"errors"
	"fmt"
	"slices"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/wire"
)

// Staging is the set of changes an operator has staged on top of version
// Base: per node, a new role or a removal; optionally a new zone
// redundancy. It is a CRDT: stagings of the same base join register by
// register (the later write per node wins); a staging on a newer base
// replaces an older one, since applying a version consumes its staging.
type Staging struct {
	Base              uint64
	Roles             crdt.Map      // node id (hex) -> encoded stagedRole; a tombstone means "no change"
	ZoneRedundancy    crdt.Register // uvarint; a tombstone means "no change"
	ReplicationFactor crdt.Register // uvarint; a tombstone means "no change"
}

// StagedChange is one node's staged change, as shown by `layout show`.
type StagedChange struct {
	ID     cluster.NodeID
	Remove bool
	Role   Role
}

// ErrNothingStaged refuses to apply a layout with no staged change.
var ErrNothingStaged = errors.New("no staged layout change")

func (s *Staging) merge(o Staging) bool {
	switch {
	case o.Base < s.Base:
		return false
	case o.Base > s.Base:
		*s = o
		return true
	}
	before := s.encoded()
	s.Roles = s.Roles.Join(o.Roles)
	s.ZoneRedundancy = s.ZoneRedundancy.Join(o.ZoneRedundancy)
	s.ReplicationFactor = s.ReplicationFactor.Join(o.ReplicationFactor)
	return string(before) != string(s.encoded())
}

func (s Staging) encoded() []byte {
	e := wire.NewEncoder(nil)
	s.encode(e)
	return e.Bytes()
}

func (s Staging) encode(e *wire.Encoder) {
	e.Uvarint(s.Base)
	s.Roles.Encode(e)
	s.ZoneRedundancy.Encode(e)
	s.ReplicationFactor.Encode(e)
}

func decodeStaging(d *wire.Decoder) Staging {
	return Staging{Base: d.Uvarint(), Roles: crdt.DecodeMap(d), ZoneRedundancy: crdt.DecodeRegister(d), ReplicationFactor: crdt.DecodeRegister(d)}
}

// StageRole stages giving node id the role r.
func (h *History) StageRole(stamp crdt.Stamp, id cluster.NodeID, r Role) error {
	if err := r.Validate(); err != nil {
		return err
	}
	e := wire.NewEncoder(nil)
	e.Bool(false)
	(Member{ID: id, Role: r}).encode(e)
	h.Staging.Roles = h.Staging.Roles.Set(id.Hex(), crdt.Put(stamp, e.Bytes()))
	return nil
}

// StageRemove stages removing node id from the layout.
func (h *History) StageRemove(stamp crdt.Stamp, id cluster.NodeID) error {
	if _, ok := h.Current().Member(id); !ok {
		if _, staged := h.stagedRole(id); !staged {
			return fmt.Errorf("node %s has no role in the layout", id)
		}
	}
	h.Staging.Roles = h.Staging.Roles.Set(id.Hex(), crdt.Put(stamp, []byte{1}))
	return nil
}

// StageZoneRedundancy stages a zone redundancy (0 = maximum).
func (h *History) StageZoneRedundancy(stamp crdt.Stamp, zr int) error {
	if zr < 0 || zr > MaxReplication {
		return fmt.Errorf("zone redundancy %d out of [0, %d]", zr, MaxReplication)
	}
	e := wire.NewEncoder(nil)
	e.Uvarint(uint64(zr))
	h.Staging.ZoneRedundancy = h.Staging.ZoneRedundancy.Join(crdt.Put(stamp, e.Bytes()))
	return nil
}

// StageReplicationFactor stages a new replication factor: the next version
// places every partition on rf nodes. While both versions are live, writes
// reach a quorum of each.
func (h *History) StageReplicationFactor(stamp crdt.Stamp, rf int) error {
	if rf < MinReplication || rf > MaxReplication {
		return fmt.Errorf("replication factor %d out of [%d, %d]", rf, MinReplication, MaxReplication)
	}
	e := wire.NewEncoder(nil)
	e.Uvarint(uint64(rf))
	h.Staging.ReplicationFactor = h.Staging.ReplicationFactor.Join(crdt.Put(stamp, e.Bytes()))
	return nil
}

// StagedReplicationFactor returns the staged replication factor, if any.
func (h *History) StagedReplicationFactor() (int, bool) {
	r := h.Staging.ReplicationFactor
	if !r.Live() {
		return 0, false
	}
	return int(wire.NewDecoder(r.Value).Uvarint()), true
}

// Revert drops every staged change.
func (h *History) Revert(stamp crdt.Stamp) {
	for _, k := range h.Staging.Roles.Keys() {
		h.Staging.Roles = h.Staging.Roles.Set(k, crdt.Tombstone(stamp))
	}
	if h.Staging.ZoneRedundancy.Live() {
		h.Staging.ZoneRedundancy = h.Staging.ZoneRedundancy.Join(crdt.Tombstone(stamp))
	}
	if h.Staging.ReplicationFactor.Live() {
		h.Staging.ReplicationFactor = h.Staging.ReplicationFactor.Join(crdt.Tombstone(stamp))
	}
}

// HasStaged reports whether any change is staged.
func (h *History) HasStaged() bool {
	_, zr := h.StagedZoneRedundancy()
	_, rf := h.StagedReplicationFactor()
	return len(h.Staged()) > 0 || zr || rf
}

// Staged lists the staged changes, sorted by node id.
func (h *History) Staged() []StagedChange {
	var out []StagedChange
	for _, k := range h.Staging.Roles.Keys() {
		id, err := cluster.ParseNodeID(k)
		if err != nil {
			continue
		}
		if c, ok := h.stagedRole(id); ok {
			out = append(out, c)
		}
	}
	return out
}

// StagedZoneRedundancy returns the staged zone redundancy, if any.
func (h *History) StagedZoneRedundancy() (int, bool) {
	r := h.Staging.ZoneRedundancy
	if !r.Live() {
		return 0, false
	}
	return int(wire.NewDecoder(r.Value).Uvarint()), true
}

func (h *History) stagedRole(id cluster.NodeID) (StagedChange, bool) {
	r := h.Staging.Roles.Get(id.Hex())
	if !r.Live() {
		return StagedChange{}, false
	}
	d := wire.NewDecoder(r.Value)
	if remove := d.Bool(); remove || len(r.Value) == 1 {
		return StagedChange{ID: id, Remove: true}, d.Err() == nil
	}
	m := decodeMember(d)
	return StagedChange{ID: id, Role: m.Role}, d.Err() == nil
}

// Preview computes the version that applying the staged changes would
// give — the capacity-optimal assignment that moves the fewest partitions
// away from the current version — and the report explaining it.
func (h *History) Preview() (*Version, *Report, error) {
	if !h.HasStaged() {
		return nil, nil, ErrNothingStaged
	}
	cur := h.Current()
	members := slices.Clone(cur.Members)
	for _, c := range h.Staged() {
		members = slices.DeleteFunc(members, func(m Member) bool { return m.ID == c.ID })
		if !c.Remove {
			members = append(members, Member{ID: c.ID, Role: c.Role})
		}
	}
	zr, ok := h.StagedZoneRedundancy()
	if !ok {
		zr = cur.ZoneRedundancy
	}
	rf, ok := h.StagedReplicationFactor()
	if !ok {
		rf = cur.ReplicationFactor
	}
	previous := cur
	if cur.IsEmpty() {
		previous = nil
	}
	return AssignOptimal(cur.Number+1, previous, members, rf, zr)
}

// Apply turns the staged changes into version number, which must be the
// current version plus one (so two operators applying at once cannot both
// succeed silently), and makes it live alongside the current one.
func (h *History) Apply(number uint64) (*Version, error) {
	if want := h.Current().Number + 1; number != want {
		return nil, fmt.Errorf("layout apply: version %d requested, but the next version is %d", number, want)
	}
	v, _, err := h.Preview()
	if err != nil {
		return nil, err
	}
	h.Versions = append(h.Versions, v)
	h.Staging = Staging{Base: v.Number}
	h.retire()
	h.index()
	return v, nil
}
