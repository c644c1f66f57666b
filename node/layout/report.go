package layout

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/garagego/garage/node/cluster"
)

// Report explains a layout computed by AssignOptimal.
type Report struct {
	// PartitionSize is the bytes each partition copy may use: the largest
	// size at which every copy fits.
	PartitionSize uint64
	// UsableCapacity is PartitionSize × 256: the data the cluster can
	// store, each byte replicated ReplicationFactor times.
	UsableCapacity uint64
	// TotalCapacity sums the storage nodes' capacities.
	TotalCapacity uint64
	Nodes         []NodeUsage // storage nodes, in member order
	Zones         []ZoneUsage // sorted by name
	// Moved counts the partition copies placed on a node that did not hold
	// that partition in the previous version: the transfers the change
	// costs. It is minimal among the assignments reaching PartitionSize,
	// and 0 without a previous version.
	Moved int
	// MinimumMoves is a lower bound on Moved for any assignment giving the
	// nodes the same copy counts: each node must receive the copies it
	// gains. 0 without a previous version.
	MinimumMoves int
	// Messages are human-readable lines summarising all of the above.
	Messages []string
}

// NodeUsage is one storage node's share of a layout.
type NodeUsage struct {
	ID         cluster.NodeID
	Zone       string
	Partitions int    // partition copies held
	Capacity   uint64 // bytes
	Used       uint64 // Partitions × PartitionSize, at most Capacity
	Usage      float64
}

// ZoneUsage is one zone's share of a layout.
type ZoneUsage struct {
	Zone       string
	Nodes      int    // storage nodes
	Partitions int    // distinct partitions with a copy in the zone
	Copies     int    // partition copies held by the zone's nodes
	Capacity   uint64 // bytes
	Used       uint64 // Copies × PartitionSize
}

// String returns the messages, one per line.
func (r *Report) String() string { return strings.Join(r.Messages, "\n") }

func newReport(v *Version, pl *placement, storage []int, size uint64) *Report {
	r := &Report{PartitionSize: size, UsableCapacity: size * uint64(pl.partitions)}
	counts := v.PartitionCount()
	zoneIndex := map[string]int{} // into r.Zones
	for _, i := range storage {
		m := v.Members[i]
		used := uint64(counts[i]) * size
		r.TotalCapacity += m.Capacity
		r.Nodes = append(r.Nodes, NodeUsage{
			ID: m.ID, Zone: m.Zone, Partitions: counts[i], Capacity: m.Capacity, Used: used,
			Usage: percent(used, m.Capacity),
		})
		zi, ok := zoneIndex[m.Zone]
		if !ok {
			zi = len(r.Zones)
			zoneIndex[m.Zone] = zi
			r.Zones = append(r.Zones, ZoneUsage{Zone: m.Zone})
		}
		z := &r.Zones[zi]
		z.Nodes++
		z.Copies += counts[i]
		z.Capacity += m.Capacity
		z.Used += used
	}
	for p := range cluster.NumPartitions {
		seen := map[string]bool{}
		for _, id := range v.NodesOf(cluster.Partition(p)) {
			m, _ := v.Member(id)
			if !seen[m.Zone] {
				seen[m.Zone] = true
				r.Zones[zoneIndex[m.Zone]].Partitions++
			}
		}
	}
	slices.SortFunc(r.Zones, func(a, b ZoneUsage) int { return cmp.Compare(a.Zone, b.Zone) })
	return r
}

// smallPartitionSize is the size under which Garage warns that the layout
// is probably not what the operator meant (capacities in bytes too small).
const smallPartitionSize = 100

func (r *Report) explain(pl *placement, gateways int, hasPrevious bool) {
	say := func(format string, args ...any) { r.Messages = append(r.Messages, fmt.Sprintf(format, args...)) }
	say("Partitions are replicated %d times, on at least %d distinct zones.", pl.rf, pl.zoneRedundancy)
	say("Optimal partition size: %s.", formatBytes(r.PartitionSize))
	copiesSize := r.UsableCapacity * uint64(pl.rf)
	say("Usable capacity / total cluster capacity: %s / %s (%.1f%%).",
		formatBytes(copiesSize), formatBytes(r.TotalCapacity), percent(copiesSize, r.TotalCapacity))
	say("Effective capacity (replication factor %d): %s.", pl.rf, formatBytes(r.UsableCapacity))
	if hasPrevious {
		say("A total of %d partition copies need to be transferred (at least %d for these per-node counts).", r.Moved, r.MinimumMoves)
	}
	if r.PartitionSize < smallPartitionSize {
		say("WARNING: the partition size is only %d bytes: are the capacities given in bytes?", r.PartitionSize)
	}
	if gateways > 0 {
		say("Gateways store no data (%d nodes).", gateways)
	}
	for _, z := range r.Zones {
		say("Zone %s: %d distinct partitions, %d copies on %d nodes, %s used of %s (%.1f%%).",
			z.Zone, z.Partitions, z.Copies, z.Nodes, formatBytes(z.Used), formatBytes(z.Capacity), percent(z.Used, z.Capacity))
		for _, n := range r.Nodes {
			if n.Zone == z.Zone {
				say("  node %s: %d partitions, %s used of %s (%.1f%%).",
					n.ID, n.Partitions, formatBytes(n.Used), formatBytes(n.Capacity), n.Usage)
			}
		}
	}
	for _, n := range r.Nodes {
		if n.Partitions == 0 && n.Capacity > 0 {
			say("WARNING: node %s gets no partitions: other zones bound the partition size (each partition needs copies in %d zones), and keeping data where it is moves least. Add capacity to the smallest zones, or lower the zone redundancy.", n.ID, pl.zoneRedundancy)
		}
	}
}

func percent(part, whole uint64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

// formatBytes prints a size with decimal units, as capacities are given.
func formatBytes(n uint64) string {
	const units = "kMGTPE"
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n)/1000, 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	return fmt.Sprintf("%.1f %cB", f, units[i])
}
