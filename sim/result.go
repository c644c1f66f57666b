package sim

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
	"github.com/garagego/garage/node/wire"
)

// Result is a run's outcome: what happened and what the checker found.
type Result struct {
	Options  Options
	History  checker.History
	Report   checker.Report
	Liveness []string // final reads that did not succeed once everything healed
	Blocks   []string // block placement and garbage collection problems after healing
	Layout   []string // layout versions not retired, data left behind, after healing
	// Tombstones names the nodes still holding tombstones whose collection
	// is overdue after healing.
	Tombstones []string
	// Durability lists the driver's breaches of the Ready contract.
	Durability []string
	// Monotonic holds the monotonic-read violations (P4), always computed;
	// they fail the run only when required (RepairOnRead, or
	// RequireMonotonicReads): without repair-on-read they are allowed.
	Monotonic []checker.Violation
	Diverged  []checker.Violation // replicas that disagree after healing
	// K2V is the K2V workload's history (empty without one); its
	// violations are in Report.
	K2V       checker.K2VHistory
	TraceHash uint64
	Stats     Stats
	Schedule  []Fault
}

// Ok reports whether the run satisfied every property.
func (r *Result) Ok() bool {
	return len(r.Failed(r.Options.monotonicRequired())) == 0
}

// Properties a run checks, as Failed names them.
const (
	PropReadAfterWrite = string(checker.ReadAfterWrite)
	PropNoPhantom      = string(checker.NoPhantom)
	PropWriteOrder     = string(checker.WriteOrder)
	PropListing        = string(checker.Listing)
	PropWellFormed     = string(checker.WellFormed)
	PropConvergence    = string(checker.Convergence)
	PropMonotonicReads = string(checker.MonotonicReads)
	PropResurrection   = string(checker.Resurrection)
	PropVersionsListed = string(checker.VersionsListed)
	PropVersionRead    = string(checker.VersionRead)
	PropLockedKept     = string(checker.LockedKept)
	PropK2VLost        = string(checker.K2VLost)
	PropK2VSuperseded  = string(checker.K2VSuperseded)
	PropK2VSiblings    = string(checker.K2VSiblings)
	PropK2VReadAfter   = string(checker.K2VReadAfterWrite)
	PropK2VPoll        = string(checker.K2VPollProperty)
	PropK2VIndex       = string(checker.K2VIndexCounts)
	PropK2VPhantom     = string(checker.K2VPhantom)
	PropTombstones     = "tombstones"
	PropDurability     = "durability"
	PropLiveness       = "liveness"
	PropBlocks         = "blocks"
	PropLayout         = "layout"
)

// Properties lists every property name, in report order.
var Properties = []string{PropWellFormed, PropReadAfterWrite, PropResurrection, PropNoPhantom, PropWriteOrder, PropListing,
	PropVersionsListed, PropVersionRead, PropLockedKept,
	PropK2VLost, PropK2VSuperseded, PropK2VSiblings, PropK2VReadAfter, PropK2VPoll, PropK2VIndex, PropK2VPhantom, PropConvergence, PropLiveness, PropBlocks, PropLayout, PropTombstones, PropDurability, PropMonotonicReads}

// Failed names the properties the run violated, in report order; monotonic
// reads count only if withMonotonic.
func (r *Result) Failed(withMonotonic bool) []string {
	var out []string
	for _, p := range Properties {
		var n int
		switch p {
		case PropConvergence:
			n = len(r.Diverged)
		case PropLiveness:
			n = len(r.Liveness)
		case PropBlocks:
			n = len(r.Blocks)
		case PropLayout:
			n = len(r.Layout)
		case PropTombstones:
			n = len(r.Tombstones)
		case PropDurability:
			n = len(r.Durability)
		case PropMonotonicReads:
			if withMonotonic {
				n = len(r.Monotonic)
			}
		default:
			n = r.Report.Count(checker.Property(p))
		}
		if n > 0 {
			out = append(out, p)
		}
	}
	return out
}

