package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/garagego/garage/netsim"
	"github.com/garagego/garage/sim"
)

// A timeline entry is a mapping with `at` (virtual time since the clients
// started), exactly one event, and optionally `for` (undo the event after
// this long: heal a partition, uncut, restart, restore a link, unskew) and
// `repeat: {every, times}`.
var eventKinds = []string{"partition", "heal", "cut", "uncut", "crash", "restart", "skew", "slow_link", "restore_link",
	"lose_block", "corrupt_block", "wipe_disk", "lose_metadata", "add_node", "remove_node", "set_zone", "set_capacity", "replication", "layout_change"}

// timelineShape tells the timeline parser about the cluster.
type timelineShape struct {
	nodes, total, zones int
	net                 netsim.Config
}

func (d *decoder) timeline(n *yaml.Node, o *sim.Options) []sim.Fault {
	shape := timelineShape{nodes: o.Nodes, total: o.Nodes + o.Spares, zones: max(o.Zones, 1), net: o.Net}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "timeline", "want a list of events, got %s", describe(n))
		return nil
	}
	var out []sim.Fault
	fields := append([]string{"at", "for", "repeat"}, eventKinds...)
	for i, item := range n.Content {
		path := fmt.Sprintf("timeline[%d]", i)
		f := d.mapping(item, path, fields...)
		if f == nil {
			continue
		}
		var at time.Duration
		if v := f["at"]; v != nil {
			at = d.duration(v, path+".at", false)
		} else {
			d.errorf(item, path, "missing at: when the event happens")
		}
		var kinds []string
		for _, k := range eventKinds {
			if f[k] != nil {
				kinds = append(kinds, k)
			}
		}
		if len(kinds) != 1 {
			d.errorf(item, path, "want exactly one event (%s), got %d", strings.Join(eventKinds, ", "), len(kinds))
			continue
		}
		kind := kinds[0]
		events := d.event(f[kind], path+"."+kind, kind, shape)
		if v := f["for"]; v != nil {
			span := d.duration(v, path+".for", false)
			undo, ok := undoEvents(events)
			if !ok {
				d.errorf(v, path+".for", "only partition, cut, crash, slow_link and skew can be undone after a while")
			}
			for _, u := range undo {
				u.At = span
				events = append(events, u)
			}
		}
		every, times := time.Duration(0), 1
		if v := f["repeat"]; v != nil {
			r := d.mapping(v, path+".repeat", "every", "times")
			if r["every"] == nil || r["times"] == nil {
				d.errorf(v, path+".repeat", "want every (a duration) and times (a count)")
			} else {
				every = d.duration(r["every"], path+".repeat.every", false)
				times = d.integer(r["times"], path+".repeat.times", 1, 100000)
				if every <= 0 {
					d.errorf(r["every"], path+".repeat.every", "must be positive")
				}
			}
		}
		for rep := range times {
			for _, e := range events {
				e.At += at + time.Duration(rep)*every
				out = append(out, e)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b sim.Fault) int { return int(a.At - b.At) })
	return out
}

// undoEvents returns the events that undo events (with At 0 relative to
// the event), or false if one cannot be undone.
func undoEvents(events []sim.Fault) ([]sim.Fault, bool) {
	var out []sim.Fault
	for _, e := range events {
		switch e.Kind {
		case sim.Partition:
			out = append(out, sim.Fault{Kind: sim.Heal})
		case sim.Cut:
			out = append(out, sim.Fault{Kind: sim.Uncut, From: e.From, To: e.To})
		case sim.Crash:
			out = append(out, sim.Fault{Kind: sim.Restart, Node: e.Node})
		case sim.SlowLink:
			out = append(out, sim.Fault{Kind: sim.RestoreLink, From: e.From, To: e.To})
		case sim.Skew:
			out = append(out, sim.Fault{Kind: sim.Skew, Node: e.Node})
		default:
			return nil, false
		}
	}
	return out, true
}

