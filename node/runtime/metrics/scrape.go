package metrics

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/server"
)

// Source is what the scrape-time series are read from: the node's
// operations (run on its loop, so reading the core's counters races
// nothing) and the loop's own counters. The runtime server is one.
type Source interface {
	Do(ctx context.Context, op node.Op) (any, error)
	LoopStats() server.LoopStats
}

// scrapeTimeout bounds the operations one scrape runs: a node whose loop
// is stuck still answers the series observed outside it.
const scrapeTimeout = 5 * time.Second

// scrapeCollector emits, at each scrape, the series read from the core.
// It is unchecked (Describe sends nothing): which series exist depends on
// the cluster (its nodes, its tables).
type scrapeCollector struct {
	src Source
	rpc *Runtime
}

func (c *scrapeCollector) Describe(chan<- *prometheus.Desc) {}

// Collect runs the read-only operations and emits what they answer; an
// operation that fails costs its series, and is reported as a scrape
// error on them (garage_scrape_error).
func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	c.rpc.sweep()
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	e := emitter{ch: ch}
	if res, err := c.src.Do(ctx, admin.GetClusterHealth{}); e.ok("GetClusterHealth", err) {
		e.health(res.(admin.ClusterHealth))
	}
	if res, err := c.src.Do(ctx, admin.GetStatus{}); e.ok("GetStatus", err) {
		e.status(res.(admin.ClusterStatus))
	}
	if res, err := c.src.Do(ctx, admin.GetLayout{}); e.ok("GetLayout", err) {
		e.gauge("garage_replication_factor", "The replication factor of the current layout.", float64(res.(admin.LayoutInfo).ReplicationFactor))
	}
	if res, err := c.src.Do(ctx, admin.GetStats{}); e.ok("GetStats", err) {
		e.tables(res.(admin.NodeStats))
	}
	if res, err := c.src.Do(ctx, admin.ListWorkers{}); e.ok("ListWorkers", err) {
		e.workers(res.(admin.Workers))
	}
	ls := c.src.LoopStats()
	e.counter("garage_loop_inputs", "Inputs the node's event loop handled (messages, operations, ticks).", float64(ls.Inputs))
	e.counter("garage_loop_busy_seconds", "Time the node's event loop spent working, in seconds.", ls.Busy.Seconds())
	e.gauge("garage_uptime_seconds", "Time since the node started, in seconds.", ls.Uptime.Seconds())
}

type emitter struct {
	ch chan<- prometheus.Metric
}

func (e emitter) ok(op string, err error) bool {
	if err == nil {
		return true
	}
	e.ch <- prometheus.NewInvalidMetric(prometheus.NewDesc("garage_scrape_error", "A scrape-time read failed.", nil, nil),
		fmt.Errorf("metrics: %s: %w", op, err))
	return false
}

func (e emitter) emit(name, help string, t prometheus.ValueType, v float64, labels prometheus.Labels) {
	e.ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(name, help, nil, labels), t, v)
}

func (e emitter) gauge(name, help string, v float64) {
	e.emit(name, help, prometheus.GaugeValue, v, nil)
}

func (e emitter) counter(name, help string, v float64) {
	e.emit(name, help, prometheus.CounterValue, v, nil)
}