// Violations lists every violation, history and convergence alike.
func (r *Result) Violations() []checker.Violation {
	return append(slices.Clone(r.Report.Violations), r.Diverged...)
}

func (s *Sim) check() *Result {
	r := &Result{
		Options:    s.opts,
		History:    s.history,
		Report:     checker.Check(s.history),
		Diverged:   checker.CheckConvergence(s.replicaStates()),
		Blocks:     s.checkBlocks(),
		Layout:     s.checkLayout(),
		Tombstones: s.checkTombstones(),
		Durability: s.durability,
		Monotonic:  checker.CheckMonotonicReads(s.history),
		TraceHash:  uint64(s.hash),
		Stats:      s.stats,
		Schedule:   s.schedule,
	}
	s.checkK2V(r)
	for _, nd := range s.nodes {
		e := nd.n.Tables()
		r.Stats.TombstonesCollected += int(e.Stats().TombstonesCollected)
		for _, id := range e.Tables() {
			r.Stats.TombstonesLeft += e.Tombstones(id)
		}
	}
	for _, op := range s.history {
		if op.Call > s.finalCall && op.Outcome != checker.OK {
			r.Liveness = append(r.Liveness, fmt.Sprintf("%v via a healed cluster: %v", op, op.Outcome))
		}
	}
	return r
}

// checkTombstones requires every tombstone to be collected once its delay
// passed: after healing every holder is up, so nothing keeps it.
func (s *Sim) checkTombstones() []string {
	if s.opts.TombstoneDelay <= 0 {
		return nil
	}
	var out []string
	for _, nd := range s.nodes {
		if n := nd.n.Tables().Uncollected(s.localNow(nd)); n > 0 {
			out = append(out, fmt.Sprintf("n%d holds %d tombstones past their collection time", nd.idx, n))
		}
	}
	return out
}

// replicaStates gathers, for every table and partition, what each of its
// holders stores, as (key, value hash) items for the convergence check.
func (s *Sim) replicaStates() []checker.ReplicaState {
	var states []checker.ReplicaState
	engine := s.nodes[0].n.Tables()
	h := s.newestLayout()
	names := make([]string, len(s.nodes))
	for i := range s.nodes {
		names[i] = "n" + strconv.Itoa(i)
	}
	var group []checker.ReplicaState
	for _, id := range engine.Tables() {
		name := engine.TableName(id)
		for p := range cluster.NumPartitions {
			part := cluster.Partition(p)
			holders := h.Current().NodesOf(part)
			if engine.Replication(id) == table.FullCopy {
				holders = h.Nodes()
			}
			group = group[:0]
			held := 0
			for _, nodeID := range holders {
				nd := s.nodes[s.index[nodeID]]
				st := checker.ReplicaState{Replica: names[nd.idx]}
				for _, kv := range nd.n.Tables().LocalEntries(id, part) {
					sum := cluster.Sum(kv.Value)
					st.Items = append(st.Items, checker.Item{
						Key:   checker.Key{Partition: hex.EncodeToString([]byte(kv.Key))},
						Stamp: checker.Stamp(hex.EncodeToString(sum[:])),
					})
				}
				held += len(st.Items)
				group = append(group, st)
			}
			if held == 0 {
				continue // every holder is empty: they agree
			}
			for _, st := range group {
				st.Group = name + "/partition " + strconv.Itoa(p)
				states = append(states, st)
			}
		}
	}
	return states
}

