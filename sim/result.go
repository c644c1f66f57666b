package sim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/lwwmap"
	"github.com/garagego/garage/node/wire"
)

// Result is a run's outcome: what happened and what the checker found.
type Result struct {
	Options   Options
	History   checker.History
	Report    checker.Report
	Liveness  []string            // final reads that did not succeed once everything healed
	Diverged  []checker.Violation // replicas that disagree after healing
	TraceHash uint64
	Stats     Stats
	Schedule  []Fault
}

// Ok reports whether the run satisfied every property.
func (r *Result) Ok() bool { return r.Report.Ok() && len(r.Diverged) == 0 && len(r.Liveness) == 0 }

// Violations lists every violation, history and convergence alike.
func (r *Result) Violations() []checker.Violation {
	return append(slices.Clone(r.Report.Violations), r.Diverged...)
}

func (s *Sim) check() *Result {
	r := &Result{
		Options:   s.opts,
		History:   s.history,
		Report:    checker.Check(s.history),
		Diverged:  checker.CheckConvergence(s.replicaStates()),
		TraceHash: uint64(s.hash),
		Stats:     s.stats,
		Schedule:  s.schedule,
	}
	for _, op := range s.history {
		if op.Call > s.finalCall && op.Outcome != checker.OK {
			r.Liveness = append(r.Liveness, fmt.Sprintf("%v via a healed cluster: %v", op, op.Outcome))
		}
	}
	return r
}

// replicaStates gathers, for every partition, what each of its holders
// stores, as (key, stamp) items for the convergence check.
func (s *Sim) replicaStates() []checker.ReplicaState {
	var states []checker.ReplicaState
	for p := range cluster.NumPartitions {
		part := cluster.Partition(p)
		holders := s.nodes[0].n.Layout().Current().NodesOf(part)
		for _, id := range holders {
			nd := s.nodes[s.index[id]]
			st := checker.ReplicaState{Group: fmt.Sprintf("registers/partition %d", p), Replica: fmt.Sprint("n", nd.idx)}
			for _, kv := range nd.n.Tables().LocalEntries(lwwmap.TableID, part) {
				d := wire.NewDecoder(kv.Value)
				reg := crdt.DecodeRegister(d)
				st.Items = append(st.Items, checker.Item{
					Key:   checker.Key{Partition: fmt.Sprintf("%x", kv.Key)},
					Stamp: checker.Stamp(lwwmap.StampOrder(reg)),
				})
			}
			states = append(states, st)
		}
	}
	return states
}

// Summary is a one-screen account of the run.
func (r *Result) Summary() string {
	var b strings.Builder
	b.WriteString(r.Options.Describe())
	st := r.Stats
	fmt.Fprintf(&b, "ops: %d ok, %d failed, %d unknown; %d messages, %d events, %v virtual\n",
		st.OpsOK, st.OpsFailed, st.OpsUnknown, st.Messages, st.Events, st.VirtualEnd)
	var faults []string
	for k := Partition; k <= RestoreLink; k++ {
		if n := st.Faults[k]; n > 0 {
			faults = append(faults, fmt.Sprintf("%d %v", n, k))
		}
	}
	if len(faults) == 0 {
		faults = []string{"none"}
	}
	fmt.Fprintf(&b, "faults injected: %s\n", strings.Join(faults, ", "))
	fmt.Fprintf(&b, "trace hash: %016x\n", r.TraceHash)
	if r.Ok() {
		b.WriteString("verdict: PASS (read-after-write, no phantoms, write order, listings, convergence, liveness after heal)\n")
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