func bit(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (e emitter) health(h admin.ClusterHealth) {
	e.gauge("cluster_healthy", "Whether every storage node is connected (0 or 1).", bit(h.Status == "healthy"))
	e.gauge("cluster_available", "Whether every partition has a quorum of connected nodes, so every request can be served (0 or 1).", bit(h.Status != "unavailable"))
	e.gauge("cluster_connected_nodes", "Nodes currently connected.", float64(h.ConnectedNodes))
	e.gauge("cluster_known_nodes", "Nodes seen at least once.", float64(h.KnownNodes))
	e.gauge("cluster_storage_nodes", "Storage nodes in the current layout.", float64(h.StorageNodes))
	e.gauge("cluster_storage_nodes_ok", "Storage nodes in the current layout that are connected.", float64(h.StorageNodesOK))
	e.gauge("cluster_partitions", "Partitions in the layout (always 256).", float64(h.Partitions))
	e.gauge("cluster_partitions_quorum", "Partitions with a quorum of connected nodes.", float64(h.PartitionsQuorum))
	e.gauge("cluster_partitions_all_ok", "Partitions whose every node is connected.", float64(h.PartitionsAllOK))
}

func (e emitter) status(st admin.ClusterStatus) {
	e.gauge("cluster_layout_version", "The current layout version.", float64(st.LayoutVersion))
	for _, n := range st.Nodes {
		if n.ID == st.Self {
			e.disks(n)
		}
		if !n.HasRole {
			continue
		}
		labels := prometheus.Labels{"id": shortID(n.ID), "role_zone": n.Zone,
			"role_capacity": strconv.FormatUint(n.Capacity, 10), "role_gateway": strconv.Itoa(int(bit(n.Gateway)))}
		e.emit("cluster_layout_node_connected", "Whether each node of the layout is connected (0 or 1).", prometheus.GaugeValue, bit(n.Up), labels)
		if !n.Up && n.LastSeenSecs >= 0 {
			e.emit("cluster_layout_node_disconnected_time", "Seconds since each disconnected node of the layout was last seen.",
				prometheus.GaugeValue, float64(n.LastSeenSecs), labels)
		} else if n.Up {
			e.emit("cluster_layout_node_disconnected_time", "Seconds since each disconnected node of the layout was last seen.",
				prometheus.GaugeValue, 0, labels)
		}
	}
}

// disks reports this node's free and total space, as its status reports
// them (summed over the data directories).
func (e emitter) disks(n admin.NodeStatus) {
	const avail, total = "Available space on the volume, in bytes.", "Total space of the volume, in bytes."
	e.emit("garage_local_disk_avail", avail, prometheus.GaugeValue, float64(n.DataAvail), prometheus.Labels{"volume": "data"})
	e.emit("garage_local_disk_avail", avail, prometheus.GaugeValue, float64(n.MetaAvail), prometheus.Labels{"volume": "metadata"})
	e.emit("garage_local_disk_total", total, prometheus.GaugeValue, float64(n.DataTotal), prometheus.Labels{"volume": "data"})
	e.emit("garage_local_disk_total", total, prometheus.GaugeValue, float64(n.MetaTotal), prometheus.Labels{"volume": "metadata"})
}

// shortID is the 16-hex-digit node id Garage labels nodes with.
func shortID(id string) string {
	if len(id) > 16 {
		return id[:16]
	}
	return id
}

func (e emitter) tables(st admin.NodeStats) {
	for _, t := range st.Tables {
		l := prometheus.Labels{"table_name": t.Name}
		e.emit("table_entries", "Entries this node stores in each table, tombstones included.", prometheus.GaugeValue, float64(t.Entries), l)
		e.emit("table_tombstones", "Tombstones this node stores in each table.", prometheus.GaugeValue, float64(t.Tombstones), l)
	}
	e.counter("table_sync_items_sent", "Entries sent to other nodes by anti-entropy (all tables).", float64(st.SyncItemsSent))
	e.counter("table_sync_items_received", "Entries received from other nodes by anti-entropy (all tables).", float64(st.SyncItemsRecvd))
	e.counter("table_sync_root_comparisons", "Anti-entropy Merkle root comparisons sent (one per peer and table per pass).", float64(st.SyncPasses))
	e.counter("table_sync_partition_exchanges", "Partitions anti-entropy found differing and exchanged.", float64(st.SyncSessions))
	e.counter("table_layout_sync_rounds", "Tracked sync rounds run for layout changes.", float64(st.SyncRounds))
	e.counter("table_layout_sync_round_failures", "Layout-change sync rounds that failed and were retried.", float64(st.SyncRoundFailures))
	e.counter("table_offloaded_items", "Entries handed to their new holders after a layout change and dropped here.", float64(st.Offloaded))
	e.counter("cluster_layout_merges", "Layout histories merged in from peers.", float64(st.LayoutMerges))
	const lookups = "Access key and bucket lookups of API requests, answered from this node's fresh copy (local) or with a quorum."
	e.emit("api_key_bucket_lookups", lookups, prometheus.CounterValue, float64(st.LocalLookups), prometheus.Labels{"source": "local"})
	e.emit("api_key_bucket_lookups", lookups, prometheus.CounterValue, float64(st.QuorumLookups), prometheus.Labels{"source": "quorum"})
	e.gauge("table_gc_todo_queue_length", "Tombstones waiting for their delay or for every holder before collection.", float64(st.TombstonesQueued))
	e.counter("table_gc_tombstones_collected", "Tombstones collected (deleted everywhere) by this node.", float64(st.TombstonesCollected))
	e.counter("table_gc_rounds", "Tombstone collection rounds that collected a batch.", float64(st.GCRounds))
	e.counter("table_gc_round_failures", "Tombstone collection rounds that could not reach every holder (retried).", float64(st.GCFailures))
}

func (e emitter) workers(w admin.Workers) {
	e.gauge("block_resync_queue_length", "Block hashes queued for a resync.", float64(w.Resync.Queue))
	e.gauge("block_resync_errored_blocks", "Blocks whose last resync failed (should fall back to zero quickly).", float64(w.Resync.Errors))
	e.counter("block_resync_counter", "Resync operations done.", float64(w.Resync.Done))
	e.counter("block_resync_error_counter", "Resync operations that failed.", float64(w.Resync.Failures))
	e.counter("block_resync_fetched_counter", "Missing blocks fetched from peers by resync.", float64(w.Resync.Fetched))
	e.counter("block_delete_counter", "Blocks deleted from this node's storage.", float64(w.Resync.Deleted))
	e.gauge("block_scrub_running", "Whether a scrub is running (0 or 1).", bit(w.Scrub.Running))
	e.counter("block_scrub_blocks_checked", "Blocks checked by scrubs.", float64(w.Scrub.Scrubbed))
	e.counter("block_scrub_corruptions", "Corrupt blocks found by scrubs.", float64(w.Scrub.Corruptions))
	e.gauge("table_insert_queue_length", "Entries queued for insertion on other nodes (the table insert queue).", float64(w.InsertQueue))
}
