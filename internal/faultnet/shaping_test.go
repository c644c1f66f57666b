package faultnet

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestLossStallDoublesUpToTheCap(t *testing.T) {
	want := []time.Duration{200, 400, 800, 1600, 3000, 3000, 3000}
	for i, w := range want {
		if got := lossStall(i); got != w*time.Millisecond {
			t.Errorf("lossStall(%d) = %v, want %v", i, got, w*time.Millisecond)
		}
	}
	if got := lossStall(100); got != lossStallMax {
		t.Errorf("lossStall(100) = %v", got)
	}
}

func TestPacerKeepsToTheRate(t *testing.T) {
	const rate, total = 4 << 20, 1 << 20
	var p pacer
	now := time.Unix(0, 0)
	for sent := 0; sent < total; {
		now = now.Add(p.wait(now))
		piece := min(pieceSize(rate), total-sent)
		p.spend(now, piece, rate)
		sent += piece
	}
	// The first piece leaves at once; each later one waits for the one before.
	want := time.Duration(float64(total-pieceSize(rate)) / rate * float64(time.Second))
	if elapsed := now.Sub(time.Unix(0, 0)); elapsed < want-time.Millisecond || elapsed > want+10*time.Millisecond {
		t.Fatalf("sending 1 MiB at 4 MiB/s took %v of virtual time, want about %v", elapsed, want)
	}
}

func TestPieceSizeStaysWithinAChunk(t *testing.T) {
	for rate, want := range map[int64]int{1: 1, 1000: 20, 1 << 20: 20971, 1 << 30: chunkSize} {
		if got := pieceSize(rate); got != want {
			t.Errorf("pieceSize(%d) = %d, want %d", rate, got, want)
		}
	}
}

func TestQueueBoundsAndOrder(t *testing.T) {
	var held atomic.Int64
	q := newQueue(10, &held)
	stop := make(chan struct{})
	for i := range 3 {
		if err := q.waitSpace(stop, nil); err != nil {
			t.Fatal(err)
		}
		q.push(&chunk{data: []byte{byte(i), byte(i), byte(i), byte(i)}, size: 4})
	}
	if held.Load() != 12 {
		t.Fatalf("held %d bytes, want 12", held.Load())
	}
	close(stop)
	if err := q.waitSpace(stop, nil); err != errTornDown {
		t.Fatalf("waitSpace on a full queue = %v, want errTornDown", err)
	}
	for i := range 3 {
		c, err := q.head(nil, nil)
		if err != nil || c.data[0] != byte(i) {
			t.Fatalf("head %d = %v, %v", i, c, err)
		}
		q.pop()
	}
	q.closeInput()
	if c, err := q.head(nil, nil); c != nil || err != nil {
		t.Fatalf("head after EOF = %v, %v; want nil, nil", c, err)
	}
	if held.Load() != 0 {
		t.Fatalf("held %d bytes after popping all", held.Load())
	}
}

func TestShapeSanitized(t *testing.T) {
	got := Shape{Delay: -1, Jitter: -1, Bandwidth: -1, Loss: 2}.sanitized()
	if got != (Shape{Loss: 1}) {
		t.Fatalf("sanitized = %+v", got)
	}
}