// event decodes one event's value into the faults it stands for (a crash
// of several nodes is one fault per node).
func (d *decoder) event(v *yaml.Node, path, kind string, shape timelineShape) []sim.Fault {
	one := func(f sim.Fault) []sim.Fault { return []sim.Fault{f} }
	perNode := func(k sim.FaultKind) []sim.Fault {
		var out []sim.Fault
		for _, n := range d.nodeList(v, path, shape.total) {
			out = append(out, sim.Fault{Kind: k, Node: n})
		}
		return out
	}
	change := func(c sim.LayoutChange) []sim.Fault { return one(sim.Fault{Kind: sim.ChangeLayout, Change: c}) }
	switch kind {
	case "partition":
		return one(sim.Fault{Kind: sim.Partition, Groups: d.groups(v, path, shape)})
	case "heal":
		if !d.boolean(v, path) {
			d.errorf(v, path, "write heal: true")
		}
		return one(sim.Fault{Kind: sim.Heal})
	case "cut", "uncut", "restore_link":
		f := d.mapping(v, path, "from", "to")
		from, to := d.endpoints(f, v, path, shape)
		k := map[string]sim.FaultKind{"cut": sim.Cut, "uncut": sim.Uncut, "restore_link": sim.RestoreLink}[kind]
		return one(sim.Fault{Kind: k, From: from, To: to})
	case "slow_link":
		f := d.mapping(v, path, append([]string{"from", "to"}, linkFields...)...)
		from, to := d.endpoints(f, v, path, shape)
		profile := shape.net.InterZone
		if from%shape.zones == to%shape.zones {
			profile = shape.net.IntraZone
		}
		delete(f, "from")
		delete(f, "to")
		d.linkFields(f, path, &profile)
		return one(sim.Fault{Kind: sim.SlowLink, From: from, To: to, Link: profile})
	case "crash":
		return perNode(sim.Crash)
	case "restart":
		return perNode(sim.Restart)
	case "wipe_disk":
		return perNode(sim.WipeDisk)
	case "lose_metadata":
		return perNode(sim.LoseMetadata)
	case "lose_block", "corrupt_block":
		k := sim.LoseBlock
		if kind == "corrupt_block" {
			k = sim.CorruptBlock
		}
		if v.Kind == yaml.MappingNode {
			f := d.mapping(v, path, "node", "pick")
			var fault sim.Fault
			fault.Kind = k
			if f["node"] == nil {
				d.errorf(v, path, "missing node")
			} else {
				fault.Node = d.nodeIndex(f["node"], path+".node", shape.total)
			}
			if f["pick"] != nil {
				fault.Pick = d.uinteger(f["pick"], path+".pick")
			}
			return one(fault)
		}
		return perNode(k)
	case "skew":
		f := d.mapping(v, path, "node", "by")
		if f == nil || f["node"] == nil || f["by"] == nil {
			d.errorf(v, path, "want node and by (a duration, negative for behind)")
			return nil
		}
		return one(sim.Fault{Kind: sim.Skew, Node: d.nodeIndex(f["node"], path+".node", shape.total), Skew: d.duration(f["by"], path+".by", true)})
	case "add_node":
		f := d.mapping(v, path, "node", "zone", "capacity", "gateway")
		if f == nil || f["node"] == nil || f["zone"] == nil {
			d.errorf(v, path, "want node, zone, and capacity or gateway: true")
			return nil
		}
		c := sim.LayoutChange{Kind: sim.AddNode, Node: d.nodeIndex(f["node"], path+".node", shape.total),
			Zone: d.integer(f["zone"], path+".zone", 0, shape.zones-1)}
		if f["gateway"] != nil {
			c.Gateway = d.boolean(f["gateway"], path+".gateway")
		}
		switch {
		case f["capacity"] != nil && c.Gateway:
			d.errorf(f["capacity"], path+".capacity", "a gateway has no capacity")
		case f["capacity"] != nil:
			c.Capacity = d.size(f["capacity"], path+".capacity")
		case !c.Gateway:
			d.errorf(v, path, "want capacity, or gateway: true")
		}
		return change(c)
	case "remove_node":
		return change(sim.LayoutChange{Kind: sim.RemoveNode, Node: d.nodeIndex(v, path, shape.total)})
	case "set_zone":
		f := d.mapping(v, path, "node", "zone")
		if f == nil || f["node"] == nil || f["zone"] == nil {
			d.errorf(v, path, "want node and zone")
			return nil
		}
		return change(sim.LayoutChange{Kind: sim.ChangeZone, Node: d.nodeIndex(f["node"], path+".node", shape.total),
			Zone: d.integer(f["zone"], path+".zone", 0, shape.zones-1)})
	case "set_capacity":
		f := d.mapping(v, path, "node", "capacity")
		if f == nil || f["node"] == nil || f["capacity"] == nil {
			d.errorf(v, path, "want node and capacity")
			return nil
		}
		return change(sim.LayoutChange{Kind: sim.ChangeCapacity, Node: d.nodeIndex(f["node"], path+".node", shape.total),
			Capacity: d.size(f["capacity"], path+".capacity")})
	case "replication":
		return change(sim.LayoutChange{Kind: sim.ChangeRF, RF: d.integer(v, path, 1, 7)})
	case "layout_change":
		if d.str(v, path) != "random" {
			d.errorf(v, path, "write layout_change: random (or name the change: add_node, remove_node, set_zone, set_capacity, replication)")
		}
		return change(sim.LayoutChange{Kind: sim.AnyChange})
	}
	return nil
}

