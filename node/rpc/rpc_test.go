package rpc

import (
	"errors"
	"testing"
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
)

const kindPing Kind = 0x0002

type ping struct{ N uint64 }

func (ping) Kind() Kind               { return kindPing }
func (p ping) Encode(e *wire.Encoder) { e.Uvarint(p.N) }

func init() {
	Register(kindPing, "testPing", func(d *wire.Decoder) Body { return ping{N: d.Uvarint()} })
}

func id(b byte) cluster.NodeID { return cluster.NodeID{b} }

type outcome struct {
	called bool
	resps  []Response
	err    error
}

func (o *outcome) done(_ cluster.Time, r []Response, err error) {
	if o.called {
		panic("done called twice")
	}
	o.called, o.resps, o.err = true, r, err
}

func respond(c *Caller, req Message, body Body) bool {
	return c.Handle(0, Message{From: req.To, To: req.From, ID: req.ID, Response: true, Body: body})
}

func TestQuorumInEverySet(t *testing.T) {
	out := NewOutbox(id(0))
	c := NewCaller(out, 1)
	var o outcome
	// Two live layout versions: {1,2,3} and {1,4,5}; node 1 is in both.
	c.Start(0, Call{Sets: [][]cluster.NodeID{{id(1), id(2), id(3)}, {id(1), id(4), id(5)}}, Quorum: 2, Body: ping{7}, Timeout: time.Second}, o.done)
	reqs := out.Take()
	if len(reqs) != 5 {
		t.Fatalf("want one request per distinct node (5), got %d", len(reqs))
	}
	byNode := map[cluster.NodeID]Message{}
	for _, r := range reqs {
		byNode[r.To] = r
	}
	respond(c, byNode[id(1)], ping{})
	respond(c, byNode[id(2)], ping{})
	respond(c, byNode[id(2)], ping{}) // a duplicate must not count twice
	if o.called {
		t.Fatal("quorum in the first set only must not complete the call")
	}
	respond(c, byNode[id(4)], ping{})
	if !o.called || o.err != nil || len(o.resps) != 3 {
		t.Fatalf("want success with 3 responses, got %+v", o)
	}
	if respond(c, byNode[id(5)], ping{}); c.InFlight() != 0 {
		t.Fatal("late response must be absorbed")
	}
}

func TestQuorumUnreachableFailsFast(t *testing.T) {
	out := NewOutbox(id(0))
	c := NewCaller(out, 1)
	var o outcome
	c.Start(0, Call{Sets: [][]cluster.NodeID{{id(1), id(2), id(3)}}, Quorum: 2, Body: ping{}, Timeout: time.Second}, o.done)
	reqs := out.Take()
	respond(c, reqs[0], Error{Message: "disk full"})
	if o.called {
		t.Fatal("one failure of three must not fail a quorum of two")
	}
	respond(c, reqs[1], Error{Message: "disk full"})
	if !errors.Is(o.err, ErrQuorum) {
		t.Fatalf("want ErrQuorum, got %+v", o)
	}
}

// A decisive response ends the call before its quorum; others count as
// usual.
func TestDecisiveResponseEndsTheCall(t *testing.T) {
	out := NewOutbox(id(0))
	c := NewCaller(out, 1)
	var o outcome
	decisive := func(b Body) bool { return b.(ping).N > 0 }
	c.Start(0, Call{Sets: [][]cluster.NodeID{{id(1), id(2), id(3)}}, Quorum: 3, Body: ping{}, Timeout: time.Second, Decisive: decisive}, o.done)
	reqs := out.Take()
	respond(c, reqs[0], ping{N: 0})
	if o.called {
		t.Fatal("a response that is not decisive must wait for the quorum")
	}
	respond(c, reqs[1], ping{N: 5})
	if !o.called || o.err != nil || len(o.resps) != 2 || c.InFlight() != 0 {
		t.Fatalf("want success at the decisive response, got %+v", o)
	}
}

