package transport

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/garagego/garage/node/rpc"
)

func TestClientCallGetsReply(t *testing.T) {
	b := startNode(t, withEcho())
	ctx := testContext(t)

	c, err := Dial(ctx, b.Addr(), secretA, b.ID())
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if c.NodeID() != b.ID() {
		t.Fatalf("client connected to %s, want %s", c.NodeID(), b.ID())
	}
	eventually(t, "PeerUp for the client", func() bool { return b.rec.upCount(c.ID()) == 1 })
	if ups := b.rec.upsSnapshot(); ups[0].role != RoleClient {
		t.Fatalf("client reported with role %s", ups[0].role)
	}

	reply, err := c.Call(ctx, textBody{"hello"})
	if err != nil || reply != (textBody{"hello"}) {
		t.Fatalf("Call = %v, %v; want the echo", reply, err)
	}

	// Concurrent calls each get their own reply.
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			want := textBody{fmt.Sprintf("call %d", i)}
			if got, err := c.Call(ctx, want); err != nil || got != want {
				t.Errorf("concurrent Call = %v, %v; want %v", got, err, want)
			}
		})
	}
	wg.Wait()

	_, err = c.Call(ctx, textBody{"fail"})
	var rerr rpc.Error
	if !errors.As(err, &rerr) || rerr.Message != "refused: fail" {
		t.Fatalf("Call answered with rpc.Error returned %v", err)
	}

	// Clients are not gossiped or kept in the address book.
	for _, p := range b.Peers() {
		if p.ID == c.ID() && (p.Role != RoleClient || !p.Connected) {
			t.Errorf("client listed as %+v", p)
		}
	}
	b.mu.RLock()
	_, inBook := b.book[c.ID()]
	b.mu.RUnlock()
	if inBook {
		t.Error("client added to the address book")
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Call(ctx, textBody{"late"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Call after Close: %v, want ErrClosed", err)
	}
	eventually(t, "PeerDown for the client", func() bool { return b.rec.downCount(c.ID()) == 1 })
}

func TestClientCallHonoursContext(t *testing.T) {
	b := startNode(t) // records requests, never answers
	c, err := Dial(testContext(t), b.Addr(), secretA, b.ID())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Call(ctx, textBody{"unanswered"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("unanswered Call: %v, want DeadlineExceeded", err)
	}
	if m := b.rec.next(t); m.From != c.ID() || m.To != b.ID() || m.ID == 0 || m.Response {
		t.Fatalf("node received %+v, want a request from the client", m)
	}
}

func TestClientRefusals(t *testing.T) {
	b := startNode(t, withEcho())

	_, err := Dial(testContext(t), b.Addr(), secretB, b.ID())
	if !errors.Is(err, ErrSecretMismatch) || !strings.Contains(err.Error(), "rpc_secret") {
		t.Fatalf("Dial with the wrong secret: %v, want an error about rpc_secret", err)
	}
	eventually(t, "the node to log the mismatch", func() bool { return hasWarn(b.logs, "does not share our rpc_secret") })

	_, err = Dial(testContext(t), b.Addr(), secretA, NewEphemeralIdentity().ID)
	if !errors.Is(err, ErrUnexpectedNode) || !strings.Contains(err.Error(), b.ID().Hex()) {
		t.Fatalf("Dial expecting another node: %v, want ErrUnexpectedNode naming %s", err, b.ID().Hex())
	}
	if len(b.rec.upsSnapshot()) != 0 {
		t.Fatal("refused clients reported up")
	}
}

func TestClientCannotBeDialledAsNode(t *testing.T) {
	a := startNode(t)
	// A raw listener that answers as a client: a node must not accept it as
	// a cluster peer.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		handshake(nc, bufio.NewReader(nc), handshakeConfig{identity: NewEphemeralIdentity(), role: RoleClient, secret: &secretA, addr: "test"})
	}()
	err = a.Connect(testContext(t), Peer{Addr: ln.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "not a node") {
		t.Fatalf("Connect to a client: %v, want refusal", err)
	}
}
