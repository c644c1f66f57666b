package scenario

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/garagego/garage/netsim"
	"github.com/garagego/garage/sim"
)

// Variant returns the text of a scenario that is this one with another
// name, description, seed and timeline (random faults dropped: the
// timeline says everything), such as the fuzzer writes for a failure it
// found. Comments of the original file are kept where they still apply.
func (sc *Scenario) Variant(name, description string, seed uint64, timeline []sim.Fault) ([]byte, error) {
	base, err := yaml.Marshal(sc.doc)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	var events yaml.Node
	if err := yaml.Unmarshal([]byte(TimelineYAML(timeline)), &events); err != nil {
		return nil, fmt.Errorf("scenario: timeline: %w", err)
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	if len(events.Content) > 0 {
		seq = events.Content[0]
	}
	top := doc.Content[0]
	set(top, "name", scalar(name))
	set(top, "description", &yaml.Node{Kind: yaml.ScalarNode, Value: description, Style: yaml.LiteralStyle})
	set(top, "seed", scalar(fmt.Sprint(seed)))
	set(top, "timeline", seq)
	remove(top, "random_faults")
	remove(top, "bugs")
	if bugs := PlantedBugs(sc.Options); len(bugs) > 0 {
		list := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, b := range bugs {
			list.Content = append(list.Content, scalar(b))
		}
		set(top, "bugs", list)
	}
	remove(top, "trace_hash")
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return []byte(b.String()), nil
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }

// set replaces (or appends) field key of mapping m.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

func remove(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// TimelineYAML writes faults as a scenario timeline, one event per line.
func TimelineYAML(faults []sim.Fault) string {
	if len(faults) == 0 {
		return "[]\n"
	}
	var b strings.Builder
	for _, f := range faults {
		fmt.Fprintf(&b, "- {at: %s, %s}\n", dur(f.At), eventYAML(f))
	}
	return b.String()
}

func dur(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	return d.String()
}

func eventYAML(f sim.Fault) string {
	switch f.Kind {
	case sim.Partition:
		groups := make([]string, len(f.Groups))
		for i, g := range f.Groups {
			groups[i] = strings.ReplaceAll(fmt.Sprint(g), " ", ", ")
		}
		return "partition: [" + strings.Join(groups, ", ") + "]"
	case sim.Heal:
		return "heal: true"
	case sim.Cut:
		return fmt.Sprintf("cut: {from: %d, to: %d}", f.From, f.To)
	case sim.Uncut:
		return fmt.Sprintf("uncut: {from: %d, to: %d}", f.From, f.To)
	case sim.RestoreLink:
		return fmt.Sprintf("restore_link: {from: %d, to: %d}", f.From, f.To)
	case sim.SlowLink:
		return fmt.Sprintf("slow_link: {from: %d, to: %d, %s}", f.From, f.To, profileYAML(f.Link))
	case sim.Crash:
		return fmt.Sprintf("crash: %d", f.Node)
	case sim.Restart:
		return fmt.Sprintf("restart: %d", f.Node)
	case sim.WipeDisk:
		return fmt.Sprintf("wipe_disk: %d", f.Node)
	case sim.LoseMetadata:
		return fmt.Sprintf("lose_metadata: %d", f.Node)
	case sim.LoseBlock:
		return fmt.Sprintf("lose_block: {node: %d, pick: %d}", f.Node, f.Pick)
	case sim.CorruptBlock:
		return fmt.Sprintf("corrupt_block: {node: %d, pick: %d}", f.Node, f.Pick)
	case sim.Skew:
		return fmt.Sprintf("skew: {node: %d, by: %s}", f.Node, dur(f.Skew))
	case sim.ChangeLayout:
		c := f.Change
		switch c.Kind {
		case sim.AddNode:
			if c.Gateway {
				return fmt.Sprintf("add_node: {node: %d, zone: %d, gateway: true}", c.Node, c.Zone)
			}
			return fmt.Sprintf("add_node: {node: %d, zone: %d, capacity: %d}", c.Node, c.Zone, c.Capacity)
		case sim.RemoveNode:
			return fmt.Sprintf("remove_node: %d", c.Node)
		case sim.ChangeZone:
			return fmt.Sprintf("set_zone: {node: %d, zone: %d}", c.Node, c.Zone)
		case sim.ChangeCapacity:
			return fmt.Sprintf("set_capacity: {node: %d, capacity: %d}", c.Node, c.Capacity)
		case sim.ChangeRF:
			return fmt.Sprintf("replication: %d", c.RF)
		}
		return "layout_change: random"
	}
	return fmt.Sprintf("unknown: %d", f.Kind)
}

// profileYAML writes every field of a link profile: a field left out
// would be read back as the zone's default.
func profileYAML(p netsim.LinkProfile) string {
	return fmt.Sprintf("latency: %s, jitter: %s, loss: %g, duplicate: %g, reorder: %g, reorder_delay: %s, bandwidth: %d",
		dur(p.Latency), dur(p.Jitter), p.Loss, p.Duplicate, p.Reorder, dur(p.ReorderDelay), p.Bandwidth)
}
