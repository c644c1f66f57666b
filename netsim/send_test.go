package netsim

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var faultyLink = LinkProfile{
	Latency:      10 * time.Millisecond,
	Jitter:       5 * time.Millisecond,
	Loss:         0.1,
	Duplicate:    0.1,
	Reorder:      0.1,
	ReorderDelay: 20 * time.Millisecond,
	Bandwidth:    10_000_000,
}

// runScript drives a network through sends interleaved with faults and
// records everything it returns.
func runScript(seed uint64) (arrivals [][]int64, describe []string, stats Stats) {
	n := newTestNetwork([]int{0, 0, 1, 1, 2}, Config{IntraZone: faultyLink, InterZone: faultyLink}, seed)
	for i := range 2000 {
		now := int64(i) * int64(time.Millisecond)
		switch i {
		case 500:
			n.Partition([]int{0, 1, 2}, []int{3})
		case 900:
			n.Cut(1, 0)
			n.Crash(2)
		case 1300:
			n.Heal()
			n.Restart(2)
		}
		arrivals = append(arrivals, n.Send(now, i%5, (i*3+1)%5, 100+i%7*1000))
		describe = append(describe, n.Describe())
	}
	return arrivals, describe, n.Stats()
}

func TestSameSeedSameDecisions(t *testing.T) {
	a1, d1, s1 := runScript(7)
	a2, d2, s2 := runScript(7)
	if !slices.EqualFunc(a1, a2, slices.Equal) {
		t.Error("same seed gave different arrival times")
	}
	if !slices.Equal(d1, d2) || s1 != s2 {
		t.Errorf("same seed gave different state:\n%v\n%v", s1, s2)
	}
	a3, _, _ := runScript(8)
	if slices.EqualFunc(a1, a3, slices.Equal) {
		t.Error("different seeds gave identical arrival times")
	}
}

func TestLatencyStaysWithinZoneProfile(t *testing.T) {
	cfg := DefaultConfig()
	n := newTestNetwork([]int{0, 0, 1}, cfg, 1)
	for _, tc := range []struct {
		name     string
		from, to int
		profile  LinkProfile
	}{
		{"intra-zone", 0, 1, cfg.IntraZone},
		{"inter-zone", 1, 2, cfg.InterZone},
	} {
		lo, hi := int64(tc.profile.Latency), int64(tc.profile.Latency+tc.profile.Jitter)
		minDelay, maxDelay := hi, lo
		for i, copies := range sendMany(n, tc.from, tc.to, 1000, int64(time.Millisecond)) {
			if len(copies) != 1 {
				t.Fatalf("%s: message %d has %d copies on a fault-free link", tc.name, i, len(copies))
			}
			delay := copies[0] - int64(i)*int64(time.Millisecond)
			if delay < lo || delay >= hi {
				t.Fatalf("%s: delay %v outside [%v, %v)", tc.name, time.Duration(delay), time.Duration(lo), time.Duration(hi))
			}
			minDelay, maxDelay = min(minDelay, delay), max(maxDelay, delay)
		}
		// The jitter must actually spread delays over most of its range.
		if spread := maxDelay - minDelay; spread < int64(tc.profile.Jitter)*9/10 {
			t.Errorf("%s: delays spread over only %v of %v jitter", tc.name, time.Duration(spread), tc.profile.Jitter)
		}
	}
	if n.Link(0, 1).Latency >= n.Link(0, 2).Latency {
		t.Error("intra-zone link is not faster than inter-zone link")
	}
}

func TestLossRate(t *testing.T) {
	const sends = 20000
	n := newTestNetwork([]int{0, 1}, Config{InterZone: LinkProfile{Loss: 0.2}}, 2)
	lost := 0
	for _, copies := range sendMany(n, 0, 1, sends, 1) {
		if len(copies) == 0 {
			lost++
		}
	}
	assertNear(t, "loss rate", float64(lost)/sends, 0.2, 0.015)
	if got := n.Stats().Lost; got != int64(lost) {
		t.Errorf("Stats().Lost = %d, counted %d", got, lost)
	}
}

func TestDuplicateRate(t *testing.T) {
	const sends = 20000
	n := newTestNetwork([]int{0, 1}, Config{InterZone: LinkProfile{
		Latency: time.Millisecond, Jitter: time.Millisecond, Duplicate: 0.3,
	}}, 3)
	duplicated, distinctDelays := 0, 0
	for _, copies := range sendMany(n, 0, 1, sends, 1) {
		if len(copies) == 2 {
			duplicated++
			if copies[0] != copies[1] {
				distinctDelays++
			}
		}
	}
	assertNear(t, "duplicate rate", float64(duplicated)/sends, 0.3, 0.015)
	if distinctDelays < duplicated*9/10 {
		t.Errorf("only %d of %d duplicates had their own delay", distinctDelays, duplicated)
	}
	if s := n.Stats(); s.Duplicated != int64(duplicated) || s.Scheduled != sends+int64(duplicated) {
		t.Errorf("stats %v disagree with %d duplicates", s, duplicated)
	}
}

