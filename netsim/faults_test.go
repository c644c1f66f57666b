package netsim

import (
	"testing"
	"time"
)

// reachability returns which directed pairs of distinct nodes CanDeliver allows.
func reachability(n *Network) map[[2]int]bool {
	r := make(map[[2]int]bool)
	for from := range n.Nodes() {
		for to := range n.Nodes() {
			if from != to {
				r[[2]int{from, to}] = n.CanDeliver(from, to)
			}
		}
	}
	return r
}

func TestPartitionIsSymmetricAndIsolatesUnlisted(t *testing.T) {
	n := newTestNetwork([]int{0, 0, 1, 1, 2}, DefaultConfig(), 1)
	n.Partition([]int{0, 1}, []int{2, 3})
	groupOf := map[int]int{0: 1, 1: 1, 2: 2, 3: 2} // node 4 is in no group
	for pair, ok := range reachability(n) {
		from, to := pair[0], pair[1]
		want := groupOf[from] != 0 && groupOf[from] == groupOf[to]
		if ok != want {
			t.Errorf("CanDeliver(%d, %d) = %v, want %v", from, to, ok, want)
		}
		if ok != n.CanDeliver(to, from) {
			t.Errorf("partition is asymmetric between %d and %d", from, to)
		}
	}
	if !n.CanDeliver(4, 4) {
		t.Error("isolated node cannot reach itself")
	}
	if got := n.Send(0, 0, 2, 10); got != nil {
		t.Errorf("message crossed the partition: %v", got)
	}
	if got := n.Stats().BlockedAtSend; got != 1 {
		t.Errorf("BlockedAtSend = %d, want 1", got)
	}
}

func TestPartitionReplacesPrevious(t *testing.T) {
	n := newTestNetwork([]int{0, 0, 0}, DefaultConfig(), 1)
	n.Partition([]int{0}, []int{1, 2})
	n.Partition([]int{0, 1}, []int{2})
	if !n.CanDeliver(0, 1) || n.CanDeliver(1, 2) {
		t.Errorf("second partition did not replace the first: %s", n.Describe())
	}
	mustPanic(t, "node in two groups", func() { n.Partition([]int{0, 1}, []int{1}) })
}

func TestCutIsOneWay(t *testing.T) {
	n := newTestNetwork([]int{0, 1}, DefaultConfig(), 1)
	n.Cut(0, 1)
	if n.CanDeliver(0, 1) {
		t.Error("cut link still delivers")
	}
	if !n.CanDeliver(1, 0) {
		t.Error("cut blocked the reverse direction")
	}
	if got := n.Send(0, 1, 0, 10); len(got) != 1 {
		t.Errorf("reverse direction lost a message: %v", got)
	}
	n.Uncut(0, 1)
	if !n.CanDeliver(0, 1) {
		t.Error("Uncut did not restore the link")
	}
	mustPanic(t, "cutting loopback", func() { n.Cut(1, 1) })
}

func TestHealRemovesPartitionsAndCutsOnly(t *testing.T) {
	n := newTestNetwork([]int{0, 0, 1, 1}, DefaultConfig(), 1)
	slow := LinkProfile{Latency: time.Second}
	n.Partition([]int{0, 1}, []int{2})
	n.Cut(1, 0)
	n.Crash(3)
	n.SetLink(0, 1, slow)
	n.Heal()
	for _, pair := range [][2]int{{0, 1}, {1, 0}, {0, 2}, {2, 1}} {
		if !n.CanDeliver(pair[0], pair[1]) {
			t.Errorf("%d->%d still blocked after Heal", pair[0], pair[1])
		}
	}
	if n.Up(3) || n.CanDeliver(0, 3) {
		t.Error("Heal restarted a crashed node")
	}
	if n.Link(0, 1) != slow {
		t.Error("Heal cleared a link override")
	}
}

func TestFaultsInjectedInFlightBlockDelivery(t *testing.T) {
	n := newTestNetwork([]int{0, 1}, DefaultConfig(), 1)
	if got := n.Send(0, 0, 1, 10); len(got) != 1 {
		t.Fatalf("Send = %v, want one copy", got)
	}
	n.Partition([]int{0}, []int{1})
	if n.Deliver(0, 1) {
		t.Error("copy delivered across a partition made while it was in flight")
	}
	n.Heal()
	if !n.Deliver(0, 1) {
		t.Error("copy refused on a healed network")
	}
	if s := n.Stats(); s.BlockedAtDelivery != 1 || s.Delivered != 1 || s.Blocked() != 1 {
		t.Errorf("stats = %v, want one blocked at delivery and one delivered", s)
	}
}

func TestCrashAndRestart(t *testing.T) {
	n := newTestNetwork([]int{0, 0, 0}, DefaultConfig(), 1)
	n.Send(0, 0, 1, 10) // in flight when 1 crashes
	n.Crash(1)
	n.Crash(1) // already down: no effect
	if n.Up(1) {
		t.Fatal("crashed node is up")
	}
	if n.Send(0, 1, 0, 10) != nil || n.Send(0, 2, 1, 10) != nil {
		t.Error("a crashed node sent or was sent a message")
	}
	if n.Deliver(0, 1) {
		t.Error("in-flight copy delivered to a crashed node")
	}
	if !n.CanDeliver(0, 2) {
		t.Error("crash of node 1 affected 0->2")
	}
	n.Restart(1)
	n.Restart(1) // already up: no effect
	if !n.Up(1) || !n.CanDeliver(0, 1) || !n.CanDeliver(1, 0) {
		t.Error("restarted node is unreachable")
	}
	if got := n.Incarnation(1); got != 1 {
		t.Errorf("Incarnation = %d after one restart, want 1", got)
	}
	if got := n.Incarnation(0); got != 0 {
		t.Errorf("Incarnation of an untouched node = %d", got)
	}
}

func TestSetLinkOverridesOneDirection(t *testing.T) {
	n := newTestNetwork([]int{0, 0}, Config{IntraZone: LinkProfile{Latency: time.Millisecond}}, 1)
	n.SetLink(0, 1, LinkProfile{Latency: time.Second})
	if got := n.Send(0, 0, 1, 10); got[0] != int64(time.Second) {
		t.Errorf("overridden link arrival %v, want 1s", time.Duration(got[0]))
	}
	if got := n.Send(0, 1, 0, 10); got[0] != int64(time.Millisecond) {
		t.Errorf("reverse link arrival %v, want 1ms", time.Duration(got[0]))
	}
	n.ClearLink(0, 1)
	if got := n.Send(0, 0, 1, 10); got[0] != int64(time.Millisecond) {
		t.Errorf("cleared link arrival %v, want 1ms", time.Duration(got[0]))
	}
}