func TestCallTimesOut(t *testing.T) {
	out := NewOutbox(id(0))
	c := NewCaller(out, 1)
	var o outcome
	c.Start(100, Call{Sets: [][]cluster.NodeID{{id(1)}}, Quorum: 1, Body: ping{}, Timeout: 50}, o.done)
	c.Tick(149)
	if o.called {
		t.Fatal("expired early")
	}
	c.Tick(150)
	if !errors.Is(o.err, ErrTimeout) || c.InFlight() != 0 {
		t.Fatalf("want timeout, got %+v", o)
	}
}

func TestRequestIDsDifferAcrossIncarnations(t *testing.T) {
	a := NewCaller(NewOutbox(id(0)), 1)
	b := NewCaller(NewOutbox(id(0)), 2)
	noop := func(cluster.Time, []Response, error) {}
	call := Call{Sets: [][]cluster.NodeID{{id(1)}}, Quorum: 1, Body: ping{}, Timeout: 1}
	if a.Start(0, call, noop) == b.Start(0, call, noop) {
		t.Fatal("a restarted node reused a request id")
	}
}

func TestMessageCodec(t *testing.T) {
	m := Message{From: id(1), To: id(2), ID: 42, Response: true, Body: ping{N: 9}}
	e := wire.NewEncoder(nil)
	m.Encode(e)
	back, err := DecodeMessage(e.Bytes())
	if err != nil || back.ID != 42 || !back.Response || back.Body.(ping).N != 9 || back.From != id(1) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	bad := append([]byte(nil), e.Bytes()...)
	bad[64+2] = 0x7f // kind byte after from, to, id(1 byte), response
	if _, err := DecodeMessage(bad); err == nil {
		t.Fatal("unknown kind must be refused")
	}
	if _, err := DecodeMessage(e.Bytes()[:10]); err == nil {
		t.Fatal("truncated message must be refused")
	}
	if _, err := DecodeMessage(append(e.Bytes(), 0)); err == nil {
		t.Fatal("trailing bytes must be refused")
	}
}

// TestPeerLostFailsWaitingCallsAtOnce: a lost connection counts as an
// error from that node in every call still waiting for it, so a call that
// can no longer reach quorum fails now, not at its deadline, while one
// that still can goes on.
func TestPeerLostFailsWaitingCallsAtOnce(t *testing.T) {
	out := NewOutbox(id(0))
	c := NewCaller(out, 1)
	var quorumLost, stillPossible, answered, elsewhere outcome
	set := []cluster.NodeID{id(1), id(2), id(3)}
	c.Start(0, Call{Sets: [][]cluster.NodeID{set}, Quorum: 2, Body: ping{1}, Timeout: time.Minute}, quorumLost.done)
	c.Start(0, Call{Sets: [][]cluster.NodeID{set}, Quorum: 1, Body: ping{2}, Timeout: time.Minute}, stillPossible.done)
	c.Start(0, Call{Sets: [][]cluster.NodeID{set}, Quorum: 3, Body: ping{3}, Timeout: time.Minute}, answered.done)
	c.Start(0, Call{Sets: [][]cluster.NodeID{{id(4)}}, Quorum: 1, Body: ping{4}, Timeout: time.Minute}, elsewhere.done)
	for _, r := range out.Take() {
		if r.Body == (ping{3}) && r.To == id(2) {
			respond(c, r, ping{}) // node 2 answered this one before it went
		}
	}
	c.PeerLost(1, id(2))
	if quorumLost.called || stillPossible.called {
		t.Fatal("one lost node of three must not fail a call that can still reach its quorum")
	}
	c.PeerLost(1, id(3))
	if !quorumLost.called || !errors.Is(quorumLost.err, ErrQuorum) {
		t.Fatalf("quorum 2 of 3 with two nodes lost: %+v, want ErrQuorum at once", quorumLost)
	}
	if stillPossible.called {
		t.Fatal("quorum 1 with node 1 still up must wait for it")
	}
	if !answered.called || !errors.Is(answered.err, ErrQuorum) {
		t.Fatalf("quorum 3: %+v, want ErrQuorum (node 3 lost)", answered)
	}
	if elsewhere.called {
		t.Fatal("a call to other nodes is not concerned")
	}
	if c.InFlight() != 2 {
		t.Fatalf("%d calls in flight, want 2", c.InFlight())
	}
}