func (d *decoder) endpoints(f map[string]*yaml.Node, v *yaml.Node, path string, shape timelineShape) (from, to int) {
	if f == nil || f["from"] == nil || f["to"] == nil {
		d.errorf(v, path, "want from and to (node numbers)")
		return 0, 0
	}
	from, to = d.nodeIndex(f["from"], path+".from", shape.total), d.nodeIndex(f["to"], path+".to", shape.total)
	if from == to {
		d.errorf(v, path, "from and to are the same node")
	}
	return from, to
}

// groups decodes a partition: a list of groups, each a list of node
// numbers or zone names (z0, z1, ...). Nodes in no group form one more.
func (d *decoder) groups(v *yaml.Node, path string, shape timelineShape) [][]int {
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		d.errorf(v, path, "want a list of groups, such as [[0, 1], [2, 3, 4]] or [[z0], [z1, z2]]")
		return nil
	}
	seen := map[int]bool{}
	var groups [][]int
	for i, g := range v.Content {
		gp := fmt.Sprintf("%s[%d]", path, i)
		if g.Kind != yaml.SequenceNode {
			d.errorf(g, gp, "want a list of nodes or zones, got %s", describe(g))
			continue
		}
		var group []int
		for j, m := range g.Content {
			mp := fmt.Sprintf("%s[%d]", gp, j)
			var members []int
			if z, ok := strings.CutPrefix(m.Value, "z"); ok && m.Kind == yaml.ScalarNode {
				zone, err := strconv.Atoi(z)
				if err != nil || zone < 0 || zone >= shape.zones {
					d.errorf(m, mp, "no zone %q (zones are z0 to z%d)", m.Value, shape.zones-1)
					continue
				}
				for n := zone; n < shape.total; n += shape.zones {
					members = append(members, n)
				}
			} else {
				members = []int{d.nodeIndex(m, mp, shape.total)}
			}
			for _, n := range members {
				if seen[n] {
					d.errorf(m, mp, "node %d is in two groups", n)
					continue
				}
				seen[n] = true
				group = append(group, n)
			}
		}
		slices.Sort(group)
		groups = append(groups, group)
	}
	var rest []int
	for n := range shape.total {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	if len(rest) > 0 {
		groups = append(groups, rest)
	}
	return groups
}

func (d *decoder) linkFields(f map[string]*yaml.Node, path string, p *netsim.LinkProfile) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, name := range linkFields {
		if v := f[name]; v != nil {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, v)
		}
	}
	d.link(n, path, p)
}
