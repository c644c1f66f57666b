package admin

import (
	"fmt"
	"slices"
	"strings"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/layout"
)

func (s *Service) status(now cluster.Time) ClusterStatus {
	h := s.members.Layout()
	cur := h.Current()
	st := ClusterStatus{Self: s.self.Hex(), LayoutVersion: cur.Number}
	for _, p := range s.members.Peers() {
		ns := NodeStatus{
			ID: p.ID.Hex(), Hostname: p.Info.Hostname, Addr: p.Addr, Up: p.Up(now, s.statusInterval),
			LastSeenSecs: -1, LayoutVersion: p.LayoutVersion, Version: p.Info.Version,
			DataAvail: p.Info.DataAvail, DataTotal: p.Info.DataTotal, MetaAvail: p.Info.MetaAvail, MetaTotal: p.Info.MetaTotal,
		}
		if p.Self {
			ns.LastSeenSecs = 0
		} else if p.LastSeen != 0 {
			ns.LastSeenSecs = int64(now.Sub(p.LastSeen).Seconds())
		}
		// The address a node advertises is where it listens; the one the
		// transport saw may be the ephemeral port of a connection it dialled.
		if ns.Addr = p.Info.RPCAddr; ns.Addr == "" {
			ns.Addr = p.Addr
		}
		if m, ok := cur.Member(p.ID); ok {
			ns.HasRole, ns.Zone, ns.Capacity, ns.Gateway, ns.Tags = true, m.Zone, m.Capacity, m.Gateway, m.Tags
		} else {
			ns.Draining = inOlderVersion(h, p.ID)
		}
		st.Nodes = append(st.Nodes, ns)
	}
	return st
}

// inOlderVersion reports whether id has a role in a live layout version
// other than the current one.
func inOlderVersion(h *layout.History, id cluster.NodeID) bool {
	cur := h.Current()
	for _, v := range h.Versions {
		if v.Number == cur.Number {
			continue
		}
		if _, ok := v.Member(id); ok {
			return true
		}
	}
	return false
}

func (s *Service) layoutInfo() LayoutInfo {
	h := s.members.Layout()
	cur := h.Current()
	info := LayoutInfo{Version: cur.Number, ReplicationFactor: cur.ReplicationFactor, ZoneRedundancy: cur.ZoneRedundancy, Roles: roles(cur)}
	for _, v := range h.Versions {
		info.LiveVersions = append(info.LiveVersions, v.Number)
	}
	info.ReadVersion = h.ReadVersion().Number
	for _, c := range h.Staged() {
		info.Staged = append(info.Staged, StagedRole{ID: c.ID.Hex(), Remove: c.Remove, Zone: c.Role.Zone, Capacity: c.Role.Capacity, Gateway: c.Role.Gateway, Tags: c.Role.Tags})
	}
	if zr, ok := h.StagedZoneRedundancy(); ok {
		info.StagedZoneRedundancy = &zr
	}
	if rf, ok := h.StagedReplicationFactor(); ok {
		info.StagedReplicationFactor = &rf
	}
	if h.HasStaged() {
		if v, report, err := h.Preview(); err != nil {
			info.PreviewError = err.Error()
		} else {
			info.Preview = roles(v)
			info.PreviewReport = report.Messages
		}
	}
	return info
}

func roles(v *layout.Version) []RoleInfo {
	counts := v.PartitionCount()
	out := make([]RoleInfo, 0, len(v.Members))
	for i, m := range v.Members {
		out = append(out, RoleInfo{ID: m.ID.Hex(), Zone: m.Zone, Capacity: m.Capacity, Gateway: m.Gateway, Tags: m.Tags, Partitions: counts[i]})
	}
	return out
}

// layoutChange applies change to the gossiped layout history and answers
// with the resulting layout.
func (s *Service) layoutChange(now cluster.Time, done Done, change func(*layout.History, crdt.Stamp) error) {
	stamp := s.stamp(now, s.newestStagingStamp())
	if err := s.members.UpdateLayout(now, func(h *layout.History) error { return change(h, stamp) }); err != nil {
		done(now, nil, err)
		return
	}
	done(now, s.layoutInfo(), nil)
}

func (s *Service) newestStagingStamp() crdt.Stamp {
	st := s.members.Layout().Staging
	newest := st.ZoneRedundancy.Stamp
	for _, k := range st.Roles.Keys() {
		if r := st.Roles.Get(k); r.Stamp.Compare(newest) > 0 {
			newest = r.Stamp
		}
	}
	return newest
}

// resolveNode finds the one known node whose id starts with prefix.
func (s *Service) resolveNode(h *layout.History, prefix string) (cluster.NodeID, error) {
	prefix = strings.ToLower(prefix)
	var candidates []cluster.NodeID
	for _, p := range s.members.Peers() {
		candidates = append(candidates, p.ID)
	}
	for _, c := range h.Staged() {
		candidates = append(candidates, c.ID)
	}
	slices.SortFunc(candidates, cluster.NodeID.Compare)
	candidates = slices.Compact(candidates)
	var matches []cluster.NodeID
	for _, id := range candidates {
		if strings.HasPrefix(id.Hex(), prefix) {
			matches = append(matches, id)
		}
	}
	switch {
	case prefix == "":
		return cluster.NodeID{}, fmt.Errorf("%w: empty node id", ErrInvalid)
	case len(matches) == 0:
		if id, err := cluster.ParseNodeID(prefix); err == nil {
			return id, nil // a full id of a node not met yet
		}
		return cluster.NodeID{}, notFound("node", prefix)
	case len(matches) > 1:
		return cluster.NodeID{}, fmt.Errorf("%w: node id prefix %q matches %d nodes", ErrAmbiguous, prefix, len(matches))
	}
	return matches[0], nil
}