// checkBlocks verifies, once everything healed and garbage collection ran,
// that every block a live reference points to is on every holder of its
// partition, intact; that no block sits on a disk without a live reference;
// and that each node's reference counts match the references it holds.
func (s *Sim) checkBlocks() []string {
	var problems problemList
	report := problems.add
	cur := s.newestLayout().Current()
	referenced := map[cluster.Hash]bool{}
	for _, nd := range s.nodes {
		counts := map[cluster.Hash]uint64{}
		for p := range cluster.NumPartitions {
			if !cur.Stores(nd.id, cluster.Partition(p)) {
				continue
			}
			for _, kv := range nd.n.Tables().LocalEntries(model.BlockRefsTable, cluster.Partition(p)) {
				d := wire.NewDecoder(kv.Value)
				ref := model.DecodeBlockRef(d)
				if !ref.Deleted {
					counts[ref.Block]++
					referenced[ref.Block] = true
				}
			}
		}
		for _, h := range sortedHashes(counts) {
			if got := nd.n.Blocks().RefCount(h).Count; got != counts[h] {
				report("n%d counts %d references to block %x but holds %d live ones", nd.idx, got, h[:8], counts[h])
			}
		}
		nd.n.Blocks().RefCounts(func(h cluster.Hash, rc block.RefCount) bool {
			if rc.Count > 0 && counts[h] == 0 {
				report("n%d counts %d references to block %x but holds none", nd.idx, rc.Count, h[:8])
			}
			return true
		})
	}
	for _, h := range sortedHashes(referenced) {
		for _, id := range cur.NodesOf(h.Partition()) {
			nd := s.nodes[s.index[id]]
			if b, ok := nd.blocks.blocks[h]; !ok || b.corrupt {
				report("referenced block %x missing or corrupt on n%d", h[:8], nd.idx)
			}
		}
	}
	for _, nd := range s.nodes {
		for _, h := range nd.blocks.sorted() {
			if !referenced[h] {
				report("orphan block %x on n%d: no live reference, yet not collected", h[:8], nd.idx)
			}
		}
	}
	return problems
}

func sortedHashes[V any](m map[cluster.Hash]V) []cluster.Hash {
	hs := make([]cluster.Hash, 0, len(m))
	for h := range m {
		hs = append(hs, h)
	}
	slices.SortFunc(hs, compareHash)
	return hs
}

// Summary is a one-screen account of the run.
func (r *Result) Summary() string {
	var b strings.Builder
	b.WriteString(r.Options.Describe())
	st := r.Stats
	fmt.Fprintf(&b, "ops: %d ok, %d failed, %d unknown; %d messages, %d events, %v virtual\n",
		st.OpsOK, st.OpsFailed, st.OpsUnknown, st.Messages, st.Events, st.VirtualEnd)
	fmt.Fprintf(&b, "tombstones: %d collected, %d left (delay %v)\n", st.TombstonesCollected, st.TombstonesLeft, r.Options.TombstoneDelay)
	if r.Options.Versioned {
		fmt.Fprintf(&b, "versions: %d deleted by id, %d read by id, %d listings\n", st.VersionsDeleted, st.VersionReadsFound, st.VersionListings)
	}
	if r.Options.K2VShare > 0 {
		k := st.K2V
		fmt.Fprintf(&b, "k2v: %d inserts acknowledged, %d reads with siblings, %d polls answered, %d timed out\n", k.Inserts, k.Siblings, k.PollsChanged, k.PollsTimedOut)
	}
	var faults []string
	for k := Partition; k <= LoseMetadata; k++ {
		if n := st.Faults[k]; n > 0 {
			faults = append(faults, fmt.Sprintf("%d %v", n, k))
		}
	}
	if len(faults) == 0 {
		faults = []string{"none"}
	}
	fmt.Fprintf(&b, "faults injected: %s\n", strings.Join(faults, ", "))
	if st.LayoutApplied+st.LayoutRefused > 0 {
		var kinds []string
		for k := AddNode; k <= ChangeRF; k++ {
			if n := st.Changes[k]; n > 0 {
				kinds = append(kinds, fmt.Sprintf("%d %v", n, k))
			}
		}
		fmt.Fprintf(&b, "layout: %d changes applied (%s), %d refused or unanswered\n", st.LayoutApplied, strings.Join(kinds, ", "), st.LayoutRefused)
	}
	fmt.Fprintf(&b, "trace hash: %016x\n", r.TraceHash)
	if r.Ok() {
		versions := ""
		if r.Options.Versioned {
			versions = ", versions listed, versions read by id, locked versions kept"
		}
		if r.Options.K2VShare > 0 {
			versions += ", k2v (no lost value, superseded stays gone, siblings, read-after-write, polls, index counts, no phantom)"
		}
		fmt.Fprintf(&b, "verdict: PASS (read-after-write, no resurrection, no phantoms, write order, listings%s, convergence, liveness after heal, blocks, layout, tombstones collected, durable before revealed)\n", versions)
		return b.String()
	}
	b.WriteString("verdict: FAIL\n")
	if !r.Report.Ok() {
		b.WriteString(r.Report.String())
	}
	for i, v := range r.Diverged {
		if i == 5 {
			fmt.Fprintf(&b, "... and %d more divergences\n", len(r.Diverged)-i)
			break
		}
		fmt.Fprintln(&b, v)
	}
	for _, problem := range r.Blocks {
		fmt.Fprintln(&b, "[blocks]", problem)
	}
	for _, problem := range r.Layout {
		fmt.Fprintln(&b, "[layout]", problem)
	}
	for _, problem := range r.Tombstones {
		fmt.Fprintln(&b, "[tombstones]", problem)
	}
	for _, problem := range r.Durability {
		fmt.Fprintln(&b, "[durability]", problem)
	}
	if r.Options.monotonicRequired() {
		for i, v := range r.Monotonic {
			if i == 5 {
				fmt.Fprintf(&b, "... and %d more monotonic-read violations\n", len(r.Monotonic)-i)
				break
			}
			fmt.Fprintln(&b, v)
		}
	}
	for i, l := range r.Liveness {
		if i == 5 {
			fmt.Fprintf(&b, "... and %d more failed final reads\n", len(r.Liveness)-i)
			break
		}
		fmt.Fprintln(&b, "[liveness]", l)
	}
	return b.String()
}

