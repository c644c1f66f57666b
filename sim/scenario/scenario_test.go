package scenario

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/sim"
)

const small = `
name: small
seed: 7
cluster: {nodes: 4, zones: 2, spares: 1, replication_factor: 2}
network:
  inter_zone: {latency: 20ms, jitter: 2ms, loss: 0.01}
workload: {clients: 3, ops: 60, think: 10ms, objects: 50, keys: {partitions: 2, sort: 3, objects: 4}}
timeline:
  - {at: 1s, partition: [[z0], [z1]], for: 2s}
  - {at: 2s, crash: [1, 2], for: 1s}
  - {at: 3s, cut: {from: 0, to: 3}, repeat: {every: 1s, times: 2}}
  - {at: 4s, slow_link: {from: 0, to: 1, latency: 200ms}, for: 1s}
  - {at: 5s, skew: {node: 3, by: -2s}}
  - {at: 6s, corrupt_block: {node: 0, pick: 9}}
  - {at: 7s, add_node: {node: 4, zone: 1, capacity: 2T}}
  - {at: 8s, replication: 3}
  - {at: 9s, layout_change: random}
`

func TestParseTimeline(t *testing.T) {
	sc, err := Parse("small.yaml", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Seed != 7 || sc.Options.Nodes != 4 || sc.Options.Spares != 1 || sc.Options.Net.InterZone.Latency != 20*time.Millisecond {
		t.Fatalf("options %+v", sc.Options)
	}
	var got []string
	for _, f := range sc.Timeline {
		got = append(got, f.String())
	}
	joined := strings.Join(got, "\n")
	for _, w := range []string{"1s partition [0 2 4] [1 3]", "2s crash node 1", "2s crash node 2", "3s heal", "3s restart node 1",
		"3s cut 0->3", "4s cut 0->3", "4s slow-link 0->1", "5s restore-link 0->1", "5s skew node 3 by -2s",
		"6s corrupt-block node 0 block #9", "7s change-layout add node 4 in z1", "8s change-layout set replication factor 3",
		"9s change-layout any change"} {
		if !strings.Contains(joined, w) {
			t.Errorf("timeline lacks %q:\n%s", w, joined)
		}
	}
}

func TestTimelineRoundTrip(t *testing.T) {
	sc, err := Parse("small.yaml", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	text, err := sc.Variant("again", "the same timeline, written back", 9, sc.Timeline)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("again.yaml", text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if back.Name != "again" || back.Seed != 9 || !reflect.DeepEqual(back.Timeline, sc.Timeline) || !reflect.DeepEqual(back.Options, sc.Options) {
		t.Fatalf("round trip changed the scenario:\n%s", text)
	}
}

// Every mistake is reported with its file, line, column and field.
func TestParseErrorsNameLineAndField(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"cluster: {nodes: 3, zones: 3, replicaton: 2}\n", `bad.yaml:1:31: cluster.replicaton: unknown field (known: nodes, zones`},
		{"cluster:\n  nodes: three\n", `bad.yaml:2:10: cluster.nodes: want a whole number, got "three"`},
		{"cluster: {nodes: 3}\nnetwork:\n  inter_zone: {loss: 1.5}\n", `bad.yaml:3:22: network.inter_zone.loss: want a probability between 0 and 1, got "1.5"`},
		{"cluster: {nodes: 3}\nworkload: {think: fast}\n", `bad.yaml:2:19: workload.think: want a duration such as 500us, 2s or 1h, got "fast"`},
		{"cluster: {nodes: 3}\ntimeline:\n  - {at: 1s, crash: 7}\n", `bad.yaml:3:21: timeline[0].crash: 7 is out of range [0, 2]`},
		{"cluster: {nodes: 3}\ntimeline:\n  - {crash: 1}\n", `bad.yaml:3:5: timeline[0]: missing at`},
		{"cluster: {nodes: 3}\ntimeline:\n  - {at: 1s, crash: 1, heal: true}\n", `bad.yaml:3:5: timeline[0]: want exactly one event`},
		{"cluster: {nodes: 3}\ntimeline:\n  - {at: 1s, wipe_disk: 1, for: 2s}\n", `bad.yaml:3:33: timeline[0].for: only partition, cut, crash`},
		{"cluster: {nodes: 3}\ntimeline:\n  - {at: 1s, partition: [[0, 1], [1, 2]]}\n", `bad.yaml:3:35: timeline[0].partition[1][0]: node 1 is in two groups`},
		{"cluster: {nodes: 3}\ncheck: [read-after-write, speed]\n", `bad.yaml:2:27: check[1]: unknown property "speed"`},
		{"cluster: {nodes: 3, replication_factor: 3, gateways: [0]}\n", `gateways: 1 of 3 nodes leave fewer storage nodes than the replication factor 3`},
		{"seed: 1\n", `bad.yaml: cluster: missing`},
	} {
		_, err := Parse("bad.yaml", []byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %s", tc.doc, err, tc.want)
		}
	}
}

func TestSeveralErrorsAtOnce(t *testing.T) {
	_, err := Parse("bad.yaml", []byte("cluster: {nodes: x, zones: y}\nworkload: {clients: 0}\n"))
	if err == nil || strings.Count(err.Error(), "\n") < 2 {
		t.Fatalf("want three problems, got %v", err)
	}
}

// A scenario that expects a violation fails when it does not occur, and a
// checked property that fails fails the verdict.
func TestVerdict(t *testing.T) {
	sc := &Scenario{Check: []string{sim.PropReadAfterWrite, sim.PropLiveness}, Expect: []string{sim.PropMonotonicReads}}
	r := &sim.Result{}
	if v := sc.Judge(r); v.Pass() || len(v.Missing) != 1 {
		t.Fatalf("verdict %v, want the missing monotonic-read violation", v)
	}
	r.Liveness = []string{"a final read failed"}
	if v := sc.Judge(r); len(v.Violated) != 1 || v.Violated[0] != sim.PropLiveness {
		t.Fatalf("verdict %v", v)
	}
}

func TestRunSmall(t *testing.T) {
	sc, err := Parse("small.yaml", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	a, va, err := sc.Run(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := sc.Run(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.TraceHash != b.TraceHash {
		t.Fatalf("two runs of seed 7: %x and %x", a.TraceHash, b.TraceHash)
	}
	if !va.Pass() {
		t.Fatalf("%v\n%s", va, a.Summary())
	}
	if a.Stats.Faults[sim.Crash] != 2 || a.Stats.LayoutApplied < 2 {
		t.Fatalf("faults %v, %d layout changes\n%s", a.Stats.Faults, a.Stats.LayoutApplied, a.Summary())
	}
}

// The format reference in the README parses: documentation that drifts
// from the code fails here.
func TestReadmeExampleParses(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "The format (every field")
	if !ok {
		t.Fatal("README has no scenario format section")
	}
	_, block, _ := strings.Cut(after, "```yaml\n")
	block, _, _ = strings.Cut(block, "```")
	sc, err := Parse("README.md", []byte(block))
	if err != nil {
		t.Fatalf("the README's example does not load:\n%v", err)
	}
	if len(sc.Timeline) < 10 || sc.RandomFaults == nil || len(sc.Expect) != 1 {
		t.Fatalf("the README's example lost fields: %+v", sc)
	}
}

// TestEveryPlantableBugIsOfferedByTheCLI keeps `garage sim run --bug`'s
// list and PlantBug's in step.
func TestEveryPlantableBugIsOfferedByTheCLI(t *testing.T) {
	src, err := os.ReadFile("../../cmd/garage/sim.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range Bugs() {
		if !strings.Contains(string(src), b) {
			t.Errorf("bug %q is not offered by garage sim run --bug", b)
		}
	}
}

// A scenario's 0 for copies, ties and range reads after writes means none,
// where the simulator's own 0 means its default.
func TestWorkloadModes(t *testing.T) {
	for _, tc := range []struct {
		workload             string
		copies, ties, ranges int
	}{
		{"{copies: 25, ties: 3, range_after_write: 40}", 25, 3, 40},
		{"{copies: 0, ties: 0, range_after_write: 0}", -1, -1, -1},
		{"{clients: 2}", 0, 0, 0},
	} {
		sc, err := Parse("modes.yaml", []byte("cluster: {nodes: 3}\nworkload: "+tc.workload+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if o := sc.Options; o.CopyShare != tc.copies || o.TieWriters != tc.ties || o.RangeAfterWrite != tc.ranges {
			t.Errorf("%s: copies %d, ties %d, range after write %d; want %d, %d, %d", tc.workload, o.CopyShare, o.TieWriters, o.RangeAfterWrite,
				tc.copies, tc.ties, tc.ranges)
		}
	}
	if _, err := Parse("modes.yaml", []byte("cluster: {nodes: 3}\nworkload: {copies: 101}\n")); err == nil || !strings.Contains(err.Error(), "workload.copies") {
		t.Errorf("copies: 101 gave %v, want an error naming workload.copies", err)
	}
}

// versioned turns the versioned workload on; version_ops, like copies,
// takes 0 for none and leaves the simulator's default when absent.
func TestVersionedWorkload(t *testing.T) {
	for _, tc := range []struct {
		workload  string
		versioned bool
		share     int
	}{
		{"{objects: 50, versioned: true}", true, 0},
		{"{objects: 50, versioned: true, version_ops: 40}", true, 40},
		{"{objects: 50, versioned: true, version_ops: 0}", true, -1},
		{"{objects: 50}", false, 0},
	} {
		sc, err := Parse("versions.yaml", []byte("cluster: {nodes: 3}\nworkload: "+tc.workload+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if o := sc.Options; o.Versioned != tc.versioned || o.VersionShare != tc.share {
			t.Errorf("%s: versioned %v, version share %d; want %v, %d", tc.workload, o.Versioned, o.VersionShare, tc.versioned, tc.share)
		}
	}
	if _, err := Parse("versions.yaml", []byte("cluster: {nodes: 3}\nworkload: {versioned: 3}\n")); err == nil || !strings.Contains(err.Error(), "workload.versioned") {
		t.Errorf("versioned: 3 gave %v, want an error naming workload.versioned", err)
	}
}
