package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/adminrpc"
)

// StatusCmd shows the cluster as one node sees it, in Garage's layout: the
// healthy nodes, the failed ones (members of the layout that are down),
// the staged role changes and any layout change in progress.
type StatusCmd struct{}

func (c *StatusCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var st admin.ClusterStatus
		if err := a.call(admin.GetStatus{}, &st); err != nil {
			return err
		}
		var info admin.LayoutInfo
		if err := a.call(admin.GetLayout{}, &info); err != nil {
			return err
		}
		var h admin.LayoutHistory
		if err := a.call(admin.GetLayoutHistory{}, &h); err != nil {
			return err
		}
		printStatus(out, st, info)
		printChangeProgress(out, h)
		return nil
	})
}

// printStatus prints the healthy and failed nodes tables.
func printStatus(out io.Writer, st admin.ClusterStatus, info admin.LayoutInfo) {
	staged := map[string]bool{} // nodes a staged change gives a role
	for _, s := range info.Staged {
		if !s.Remove {
			staged[s.ID] = true
		}
	}
	noRole := func(n admin.NodeStatus) string {
		switch {
		case staged[n.ID]:
			return "pending..."
		case n.Draining:
			return "draining metadata..."
		}
		return "NO ROLE ASSIGNED"
	}

	fmt.Fprintln(out, "==== HEALTHY NODES ====")
	t := newTable(out, "ID", "Hostname", "Address", "Tags", "Zone", "Capacity", "DataAvail")
	for _, n := range st.Nodes {
		if !n.Up {
			continue
		}
		host, addr := orQuestion(n.Hostname), n.Addr
		if addr == "" {
			addr = "N/A"
		}
		if !n.HasRole {
			t.row(shortID(n.ID), host, addr, "", "", noRole(n))
			continue
		}
		t.row(shortID(n.ID), host, addr, tagList(n.Tags), n.Zone, capacityString(n.Capacity, n.Gateway), dataAvail(n))
	}
	t.flush()

	// Failed: down nodes that hold (or are draining) a role, and members
	// of the layout this node never heard of.
	seen := map[string]bool{}
	failed := [][]string{}
	var draining bool
	for _, n := range st.Nodes {
		seen[n.ID] = true
		if n.Up || (!n.HasRole && !n.Draining) {
			continue
		}
		last := "never seen"
		if n.LastSeenSecs >= 0 {
			last = timeAgo(n.LastSeenSecs)
		}
		if n.HasRole {
			failed = append(failed, []string{shortID(n.ID), orQuestion(n.Hostname), tagList(n.Tags), n.Zone, capacityString(n.Capacity, n.Gateway), last})
			continue
		}
		draining = true
		failed = append(failed, []string{shortID(n.ID), orQuestion(n.Hostname), "", "", noRole(n), last})
	}
	for _, r := range info.Roles {
		if !seen[r.ID] {
			failed = append(failed, []string{shortID(r.ID), "??", tagList(r.Tags), r.Zone, capacityString(r.Capacity, r.Gateway), "never seen"})
		}
	}
	if len(failed) > 0 {
		fmt.Fprintln(out, "\n==== FAILED NODES ====")
		t := newTable(out, "ID", "Hostname", "Tags", "Zone", "Capacity", "Last seen")
		for _, row := range failed {
			t.row(row...)
		}
		t.flush()
		if draining {
			fmt.Fprintln(out, "\nYour cluster is expecting to drain data from nodes that are currently unavailable.")
			fmt.Fprintln(out, "If these nodes are definitely dead, please review the layout history with")
			fmt.Fprintln(out, "`garage layout history` and use `garage layout skip-dead-nodes` to force progress.")
		}
	}
	if len(info.Staged) > 0 || info.StagedZoneRedundancy != nil || info.StagedReplicationFactor != nil {
		fmt.Fprintln(out, "\n==== STAGED ROLE CHANGES ====")
		printStaged(out, info)
		fmt.Fprintln(out, "\nPlease use `garage layout show` to check the proposed new layout and apply it.")
	}
}

// dataAvail is a storage node's free data space, "N/A" for a gateway.
func dataAvail(n admin.NodeStatus) string {
	switch {
	case n.Gateway:
		return "N/A"
	case n.DataTotal == 0:
		return "?"
	}
	return fmt.Sprintf("%s (%.1f%%)", bytesHuman(n.DataAvail), 100*float64(n.DataAvail)/float64(n.DataTotal))
}

func capacityString(capacity uint64, gateway bool) string {
	if gateway {
		return "gateway"
	}
	return bytesHuman(capacity)
}

func tagList(tags []string) string { return "[" + strings.Join(tags, ",") + "]" }

