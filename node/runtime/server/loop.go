package server

import (
	"time"

	"go.uber.org/zap"

	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/membership"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/rpc"
)

type inputKind uint8

const (
	inMessage inputKind = iota + 1
	inSubmit
	inInfo
	inPeerUp
	inPeerDown
	inIODone
	inExport
)

// input is one event for the node.
type input struct {
	kind inputKind
	msg  rpc.Message
	req  node.Request
	info membership.Info
	peer cluster.NodeID
	addr string
	io   block.IOResult
	// export asks for a copy of the metadata (inExport).
	export *exportReq
}

// batch is a Ready on its way to the persister, with a snapshot of the
// metadata right after it when one is due.
type batch struct {
	rd   node.Ready
	snap *meta.Snapshot
	// export, when set, is a copy of the metadata to write once every
	// batch before it is committed (CreateMetadataSnapshot).
	export *exportReq
}

// loop is the only goroutine that touches the node.
func (s *Server) loop() {
	defer s.wg.Done()
	defer close(s.persistQ)
	defer close(s.loopDone)
	ticker := time.NewTicker(s.cfg.TickInterval)
	defer ticker.Stop()
	for {
		var start time.Time
		select {
		case <-s.stopLoop:
			return
		case in := <-s.inbox:
			start = time.Now()
			s.handle(in)
		case <-s.internal.ready():
			start = time.Now()
			for _, in := range s.internal.take() {
				s.handle(in)
			}
		case <-ticker.C:
			start = time.Now()
			s.node.Tick(s.now())
		}
		s.flush()
		s.loopBusy.Add(int64(time.Since(start)))
		s.loopInputs.Add(1)
	}
}

func (s *Server) handle(in input) {
	t := s.now()
	switch in.kind {
	case inMessage:
		s.node.Step(t, in.msg)
	case inSubmit:
		s.node.Submit(t, in.req)
	case inInfo:
		s.node.SetInfo(in.info)
	case inPeerUp:
		s.node.PeerConnected(t, in.peer, in.addr)
	case inPeerDown:
		s.node.PeerDisconnected(t, in.peer)
	case inIODone:
		s.node.Complete(t, in.io)
	case inExport:
		// The copy is the state after every Ready handed over so far.
		s.flush()
		in.export.snap = s.meta.Snapshot()
		s.persistQ <- batch{export: in.export}
	}
}

// flush hands every pending Ready to the persister, in order.
func (s *Server) flush() {
	for s.node.HasReady() {
		b := batch{rd: s.node.Ready()}
		if len(b.rd.Records) > 0 && s.store.NeedsSnapshot() && s.snapshotting.CompareAndSwap(false, true) {
			b.snap = s.meta.Snapshot() // copy-on-write: the loop goes on changing the store
		}
		s.persistQ <- b
	}
}

// persist makes each batch durable, then lets its messages and replies go.
// Batches waiting together share one commit (and one fsync).
func (s *Server) persist() {
	defer s.wg.Done()
	defer close(s.ioQ) // the persister is the only one starting disk operations
	for b := range s.persistQ {
		// A group ends at a batch carrying a snapshot: the snapshot holds
		// exactly the state after that batch, and it is recorded as covering
		// everything committed so far.
		group := []batch{b}
	more:
		for len(group) < 256 && group[len(group)-1].snap == nil && group[len(group)-1].export == nil {
			select {
			case next, ok := <-s.persistQ:
				if !ok {
					break more
				}
				group = append(group, next)
			default:
				break more
			}
		}
		var records []meta.Record
		for _, g := range group {
			records = append(records, g.rd.Records...)
		}
		if len(records) > 0 {
			if err := s.store.Commit(records); err != nil {
				s.log.Error("metadata store failed; stopping the node", zap.Error(err))
				select {
				case s.fatal <- err:
				default:
				}
				for range s.persistQ {
				}
				return
			}
		}
		if last := group[len(group)-1]; last.snap != nil {
			s.snapshot(last.snap)
		} else if last.export != nil {
			s.export(last.export)
		}
		for _, g := range group {
			s.emit(g.rd)
		}
	}
}

// snapshot writes snap in the background. BeginSnapshot, on this goroutine,
// records that snap covers every commit made so far, which it does.
func (s *Server) snapshot(snap *meta.Snapshot) {
	job := s.store.BeginSnapshot(snap)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.snapshotting.Store(false)
		start := time.Now()
		if err := job.Write(); err != nil {
			s.log.Warn("metadata snapshot failed; will retry later", zap.Error(err))
			return
		}
		s.log.Info("metadata snapshot written", zap.Int("entries", snap.Len()), zap.Duration("took", time.Since(start)))
	}()
}

// emit sends a durable Ready's messages, starts its disk operations and
// delivers its replies.
func (s *Server) emit(rd node.Ready) {
	for _, req := range rd.IO {
		s.ioQ <- req
	}
	for _, m := range rd.Messages {
		request := !m.Response && m.ID != 0
		if m.To == s.id.ID {
			s.internal.put(input{kind: inMessage, msg: m})
			if request {
				s.traces.sent(m, nil)
			} else if m.Response {
				s.traces.answered(m.From, m.ID, m.Body)
			}
			continue
		}
		err := s.tr.Send(m)
		if o := s.cfg.Observer; o != nil && request {
			o.RPCSent(m.To, m.ID, m.Body.Kind(), err)
		}
		if request {
			s.traces.sent(m, err)
		}
		if err != nil && !m.Response && m.ID != 0 {
			// Fail the call at once rather than at its deadline.
			s.internal.put(input{kind: inMessage, msg: rpc.Message{
				From: m.To, To: m.From, ID: m.ID, Response: true,
				Body: rpc.Error{Message: "node " + m.To.String() + " unreachable: " + err.Error()},
			}})
		}
	}
	if len(rd.Replies) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rd.Replies {
		if ch, ok := s.waiting[r.ID]; ok {
			ch <- r // buffered: never blocks
		}
	}
}
