package admin

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/garagego/garage/node/cluster"
)

// The statistics as text, laid out as Garage's `garage stats` prints them:
// shared by the CLI and the admin API's freeform fields, so both say the
// same.

// HumanBytes prints a size with decimal units and one decimal, as Garage
// prints capacities and free space ("1.0 GB", "512 B").
func HumanBytes(n uint64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB", "EB"}
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}

// columns lays rows of tab-separated cells out in aligned columns.
func columns(rows []string) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, r)
	}
	tw.Flush()
	return b.String()
}

// Freeform is one node's statistics: its identity, its tables, its block
// manager, and this implementation's anti-entropy, layout-change and
// tombstone-collection counters (which Garage has no equivalent of).
func (st NodeStats) Freeform() string {
	var b strings.Builder
	b.WriteString(columns([]string{
		"Node ID:\t" + st.Node,
		"Hostname:\t" + st.Hostname,
		"Garage version:\t" + st.Version,
	}))
	rows := []string{"  Table\tItems\tTombstones"}
	for _, t := range st.Tables {
		rows = append(rows, fmt.Sprintf("  %s\t%d\t%d", t.Name, t.Entries, t.Tombstones))
	}
	fmt.Fprintf(&b, "\nTable stats:\n%s", columns(rows))
	fmt.Fprintf(&b, "\nBlock manager stats:\n%s", columns([]string{
		fmt.Sprintf("  number of RC entries:\t%d (~= number of blocks)", st.BlockRefs),
		fmt.Sprintf("  resync queue length:\t%d", st.ResyncQueue),
		fmt.Sprintf("  blocks with resync errors:\t%d", st.ResyncErrors),
	}))
	fmt.Fprintf(&b, "\nAnti-entropy: %d passes, %d partitions exchanged, %d entries sent, %d received; %d layout merges\n",
		st.SyncPasses, st.SyncSessions, st.SyncItemsSent, st.SyncItemsRecvd, st.LayoutMerges)
	fmt.Fprintf(&b, "Layout changes: %d sync rounds (%d failed and retried), %d entries handed to new holders\n",
		st.SyncRounds, st.SyncRoundFailures, st.Offloaded)
	fmt.Fprintf(&b, "Tombstone collection: %d waiting, %d collected here in %d rounds (%d rounds retried)\n",
		st.TombstonesQueued, st.TombstonesCollected, st.GCRounds, st.GCFailures)
	fmt.Fprintf(&b, "Key and bucket lookups: %d answered from the local copy, %d with a quorum\n",
		st.LocalLookups, st.QuorumLookups)
	return b.String()
}

// ClusterFreeform is the cluster-wide part of `garage stats`: the storage
// nodes of the current layout with their partitions and free space, and an
// estimate of the space left cluster-wide. roles are the current layout's.
func ClusterFreeform(st ClusterStatus, roles []RoleInfo) string {
	byID := map[string]NodeStatus{}
	for _, n := range st.Nodes {
		byID[n.ID] = n
	}
	storage := slices.Clone(roles)
	storage = slices.DeleteFunc(storage, func(r RoleInfo) bool { return r.Gateway || r.Partitions == 0 })
	slices.SortFunc(storage, func(a, b RoleInfo) int { return strings.Compare(a.ID, b.ID) })

	rows := []string{"  ID\tHostname\tZone\tCapacity\tPart.\tDataAvail\tMetaAvail"}
	var dataPer, metaPer []uint64 // free space per partition held, per node that reports it
	for _, r := range storage {
		n, known := byID[r.ID]
		host := "?"
		if known && n.Hostname != "" {
			host = n.Hostname
		}
		data, meta := "?", "?"
		if known && n.DataTotal > 0 {
			data = availOfTotal(n.DataAvail, n.DataTotal)
			dataPer = append(dataPer, n.DataAvail/uint64(r.Partitions))
		}
		if known && n.MetaTotal > 0 {
			meta = availOfTotal(n.MetaAvail, n.MetaTotal)
			metaPer = append(metaPer, n.MetaAvail/uint64(r.Partitions))
		}
		rows = append(rows, fmt.Sprintf("  %s\t%s\t%s\t%s\t%d\t%s\t%s", r.ID, host, r.Zone, HumanBytes(r.Capacity), r.Partitions, data, meta))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Storage nodes:\n%s", columns(rows))
	if len(dataPer) == 0 || len(metaPer) == 0 {
		return b.String()
	}
	// A partition is stored whole on each of its holders, so the cluster
	// is full when the node with the least room per partition is.
	data := HumanBytes(slices.Min(dataPer) * cluster.NumPartitions)
	meta := HumanBytes(slices.Min(metaPer) * cluster.NumPartitions)
	b.WriteString("\nEstimated available storage space cluster-wide (might be lower in practice):\n")
	if len(dataPer) < len(storage) || len(metaPer) < len(storage) {
		fmt.Fprintf(&b, "  data: < %s\n  metadata: < %s\n", data, meta)
		b.WriteString("A precise estimate could not be given as information is missing for some storage nodes.\n")
	} else {
		fmt.Fprintf(&b, "  data: %s\n  metadata: %s\n", data, meta)
	}
	return b.String()
}

// availOfTotal prints "avail/total (pct%)".
func availOfTotal(avail, total uint64) string {
	return fmt.Sprintf("%s/%s (%.1f%%)", HumanBytes(avail), HumanBytes(total), 100*float64(avail)/float64(total))
}