// printChangeProgress summarises a layout change in progress: how many
// nodes acknowledged and synced the newest version.
func printChangeProgress(out io.Writer, h admin.LayoutHistory) {
	if len(h.Versions) < 2 {
		return
	}
	var acked, synced int
	for _, n := range h.Nodes {
		if n.Ack >= h.Current {
			acked++
		}
		if n.Sync >= h.Current {
			synced++
		}
	}
	var live []string
	for _, v := range h.Versions {
		live = append(live, fmt.Sprint(v.Number))
	}
	fmt.Fprintf(out, "\nLayout change in progress: versions %s live, reads from %d; %d of %d nodes acknowledged version %d, %d synced it (see garage layout history)\n",
		strings.Join(live, ", "), h.ReadVersion, acked, len(h.Nodes), h.Current, synced)
}

// StatsCmd shows what a node holds, or with -a every node, then the
// cluster-wide storage, as Garage's `garage stats` does.
type StatsCmd struct {
	AllNodes bool `short:"a" name:"all-nodes" help:"Gather the statistics of every node (the node reached asks the others)."`
}

func (c *StatsCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		spec := "self"
		if c.AllNodes {
			spec = "*"
		}
		var res adminrpc.NodeStatsResult
		if err := a.call(adminrpc.GetNodeStats{Node: spec}, &res); err != nil {
			return err
		}
		for _, id := range sortedKeys(res.Success) {
			fmt.Fprintf(out, "==== NODE [%s] ====\n%s\n", shortID(id), res.Success[id].Freeform())
		}
		for _, id := range sortedKeys(res.Error) {
			fmt.Fprintf(out, "==== NODE [%s] ====\nError: %s\n\n", shortID(id), res.Error[id])
		}
		var st admin.ClusterStatus
		if err := a.call(admin.GetStatus{}, &st); err != nil {
			return err
		}
		var info admin.LayoutInfo
		if err := a.call(admin.GetLayout{}, &info); err != nil {
			return err
		}
		fmt.Fprintf(out, "==== CLUSTER STATISTICS ====\n%s", admin.ClusterFreeform(st, info.Roles))
		return nil
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// NodeCmd groups node commands.
type NodeCmd struct {
	ID      NodeIDCmd      `cmd:"" name:"id" help:"Print this node's id and address, as <id>@<host:port>."`
	Connect NodeConnectCmd `cmd:"" help:"Connect the node to another one."`
}

// NodeIDCmd prints the node id.
type NodeIDCmd struct {
	Quiet bool `short:"q" help:"Print only <id>@<addr>."`
}

func (c *NodeIDCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var r adminrpc.NodeIDResult
		if err := a.call(adminrpc.NodeID{}, &r); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s@%s\n", r.ID, r.Addr)
		if !c.Quiet {
			fmt.Fprintf(out, "\nTo connect another node to this one:\n    garage node connect %s@%s\n", r.ID, r.Addr)
		}
		return nil
	})
}

// NodeConnectCmd connects to a peer.
type NodeConnectCmd struct {
	Peer string `arg:"" help:"The node to connect to: <node id>@<host:port>."`
}

func (c *NodeConnectCmd) Run(g *Globals, out io.Writer) error {
	if !strings.Contains(c.Peer, "@") {
		return fmt.Errorf("%q: want <node id>@<host:port> (garage node id on that node prints it)", c.Peer)
	}
	return g.withAdmin(func(a *adminClient) error {
		if err := a.call(adminrpc.ConnectNode{Peer: c.Peer}, nil); err != nil {
			return err
		}
		fmt.Fprintf(out, "Connected to %s.\n", c.Peer)
		return nil
	})
}

// printStaged lists the staged role changes, as Garage's status does.
func printStaged(out io.Writer, info admin.LayoutInfo) {
	if len(info.Staged) > 0 {
		t := newTable(out, "ID", "Tags", "Zone", "Capacity")
		for _, s := range info.Staged {
			if s.Remove {
				t.row(shortID(s.ID), "REMOVED", "", "")
				continue
			}
			t.row(shortID(s.ID), tagList(s.Tags), s.Zone, capacityString(s.Capacity, s.Gateway))
		}
		t.flush()
	}
	if info.StagedZoneRedundancy != nil {
		zr := "maximum"
		if *info.StagedZoneRedundancy > 0 {
			zr = fmt.Sprint(*info.StagedZoneRedundancy)
		}
		fmt.Fprintf(out, "Zone redundancy: %s\n", zr)
	}
	if info.StagedReplicationFactor != nil {
		fmt.Fprintf(out, "Replication factor: %d\n", *info.StagedReplicationFactor)
	}
}
