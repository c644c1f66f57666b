package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/garagego/garage/internal/config"
	"github.com/garagego/garage/node/admin"
)

// LayoutCmd groups layout commands.
type LayoutCmd struct {
	Show          LayoutShowCmd          `cmd:"" help:"Show the current layout, the staged changes and what applying them would give."`
	Assign        LayoutAssignCmd        `cmd:"" help:"Stage a role (zone and capacity, or gateway) for nodes."`
	Remove        LayoutRemoveCmd        `cmd:"" help:"Stage removing a node from the layout."`
	Config        LayoutConfigCmd        `cmd:"" help:"Stage layout parameters: zone redundancy, replication factor."`
	Apply         LayoutApplyCmd         `cmd:"" help:"Apply the staged changes as the next layout version."`
	Revert        LayoutRevertCmd        `cmd:"" help:"Drop the staged changes."`
	History       LayoutHistoryCmd       `cmd:"" help:"Show the live layout versions and how far each node has synced."`
	SkipDeadNodes LayoutSkipDeadNodesCmd `cmd:"" name:"skip-dead-nodes" help:"Let a layout change complete without the nodes that are down."`
}

// LayoutHistoryCmd shows live versions and trackers.
type LayoutHistoryCmd struct{}

func (c *LayoutHistoryCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var h admin.LayoutHistory
		if err := a.call(admin.GetLayoutHistory{}, &h); err != nil {
			return err
		}
		printHistory(out, h)
		return nil
	})
}

func printHistory(out io.Writer, h admin.LayoutHistory) {
	fmt.Fprintf(out, "==== LIVE LAYOUT VERSIONS (current %d, reads from %d) ====\n", h.Current, h.ReadVersion)
	t := newTable(out, "Version", "Replication", "Storage nodes", "Gateways")
	for _, v := range h.Versions {
		t.row(fmt.Sprint(v.Number), fmt.Sprint(v.ReplicationFactor), fmt.Sprint(v.StorageNodes), fmt.Sprint(v.Gateways))
	}
	t.flush()
	fmt.Fprintf(out, "\n==== NODE PROGRESS ====\n")
	t = newTable(out, "ID", "Up", "Ack", "Sync", "Sync-ack")
	for _, n := range h.Nodes {
		t.row(shortID(n.ID), fmt.Sprint(n.Up), fmt.Sprint(n.Ack), fmt.Sprint(n.Sync), fmt.Sprint(n.SyncAck))
	}
	t.flush()
	if len(h.Versions) > 1 {
		fmt.Fprintln(out, "\nA layout change is in progress: writes go to every live version; reads move to the newest once every node synced it.")
		fmt.Fprintln(out, "If a node is permanently down, `garage layout skip-dead-nodes --version N` lets the change complete.")
	}
}

// LayoutSkipDeadNodesCmd raises the trackers of down nodes.
type LayoutSkipDeadNodesCmd struct {
	Version          uint64 `required:"" help:"The layout version the down nodes are taken to have reached."`
	AllowMissingData bool   `help:"Also take them as synced: writes only they held may be lost."`
}

func (c *LayoutSkipDeadNodesCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		if err := a.call(admin.SkipDeadNodes{Version: c.Version, AllowMissingData: c.AllowMissingData}, nil); err != nil {
			return err
		}
		var h admin.LayoutHistory
		if err := a.call(admin.GetLayoutHistory{}, &h); err != nil {
			return err
		}
		printHistory(out, h)
		return nil
	})
}

// LayoutShowCmd shows the layout.
type LayoutShowCmd struct{}

func (c *LayoutShowCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var info admin.LayoutInfo
		if err := a.call(admin.GetLayout{}, &info); err != nil {
			return err
		}
		printLayout(out, info)
		return nil
	})
}

func printLayout(out io.Writer, info admin.LayoutInfo) {
	fmt.Fprintf(out, "==== CURRENT CLUSTER LAYOUT (version %d) ====\n", info.Version)
	if len(info.Roles) == 0 {
		fmt.Fprintln(out, "No nodes have a role yet.")
	} else {
		printRoles(out, info.Roles)
	}
	zr := "maximum"
	if info.ZoneRedundancy > 0 {
		zr = fmt.Sprint(info.ZoneRedundancy)
	}
	fmt.Fprintf(out, "\nReplication factor: %d; zone redundancy: %s; live versions: %v\n", info.ReplicationFactor, zr, info.LiveVersions)
	if len(info.LiveVersions) > 1 {
		fmt.Fprintf(out, "Layout change in progress: versions %v live, reads from %d (see garage layout history)\n", info.LiveVersions, info.ReadVersion)
	}
	if len(info.Staged) == 0 && info.StagedZoneRedundancy == nil && info.StagedReplicationFactor == nil {
		return
	}
	fmt.Fprintf(out, "\n==== STAGED ROLE CHANGES ====\n")
	t := newTable(out, "ID", "Change", "Zone", "Capacity")
	for _, s := range info.Staged {
		switch {
		case s.Remove:
			t.row(shortID(s.ID), "remove", "", "")
		case s.Gateway:
			t.row(shortID(s.ID), "assign", s.Zone, "gateway")
		default:
			t.row(shortID(s.ID), "assign", s.Zone, bytesHuman(s.Capacity))
		}
	}
	t.flush()
	if info.StagedZoneRedundancy != nil {
		fmt.Fprintf(out, "zone redundancy: %d\n", *info.StagedZoneRedundancy)
	}
	if info.StagedReplicationFactor != nil {
		fmt.Fprintf(out, "replication factor: %d\n", *info.StagedReplicationFactor)
	}
	if info.PreviewError != "" {
		fmt.Fprintf(out, "\nThese changes cannot be applied: %s\n", info.PreviewError)
		return
	}
	fmt.Fprintf(out, "\n==== NEW LAYOUT AFTER APPLYING (version %d) ====\n", info.Version+1)
	printRoles(out, info.Preview)
	if len(info.PreviewReport) > 0 {
		fmt.Fprintln(out)
		for _, line := range info.PreviewReport {
			fmt.Fprintln(out, line)
		}
	}
	fmt.Fprintf(out, "\nTo apply: garage layout apply --version %d\nTo revert: garage layout revert\n", info.Version+1)
}

