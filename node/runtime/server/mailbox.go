package server

import "sync"

// mailbox is an unbounded queue with a wake-up channel. The persister puts
// loopback messages and synthesised errors here: it must never block on the
// loop, which may itself be waiting to hand it a batch.
type mailbox struct {
	mu    sync.Mutex
	items []input
	wake  chan struct{}
}

func newMailbox() *mailbox { return &mailbox{wake: make(chan struct{}, 1)} }

func (m *mailbox) put(in input) {
	m.mu.Lock()
	m.items = append(m.items, in)
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func (m *mailbox) ready() <-chan struct{} { return m.wake }

func (m *mailbox) take() []input {
	m.mu.Lock()
	defer m.mu.Unlock()
	items := m.items
	m.items = nil
	return items
}