// Run is New followed by Sim.Run.
func Run(opts Options) (*Result, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	return s.Run()
}

// newestLayout is the layout history of the node with the newest version
// (after healing, every node should hold the same).
func (s *Sim) newestLayout() *layout.History {
	newest := s.nodes[0].n.Layout()
	for _, nd := range s.nodes[1:] {
		if h := nd.n.Layout(); h.Current().Number > newest.Current().Number {
			newest = h
		}
	}
	return newest
}

// checkLayout verifies, once everything healed, that layout changes
// finished: every node holds the newest version and only it (older
// versions retired once synced), and no node keeps entries or blocks of a
// partition it no longer stores (they were handed over, then dropped).
func (s *Sim) checkLayout() []string {
	var problems problemList
	report := problems.add
	newest := s.newestLayout()
	cur := newest.Current()
	for _, nd := range s.nodes {
		h := nd.n.Layout()
		if h.Current().Number != cur.Number {
			report("n%d is at layout version %d, the cluster at %d", nd.idx, h.Current().Number, cur.Number)
		}
		if len(h.Versions) > 1 {
			var live []uint64
			for _, v := range h.Versions {
				live = append(live, v.Number)
			}
			report("n%d still has layout versions %v live (ack %d, sync %d, sync-ack %d)", nd.idx, live,
				h.Trackers.Ack.Get(nd.id), h.Trackers.Sync.Get(nd.id), h.Trackers.SyncAck.Get(nd.id))
		}
		engine := nd.n.Tables()
		for p := range cluster.NumPartitions {
			part := cluster.Partition(p)
			if cur.Stores(nd.id, part) {
				continue
			}
			for _, id := range engine.Tables() {
				if engine.Replication(id) == table.Sharded {
					if n := len(engine.LocalEntries(id, part)); n > 0 {
						report("n%d keeps %d entries of %s partition %d, which it no longer stores", nd.idx, n, engine.TableName(id), p)
					}
				}
			}
		}
		for _, h := range nd.blocks.sorted() {
			if !cur.Stores(nd.id, h.Partition()) {
				report("n%d keeps block %x, whose partition it no longer stores", nd.idx, h[:8])
			}
		}
	}
	return problems
}

// problemList collects the first maxProblems problems a check finds.
type problemList []string

const maxProblems = 20

func (l *problemList) add(format string, args ...any) {
	if len(*l) < maxProblems {
		*l = append(*l, fmt.Sprintf(format, args...))
	}
}