func printRoles(out io.Writer, roles []admin.RoleInfo) {
	t := newTable(out, "ID", "Zone", "Capacity", "Partitions", "Tags")
	for _, r := range roles {
		capacity := bytesHuman(r.Capacity)
		if r.Gateway {
			capacity = "gateway"
		}
		t.row(shortID(r.ID), r.Zone, capacity, fmt.Sprint(r.Partitions), strings.Join(r.Tags, ","))
	}
	t.flush()
}

// LayoutAssignCmd stages roles.
type LayoutAssignCmd struct {
	Nodes    []string `arg:"" help:"Node ids (or unique prefixes)."`
	Zone     string   `short:"z" help:"Zone (data centre, site) the nodes are in."`
	Capacity string   `short:"c" help:"Storage capacity, e.g. 500G, 2T, 1.5TiB."`
	Gateway  bool     `short:"g" help:"Make the nodes gateways: they store nothing and serve requests."`
	Tags     []string `short:"t" help:"Tags for the nodes."`
}

func (c *LayoutAssignCmd) Run(g *Globals, out io.Writer) error {
	op := admin.AssignRole{Nodes: c.Nodes, Zone: c.Zone, Gateway: c.Gateway, Tags: c.Tags}
	if c.Capacity != "" {
		if c.Gateway {
			return fmt.Errorf("-c and -g exclude each other: a gateway has no capacity")
		}
		capacity, err := config.ParseCapacity(c.Capacity)
		if err != nil {
			return fmt.Errorf("-c %q: %w", c.Capacity, err)
		}
		op.Capacity = capacity
	}
	return g.withAdmin(func(a *adminClient) error {
		var info admin.LayoutInfo
		if err := a.call(op, &info); err != nil {
			return err
		}
		fmt.Fprintln(out, "Role changes staged. Review them with `garage layout show`.")
		return nil
	})
}

// LayoutRemoveCmd stages a removal.
type LayoutRemoveCmd struct {
	Node string `arg:"" help:"Node id (or unique prefix)."`
}

func (c *LayoutRemoveCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		if err := a.call(admin.RemoveRole{Node: c.Node}, nil); err != nil {
			return err
		}
		fmt.Fprintln(out, "Removal staged. Review it with `garage layout show`.")
		return nil
	})
}

// LayoutConfigCmd stages parameters.
type LayoutConfigCmd struct {
	Redundancy  string `short:"r" help:"Zone redundancy: \"maximum\" or the number of distinct zones each partition must span."`
	Replication int    `help:"Replication factor of the next layout version (1 to 7): how many nodes hold each partition."`
}

func (c *LayoutConfigCmd) Run(g *Globals, out io.Writer) error {
	var op admin.ConfigLayout
	if c.Redundancy != "" {
		zr := 0
		if c.Redundancy != "maximum" && c.Redundancy != "max" {
			if _, err := fmt.Sscan(c.Redundancy, &zr); err != nil || zr < 1 {
				return fmt.Errorf("-r %q: want \"maximum\" or a number of zones", c.Redundancy)
			}
		}
		op.ZoneRedundancy = &zr
	}
	if c.Replication != 0 {
		op.ReplicationFactor = &c.Replication
	}
	if op.ZoneRedundancy == nil && op.ReplicationFactor == nil {
		return fmt.Errorf("give -r REDUNDANCY and/or --replication N")
	}
	return g.withAdmin(func(a *adminClient) error {
		if err := a.call(op, nil); err != nil {
			return err
		}
		fmt.Fprintln(out, "Layout parameters staged. Review them with `garage layout show`.")
		return nil
	})
}

// LayoutApplyCmd applies staged changes.
type LayoutApplyCmd struct {
	Version uint64 `required:"" help:"The version to create: the current version plus one (see garage layout show)."`
}

func (c *LayoutApplyCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var info admin.LayoutInfo
		if err := a.call(admin.ApplyLayout{Version: c.Version}, &info); err != nil {
			return err
		}
		printLayout(out, info)
		fmt.Fprintf(out, "\nLayout version %d applied.\n", info.Version)
		return nil
	})
}

// LayoutRevertCmd drops staged changes.
type LayoutRevertCmd struct{}

func (c *LayoutRevertCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		if err := a.call(admin.RevertLayout{}, nil); err != nil {
			return err
		}
		fmt.Fprintln(out, "Staged changes dropped.")
		return nil
	})
}
