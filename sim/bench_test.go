package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node/model"
)

// BenchmarkSimulator measures simulated client operations per real second
// for a 5-node, 3-zone cluster with faults (partitions, crashes, loss,
// skew), checking included. Run on one core: go test -bench Simulator -cpu 1.
func BenchmarkSimulator(b *testing.B) {
	ops := 0
	seed := uint64(0)
	for b.Loop() {
		seed++
		r, err := Run(Options{Seed: seed, Ops: 2000})
		if err != nil {
			b.Fatal(err)
		}
		if !r.Ok() {
			b.Fatalf("seed %d failed:\n%s", seed, r.Summary())
		}
		ops += len(r.History)
	}
	b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkNewNodeSync measures how long a node joining a 5-node cluster
// takes to become fully synced when the cluster holds N one-block objects:
// from the apply until every node reads from the new layout version and
// retired the old one (metadata), and until the new node also fetched
// every block it now holds (blocks, at the simulator's resync settings: 4
// workers, tranquility 1, over 50 ms links). Virtual time is what the
// simulated cluster took; real time is what simulating it took. Light
// client load goes on meanwhile. Run once:
// go test -run '^$' -bench NewNodeSync -benchtime 1x ./sim
func BenchmarkNewNodeSync(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var meta, blocks, real time.Duration
			var fetched int
			for b.Loop() {
				s, err := New(Options{Seed: 1, NoFaults: true, Spares: 1, Preload: n, PreloadSize: model.InlineThreshold + 100, BlockSize: 4096,
					Clients: 64, Ops: 1 << 30, ThinkTime: time.Second})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.runUntil(func() bool { return s.phase == phaseSafety }); err != nil {
					b.Fatal(err)
				}
				started, wall := s.now, time.Now()
				// Zone 2 has one node: a newcomer there takes half its share.
				s.changeLayout(LayoutChange{Kind: AddNode, Node: 5, Zone: 2, Capacity: 1 << 40})
				newcomer := s.nodes[5].n
				checks := 0
				every := func(cond func() bool) func() bool {
					return func() bool { checks++; return checks%4096 == 0 && cond() }
				}
				settled := func() bool {
					for _, nd := range s.nodes {
						if h := nd.n.Layout(); len(h.Versions) != 1 || h.Current().Number != 2 {
							return false
						}
					}
					return true
				}
				if err := s.runUntil(every(settled)); err != nil {
					b.Fatal(err)
				}
				meta += time.Duration(s.now - started)
				if err := s.runUntil(every(func() bool { return newcomer.Blocks().QueueLen() == 0 })); err != nil {
					b.Fatal(err)
				}
				blocks += time.Duration(s.now - started)
				real += time.Since(wall)
				fetched = len(s.nodes[5].blocks.blocks)
				if fetched == 0 {
					b.Fatal("the new node fetched no blocks")
				}
			}
			b.ReportMetric(meta.Seconds()/float64(b.N), "virtual-s/metadata")
			b.ReportMetric(blocks.Seconds()/float64(b.N), "virtual-s/blocks")
			b.ReportMetric(real.Seconds()/float64(b.N), "real-s")
			b.ReportMetric(float64(fetched), "blocks-fetched")
		})
	}
}

// BenchmarkObjectWorkload measures the object workload with and without
// versioning (a third of the object operations then on versions by id),
// and what the history checks cost on its histories: check-ms is the time
// checker.Check takes per run, measured apart (it is included in ops/s).
// Run on one core: go test -run '^$' -bench ObjectWorkload -cpu 1 -benchtime 10x ./sim
func BenchmarkObjectWorkload(b *testing.B) {
	for _, versioned := range []bool{false, true} {
		b.Run(map[bool]string{false: "unversioned", true: "versioned"}[versioned], func(b *testing.B) {
			ops, seed := 0, uint64(0)
			var check time.Duration
			for b.Loop() {
				seed++
				r, err := Run(Options{Seed: seed, Ops: 2000, ObjectShare: 60, Versioned: versioned})
				if err != nil {
					b.Fatal(err)
				}
				if !r.Ok() {
					b.Fatalf("seed %d failed:\n%s", seed, r.Summary())
				}
				ops += len(r.History)
				start := time.Now()
				checker.Check(r.History)
				check += time.Since(start)
			}
			b.ReportMetric(float64(ops)/(b.Elapsed()-check).Seconds(), "ops/s")
			b.ReportMetric(float64(check.Milliseconds())/float64(b.N), "check-ms")
		})
	}
}
