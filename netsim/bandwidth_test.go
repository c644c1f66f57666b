package netsim

import (
	"slices"
	"testing"
	"time"
)

const megabyte = 1_000_000

func oneMegabytePerSecond() Config {
	return Config{InterZone: LinkProfile{Latency: 10 * time.Millisecond, Bandwidth: megabyte}}
}

func TestBandwidthQueuesBackToBackMessages(t *testing.T) {
	n := newTestNetwork([]int{0, 1}, oneMegabytePerSecond(), 1)
	first := n.Send(0, 0, 1, megabyte)
	second := n.Send(0, 0, 1, megabyte)
	want1 := int64(time.Second + 10*time.Millisecond)
	if !slices.Equal(first, []int64{want1}) || !slices.Equal(second, []int64{want1 + int64(time.Second)}) {
		t.Errorf("arrivals %v and %v, want %d and %d", first, second, want1, want1+int64(time.Second))
	}
	// The reverse direction has its own queue.
	if got := n.Send(0, 1, 0, megabyte); !slices.Equal(got, []int64{want1}) {
		t.Errorf("reverse direction waited behind the forward queue: %v", got)
	}
	// Once the queue has drained a message is not delayed any more.
	later := int64(5 * time.Second)
	if got := n.Send(later, 0, 1, megabyte); !slices.Equal(got, []int64{later + want1}) {
		t.Errorf("message on an idle link arrived at %v, want %d", got, later+want1)
	}
}

func TestLostMessagesStillOccupyTheLink(t *testing.T) {
	n := newTestNetwork([]int{0, 1}, oneMegabytePerSecond(), 1)
	lossy := n.Link(0, 1)
	lossy.Loss = 1
	n.SetLink(0, 1, lossy)
	if got := n.Send(0, 0, 1, megabyte); got != nil {
		t.Fatalf("message survived certain loss: %v", got)
	}
	n.ClearLink(0, 1)
	if got := n.Send(0, 0, 1, megabyte); !slices.Equal(got, []int64{int64(2*time.Second + 10*time.Millisecond)}) {
		t.Errorf("message after a lost one arrived at %v, want after 2s of transmission", got)
	}
}

func TestCrashDiscardsTheSendQueue(t *testing.T) {
	n := newTestNetwork([]int{0, 1}, oneMegabytePerSecond(), 1)
	n.Send(0, 0, 1, 10*megabyte)
	n.Crash(0)
	n.Restart(0)
	if got := n.Send(0, 0, 1, megabyte); !slices.Equal(got, []int64{int64(time.Second + 10*time.Millisecond)}) {
		t.Errorf("restarted node's message waited behind its pre-crash queue: %v", got)
	}
}

func TestSerialisationRoundsUp(t *testing.T) {
	for _, tc := range []struct {
		size      int
		bandwidth int64
		want      int64
	}{
		{0, 1, 0},
		{1, 3, 333_333_334},
		{megabyte, megabyte, int64(time.Second)},
		{1 << 40, 1, 1<<63 - 1}, // saturates instead of overflowing
	} {
		if got := serialisation(tc.size, tc.bandwidth); got != tc.want {
			t.Errorf("serialisation(%d, %d) = %d, want %d", tc.size, tc.bandwidth, got, tc.want)
		}
	}
}
