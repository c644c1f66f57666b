package server

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
)

// Tracing of the core's work for traced requests. A Do whose context holds
// a recording span (an API request traced by httpapi) is a child span,
// registered under its request id; every request message the core queues
// with that id as its Cause (rpc.Message.Cause: set while the node handles
// the request and the responses to the calls it started) opens an RPC span
// under it when the persister hands it to the transport, closed by the
// peer's answer, a refused send, a lost connection, or, for an answer that
// never comes, a sweep after rpcSpanTimeout. Spans are made by the
// request's own tracer provider, so the server has no tracing
// configuration: a node whose APIs are not traced registers nothing, and
// the loop's and the transport's checks are two atomic loads.

// tracerName is the instrumentation scope of the server's spans.
const tracerName = "github.com/garagego/garage/node/runtime/server"

// rpcSpanTimeout ends the span of an RPC still unanswered (the core gave up
// on it at its call's deadline, 30 s by default).
const rpcSpanTimeout = time.Minute

var (
	attrOp        = attribute.Key("garage.op")
	attrRequest   = attribute.Key("garage.request")
	attrPeer      = attribute.Key("garage.rpc.peer")
	attrKind      = attribute.Key("garage.rpc.kind")
	attrRPCID     = attribute.Key("garage.rpc.id")
	attrOutcome   = attribute.Key("garage.rpc.outcome")
	attrLoopback  = attribute.Key("garage.rpc.loopback")
	attrErrorText = attribute.Key("garage.rpc.error")
)

type rpcKey struct {
	peer cluster.NodeID
	id   uint64
}

type rpcSpan struct {
	span    trace.Span
	started time.Time
}

// traces holds the spans in flight.
type traces struct {
	self  cluster.NodeID
	nOps  atomic.Int64 // len(ops), read without mu
	nRPCs atomic.Int64 // len(rpcs), read without mu

	mu        sync.Mutex
	ops       map[uint64]trace.Span // request id → its Do span
	rpcs      map[rpcKey]rpcSpan
	lastSweep time.Time
}

// startOp opens the span of request id if ctx is traced; the span is nil
// otherwise, and nothing was allocated.
func (t *traces) startOp(ctx context.Context, id uint64, op node.Op) trace.Span {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return nil
	}
	name := op.OpName()
	_, span := parent.TracerProvider().Tracer(tracerName).Start(ctx, "Do "+name,
		trace.WithAttributes(attrOp.String(name), attrRequest.Int64(int64(id))))
	t.mu.Lock()
	if t.ops == nil {
		t.ops, t.rpcs = map[uint64]trace.Span{}, map[rpcKey]rpcSpan{}
	}
	t.ops[id] = span
	t.nOps.Store(int64(len(t.ops)))
	t.mu.Unlock()
	return span
}

// endOp closes request id's span with the operation's outcome; RPCs it
// caused from now on are not traced.
func (t *traces) endOp(id uint64, span trace.Span, err error) {
	t.mu.Lock()
	delete(t.ops, id)
	t.nOps.Store(int64(len(t.ops)))
	t.mu.Unlock()
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// sent opens the span of request m, handed to the transport (sendErr nil),
// refused by it, or delivered to this node itself, if its cause is traced.
func (t *traces) sent(m rpc.Message, sendErr error) {
	if m.Cause == 0 || t.nOps.Load() == 0 {
		return
	}
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	op, ok := t.ops[m.Cause]
	if !ok {
		return
	}
	kind := rpc.KindName(m.Body.Kind())
	ctx := trace.ContextWithSpan(context.Background(), op)
	_, span := op.TracerProvider().Tracer(tracerName).Start(ctx, "RPC "+kind+" to "+m.To.String(),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(now),
		trace.WithAttributes(attrPeer.String(m.To.Hex()), attrKind.String(kind), attrRPCID.Int64(int64(m.ID)),
			attrLoopback.Bool(m.To == t.self)))
	if sendErr != nil {
		span.SetAttributes(attrOutcome.String("unreachable"), attrErrorText.String(sendErr.Error()))
		span.SetStatus(codes.Error, "unreachable: "+sendErr.Error())
		span.End()
		return
	}
	t.rpcs[rpcKey{m.To, m.ID}] = rpcSpan{span: span, started: now}
	t.nRPCs.Store(int64(len(t.rpcs)))
	if now.Sub(t.lastSweep) > rpcSpanTimeout/4 {
		t.lastSweep = now
		t.sweepLocked(now)
	}
}

// answered closes the span of the request id sent to from, if one is
// open, with the response's outcome.
func (t *traces) answered(from cluster.NodeID, id uint64, body rpc.Body) {
	if t.nRPCs.Load() == 0 {
		return
	}
	t.mu.Lock()
	s, ok := t.rpcs[rpcKey{from, id}]
	if ok {
		delete(t.rpcs, rpcKey{from, id})
		t.nRPCs.Store(int64(len(t.rpcs)))
	}
	t.mu.Unlock()
	if !ok {
		return
	}
	if e, failed := body.(rpc.Error); failed {
		s.span.SetAttributes(attrOutcome.String("error"), attrErrorText.String(e.Message))
		s.span.SetStatus(codes.Error, e.Message)
	} else {
		s.span.SetAttributes(attrOutcome.String("ok"))
	}
	s.span.End()
}

// endWhere closes, with outcome, the open RPC spans for which match holds.
func (t *traces) endWhere(match func(rpcKey, rpcSpan) bool, outcome string) {
	if t.nRPCs.Load() == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.endWhereLocked(match, outcome)
}

func (t *traces) endWhereLocked(match func(rpcKey, rpcSpan) bool, outcome string) {
	for k, s := range t.rpcs {
		if match(k, s) {
			s.span.SetAttributes(attrOutcome.String(outcome))
			s.span.SetStatus(codes.Error, outcome)
			s.span.End()
			delete(t.rpcs, k)
		}
	}
	t.nRPCs.Store(int64(len(t.rpcs)))
}

func (t *traces) sweepLocked(now time.Time) {
	t.endWhereLocked(func(_ rpcKey, s rpcSpan) bool { return now.Sub(s.started) > rpcSpanTimeout }, "no answer")
}

// peerLost closes the spans of the requests sent to peer: their answers
// were lost with the connection.
func (t *traces) peerLost(peer cluster.NodeID) {
	t.endWhere(func(k rpcKey, _ rpcSpan) bool { return k.peer == peer }, "connection lost")
}

// stop closes every open RPC span (the node stops).
func (t *traces) stop() {
	t.endWhere(func(rpcKey, rpcSpan) bool { return true }, "node stopped")
}