// inversions counts pairs of consecutive sends whose copies arrive in the
// opposite order.
func inversions(arrivals [][]int64) int {
	count := 0
	for i := 1; i < len(arrivals); i++ {
		if arrivals[i][0] < arrivals[i-1][0] {
			count++
		}
	}
	return count
}

func TestReorderLetsLaterMessagesOvertake(t *testing.T) {
	steady := LinkProfile{Latency: time.Millisecond}
	n := newTestNetwork([]int{0, 1}, Config{InterZone: steady}, 4)
	if got := inversions(sendMany(n, 0, 1, 1000, int64(100*time.Microsecond))); got != 0 {
		t.Fatalf("a link without jitter or reordering reordered %d messages", got)
	}

	reordering := steady
	reordering.Reorder, reordering.ReorderDelay = 0.1, 10*time.Millisecond
	n = newTestNetwork([]int{0, 1}, Config{InterZone: reordering}, 4)
	arrivals := sendMany(n, 0, 1, 1000, int64(100*time.Microsecond))
	if got := inversions(arrivals); got < 50 {
		t.Errorf("only %d of 1000 messages were overtaken", got)
	}
	assertNear(t, "reorder rate", float64(n.Stats().Reordered)/1000, 0.1, 0.03)
	for i, copies := range arrivals {
		extra := copies[0] - int64(i)*int64(100*time.Microsecond) - int64(time.Millisecond)
		if extra < 0 || extra > int64(reordering.ReorderDelay) {
			t.Fatalf("message %d delayed %v beyond latency, want at most %v", i, time.Duration(extra), reordering.ReorderDelay)
		}
	}
}

func TestLoopbackIsImmediateAndNeverLost(t *testing.T) {
	hostile := LinkProfile{Latency: time.Second, Loss: 1}
	n := newTestNetwork([]int{0, 0, 1}, Config{IntraZone: hostile, InterZone: hostile}, 5)
	n.SetLink(2, 2, hostile)
	n.Partition() // isolates everyone
	for i := range 100 {
		now := int64(i * 1000)
		if got := n.Send(now, 2, 2, 1<<20); !slices.Equal(got, []int64{now}) {
			t.Fatalf("loopback at %d arrived at %v", now, got)
		}
	}
	if !n.Deliver(2, 2) {
		t.Error("loopback refused at delivery")
	}
	if got := n.Send(0, 0, 1, 1); got != nil {
		t.Errorf("isolated node reached another: %v", got)
	}
	n.Crash(2)
	if got := n.Send(0, 2, 2, 1); got != nil {
		t.Errorf("crashed node looped back a message: %v", got)
	}
}

// Because every message draws the same random values, raising the loss rate
// must not move the arrival of any message that still gets through.
func TestLossDoesNotShiftOtherDelays(t *testing.T) {
	base := LinkProfile{Latency: time.Millisecond, Jitter: time.Millisecond, Reorder: 0.2, ReorderDelay: time.Millisecond}
	lossy := base
	lossy.Loss = 0.5
	reliable := sendMany(newTestNetwork([]int{0, 1}, Config{InterZone: base}, 6), 0, 1, 1000, 1)
	unreliable := sendMany(newTestNetwork([]int{0, 1}, Config{InterZone: lossy}, 6), 0, 1, 1000, 1)
	survivors := 0
	for i := range reliable {
		if len(unreliable[i]) == 0 {
			continue
		}
		survivors++
		if !slices.Equal(reliable[i], unreliable[i]) {
			t.Fatalf("message %d arrives at %v with loss, %v without", i, unreliable[i], reliable[i])
		}
	}
	if survivors == 0 || survivors == len(reliable) {
		t.Fatalf("%d of %d survived; loss did not apply", survivors, len(reliable))
	}
}

func TestInvalidInputPanics(t *testing.T) {
	n := newTestNetwork([]int{0, 1}, DefaultConfig(), 1)
	mustPanic(t, "Send to node out of range", func() { n.Send(0, 0, 2, 1) })
	mustPanic(t, "Send of negative size", func() { n.Send(0, 0, 1, -1) })
	mustPanic(t, "New with loss > 1", func() {
		newTestNetwork([]int{0}, Config{InterZone: LinkProfile{Loss: 1.5}}, 1)
	})
	mustPanic(t, "New with nil rng", func() { New([]int{0}, DefaultConfig(), nil) })
	mustPanic(t, "SetLink with negative latency", func() { n.SetLink(0, 1, LinkProfile{Latency: -1}) })
}

func TestValidateNamesEveryProblem(t *testing.T) {
	err := Config{IntraZone: LinkProfile{Jitter: -1, Duplicate: -0.1}, InterZone: LinkProfile{Bandwidth: -5}}.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"IntraZone", "Jitter", "Duplicate", "InterZone", "Bandwidth"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("DefaultConfig invalid: %v", err)
	}
}
