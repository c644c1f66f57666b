package faultnet

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestRuleChangesDuringTrafficNeverCorrupt streams echoes between several
// sources while another goroutine flips every rule; once healed, every
// byte must come back intact and in order.
func TestRuleChangesDuringTrafficNeverCorrupt(t *testing.T) {
	n := newNetwork(t, WithSeed(7), WithBufferSize(64<<10))
	proxy := listen(t, n, "n3", startEcho(t).addr())

	stop := make(chan struct{})
	var chaos sync.WaitGroup
	chaos.Go(func() {
		r := rand.New(rand.NewPCG(7, 7))
		names := []string{"n1", "n2", "n3"}
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			a, b := names[r.IntN(3)], names[r.IntN(3)]
			switch r.IntN(6) {
			case 0:
				n.Block(a, b)
			case 1:
				n.Unblock(a, b)
			case 2:
				n.SetShape(a, b, Shape{Delay: time.Duration(r.IntN(5)) * time.Millisecond, Jitter: 3 * time.Millisecond, Bandwidth: 8 << 20})
			case 3:
				n.SetShape(a, b, Shape{Loss: 0.01})
			case 4:
				n.Heal()
			case 5:
				n.Stats()
			}
		}
	})

	const size = 512 << 10
	errs := make(chan error, 4)
	var streams sync.WaitGroup
	for i, ip := range []string{ipN1, ipN1, ipN2, ipN2} {
		c := dialFrom(t, ip, proxy)
		streams.Go(func() {
			payload := randomBytes(uint64(10+i), size)
			go func() {
				c.Write(payload) //nolint:errcheck // the read checks what arrived
				c.CloseWrite()
			}()
			c.SetReadDeadline(time.Now().Add(8 * time.Second))
			got, err := io.ReadAll(c)
			switch {
			case err != nil:
				errs <- fmt.Errorf("stream %d: %w", i, err)
			case string(got) != string(payload):
				errs <- fmt.Errorf("stream %d: echo differs (%d of %d bytes)", i, len(got), size)
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	chaos.Wait()
	n.Heal()
	streams.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if err := errors.Join(all...); err != nil {
		t.Fatal(err)
	}
}