// TestCauseFollowsTheRequest: a call started while a client request is
// handled carries its id, and so does every message queued while handling
// the call's outcome — from a response, an expiry or a lost peer — while
// calls started from timers alone carry none, and the handler's own cause
// is back once a callback returns.
func TestCauseFollowsTheRequest(t *testing.T) {
	out := NewOutbox(id(0))
	c := NewCaller(out, 1)
	set := []cluster.NodeID{id(1), id(2)}
	causes := func(msgs []Message) []uint64 {
		var cs []uint64
		for _, m := range msgs {
			cs = append(cs, m.Cause)
		}
		return cs
	}
	var followUp []Message
	prev := out.SetCause(7) // Submit of request 7
	c.Start(0, Call{Sets: [][]cluster.NodeID{set}, Quorum: 2, Body: ping{1}, Timeout: time.Second}, func(now cluster.Time, _ []Response, err error) {
		if out.Cause() != 7 {
			t.Errorf("callback runs under cause %d, want 7", out.Cause())
		}
		out.Send(id(3), ping{2})
		c.Start(now, Call{Sets: [][]cluster.NodeID{{id(3)}}, Quorum: 1, Body: ping{3}, Timeout: time.Second}, func(cluster.Time, []Response, error) {})
		followUp = out.Take()
	})
	out.SetCause(prev)
	reqs := out.Take()
	if got := causes(reqs); len(got) != 2 || got[0] != 7 || got[1] != 7 {
		t.Fatalf("requests of a call started for request 7 carry causes %v", got)
	}
	// The responses arrive in later inputs, with no cause of their own.
	respond(c, reqs[0], ping{})
	respond(c, reqs[1], ping{})
	if got := causes(followUp); len(got) != 2 || got[0] != 7 || got[1] != 7 {
		t.Fatalf("messages queued from the response handling carry causes %v, want [7 7]", got)
	}
	if out.Cause() != 0 {
		t.Fatalf("cause %d left set after the callback", out.Cause())
	}

	// A timer-driven call has none, and neither has what follows it.
	c.Start(0, Call{Sets: [][]cluster.NodeID{{id(4)}}, Quorum: 1, Body: ping{4}, Timeout: 10}, func(now cluster.Time, _ []Response, _ error) {
		out.Send(id(4), ping{5})
	})
	c.Tick(10)
	if got := causes(out.Take()); len(got) != 2 || got[0] != 0 || got[1] != 0 {
		t.Fatalf("timer-driven call and its follow-up carry causes %v, want none", got)
	}

	// Expiry and lost peers end calls under the cause they were started with.
	out.SetCause(8)
	c.Start(0, Call{Sets: [][]cluster.NodeID{{id(5)}}, Quorum: 1, Body: ping{6}, Timeout: 10}, func(cluster.Time, []Response, error) { out.Send(id(5), ping{7}) })
	out.SetCause(9)
	c.Start(0, Call{Sets: [][]cluster.NodeID{{id(6)}}, Quorum: 1, Body: ping{8}, Timeout: time.Minute}, func(cluster.Time, []Response, error) { out.Send(id(6), ping{9}) })
	out.SetCause(0)
	out.Take()
	c.Tick(20)
	c.PeerLost(21, id(6))
	if got := causes(out.Take()); len(got) != 2 || got[0] != 8 || got[1] != 9 {
		t.Fatalf("messages queued on expiry and on a lost peer carry causes %v, want [8 9]", got)
	}
}

// The cause never goes on the wire: a peer's message has none.
func TestCauseIsNotEncoded(t *testing.T) {
	m := Message{From: id(1), To: id(2), ID: 3, Body: ping{N: 1}, Cause: 99}
	e := wire.NewEncoder(nil)
	m.Encode(e)
	plain := wire.NewEncoder(nil)
	m.Cause = 0
	m.Encode(plain)
	if string(e.Bytes()) != string(plain.Bytes()) {
		t.Fatal("the cause changed the encoding")
	}
	back, err := DecodeMessage(e.Bytes())
	if err != nil || back.Cause != 0 {
		t.Fatalf("decoded %+v, %v: want no cause", back, err)
	}
}
