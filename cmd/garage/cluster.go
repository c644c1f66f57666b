package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/adminrpc"
)

// StatusCmd shows the cluster as one node sees it.
type StatusCmd struct{}

func (c *StatusCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var st admin.ClusterStatus
		if err := a.call(admin.GetStatus{}, &st); err != nil {
			return err
		}
		fmt.Fprintf(out, "==== HEALTHY NODES ====\n")
		printNodes(out, st, true)
		var down int
		for _, n := range st.Nodes {
			if !n.Up {
				down++
			}
		}
		if down > 0 {
			fmt.Fprintf(out, "\n==== FAILED NODES ====\n")
			printNodes(out, st, false)
		}
		fmt.Fprintf(out, "\nLayout version: %d\n", st.LayoutVersion)
		var h admin.LayoutHistory
		if err := a.call(admin.GetLayoutHistory{}, &h); err != nil {
			return err
		}
		printChangeProgress(out, h)
		return nil
	})
}

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
	fmt.Fprintf(out, "Layout change in progress: versions %s live, reads from %d; %d of %d nodes acknowledged version %d, %d synced it (see garage layout history)\n",
		strings.Join(live, ", "), h.ReadVersion, acked, len(h.Nodes), h.Current, synced)
}

func printNodes(out io.Writer, st admin.ClusterStatus, up bool) {
	t := newTable(out, "ID", "Hostname", "Address", "Zone", "Capacity", "Layout", "DataAvail", "MetaAvail", "LastSeen")
	for _, n := range st.Nodes {
		if n.Up != up {
			continue
		}
		zone, capacity := "NO ROLE ASSIGNED", ""
		if n.HasRole {
			zone, capacity = n.Zone, bytesHuman(n.Capacity)
			if n.Gateway {
				capacity = "gateway"
			}
		}
		seen := "now"
		switch {
		case n.LastSeenSecs < 0:
			seen = "never"
		case n.LastSeenSecs > 0:
			seen = fmt.Sprintf("%ds ago", n.LastSeenSecs)
		}
		id := shortID(n.ID)
		if n.ID == st.Self {
			id += " (this node)"
		}
		t.row(id, orDash(n.Hostname), orDash(n.Addr), zone, orDash(capacity), fmt.Sprintf("v%d", n.LayoutVersion),
			freeSpace(n.DataAvail, n.DataTotal), freeSpace(n.MetaAvail, n.MetaTotal), seen)
	}
	t.flush()
}

// StatsCmd shows what one node holds.
type StatsCmd struct{}

func (c *StatsCmd) Run(g *Globals, out io.Writer) error {
	return g.withAdmin(func(a *adminClient) error {
		var st admin.NodeStats
		if err := a.call(admin.GetStats{}, &st); err != nil {
			return err
		}
		fmt.Fprintf(out, "Node %s\n\n", st.Node)
		t := newTable(out, "Table", "Entries", "Tombstones")
		for _, tb := range st.Tables {
			t.row(tb.Name, fmt.Sprint(tb.Entries), fmt.Sprint(tb.Tombstones))
		}
		t.flush()
		fmt.Fprintf(out, "\nAnti-entropy: %d passes, %d partitions exchanged, %d entries sent, %d received; %d layout merges\n",
			st.SyncPasses, st.SyncSessions, st.SyncItemsSent, st.SyncItemsRecvd, st.LayoutMerges)
		fmt.Fprintf(out, "Layout changes: %d sync rounds (%d failed and retried), %d entries handed to new holders\n",
			st.SyncRounds, st.SyncRoundFailures, st.Offloaded)
		fmt.Fprintf(out, "Tombstone collection: %d waiting, %d collected here in %d rounds (%d rounds retried)\n",
			st.TombstonesQueued, st.TombstonesCollected, st.GCRounds, st.GCFailures)
		return nil
	})
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