func (s *Service) assign(h *layout.History, stamp crdt.Stamp, op AssignRole) error {
	if len(op.Nodes) == 0 {
		return fmt.Errorf("%w: no node given", ErrInvalid)
	}
	if op.Gateway && op.Capacity != 0 {
		return fmt.Errorf("%w: a gateway has no capacity", ErrInvalid)
	}
	for _, prefix := range op.Nodes {
		id, err := s.resolveNode(h, prefix)
		if err != nil {
			return err
		}
		role := s.currentRole(h, id)
		if op.Zone != "" {
			role.Zone = op.Zone
		}
		switch {
		case op.Gateway:
			role.Gateway, role.Capacity = true, 0
		case op.Capacity != 0:
			role.Gateway, role.Capacity = false, op.Capacity
		}
		if op.Tags != nil {
			role.Tags = op.Tags
		}
		if err := role.Validate(); err != nil {
			return fmt.Errorf("%w: node %s: %v (give -z ZONE and -c CAPACITY, or -g for a gateway)", ErrInvalid, id, err)
		}
		if err := h.StageRole(stamp, id, role); err != nil {
			return err
		}
	}
	return nil
}

// currentRole is node id's role with staged changes applied, if any.
func (s *Service) currentRole(h *layout.History, id cluster.NodeID) layout.Role {
	for _, c := range h.Staged() {
		if c.ID == id && !c.Remove {
			return c.Role
		}
	}
	if m, ok := h.Current().Member(id); ok {
		return m.Role
	}
	return layout.Role{}
}

func (s *Service) remove(h *layout.History, stamp crdt.Stamp, op RemoveRole) error {
	id, err := s.resolveNode(h, op.Node)
	if err != nil {
		return err
	}
	return h.StageRemove(stamp, id)
}

func configure(h *layout.History, stamp crdt.Stamp, op ConfigLayout) error {
	if op.ZoneRedundancy == nil && op.ReplicationFactor == nil {
		return fmt.Errorf("%w: nothing to configure", ErrInvalid)
	}
	if op.ZoneRedundancy != nil {
		if err := h.StageZoneRedundancy(stamp, *op.ZoneRedundancy); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	if op.ReplicationFactor != nil {
		if err := h.StageReplicationFactor(stamp, *op.ReplicationFactor); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	return nil
}

func revert(h *layout.History, stamp crdt.Stamp) error {
	if !h.HasStaged() {
		return layout.ErrNothingStaged
	}
	h.Revert(stamp)
	return nil
}

// layoutHistory reports the live versions and each node's trackers.
func (s *Service) layoutHistory(now cluster.Time) LayoutHistory {
	h := s.members.Layout()
	out := LayoutHistory{Current: h.Current().Number, ReadVersion: h.ReadVersion().Number}
	for _, v := range h.Versions {
		lv := LiveVersion{Number: v.Number, ReplicationFactor: v.ReplicationFactor}
		for _, m := range v.Members {
			if !m.Gateway {
				lv.StorageNodes++
			} else {
				lv.Gateways++
			}
		}
		out.Versions = append(out.Versions, lv)
	}
	up := s.upNodes(now)
	for _, id := range h.Nodes() {
		out.Nodes = append(out.Nodes, NodeTrackers{ID: id.Hex(), Up: up[id],
			Ack: h.Trackers.Ack.Get(id), Sync: h.Trackers.Sync.Get(id), SyncAck: h.Trackers.SyncAck.Get(id)})
	}
	return out
}

// skipDeadNodes lets the layout move on without nodes that are down: their
// trackers are raised to version as if they had acknowledged it (and synced
// it, with AllowMissingData: writes only they held may be lost).
func (s *Service) skipDeadNodes(now cluster.Time, h *layout.History, op SkipDeadNodes) error {
	if op.Version == 0 || op.Version > h.Current().Number {
		return fmt.Errorf("%w: version %d is not a live layout version (current is %d)", ErrInvalid, op.Version, h.Current().Number)
	}
	up := s.upNodes(now)
	skipped := 0
	for _, id := range h.Nodes() {
		if up[id] {
			continue
		}
		skipped++
		h.Trackers.Ack.Raise(id, op.Version)
		h.Trackers.SyncAck.Raise(id, op.Version)
		if op.AllowMissingData {
			h.Trackers.Sync.Raise(id, op.Version)
		}
	}
	if skipped == 0 {
		return fmt.Errorf("%w: every node is up: nothing to skip", ErrInvalid)
	}
	h.Prune()
	return nil
}

// upNodes tells, for every known node, whether it is up.
func (s *Service) upNodes(now cluster.Time) map[cluster.NodeID]bool {
	up := map[cluster.NodeID]bool{}
	for _, p := range s.members.Peers() {
		up[p.ID] = p.Up(now, s.statusInterval)
	}
	return up
}
