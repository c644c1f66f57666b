package block

import (
	"time"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/wire"
)

// The scrub re-hashes every stored block, one at a time, resting
// ScrubTranquility times as long as each verification took (paced like
// resync, see pacer). Its progress survives restarts in the metadata store
// under "b/scrub".
const scrubKey = "b/scrub"

// ScrubState is the scrub's persisted progress.
type ScrubState struct {
	Running       bool
	Cursor        cluster.Hash // last block verified in this pass
	Started       bool         // the cursor is meaningful
	LastCompleted cluster.Time
	Corruptions   uint64 // found over all passes
}

type scrubRun struct {
	state ScrubState
	busy  bool
	pace  pacer
	batch []cluster.Hash
}

func (s *scrubRun) load(store *meta.Store) {
	b, ok := store.Get(scrubKey)
	if !ok {
		return
	}
	d := wire.NewDecoder(b)
	s.state.Running = d.Bool()
	s.state.Started = d.Bool()
	d.Fixed(s.state.Cursor[:])
	s.state.LastCompleted = cluster.Time(d.Varint())
	s.state.Corruptions = d.Uvarint()
}

func (m *Manager) saveScrub() {
	st := m.scrub.state
	e := wire.NewEncoder(nil)
	e.Bool(st.Running)
	e.Bool(st.Started)
	e.Raw(st.Cursor[:])
	e.Varint(int64(st.LastCompleted))
	e.Uvarint(st.Corruptions)
	m.store.Put(scrubKey, e.Bytes())
}

// Scrub reports the scrub's progress.
func (m *Manager) Scrub() ScrubState { return m.scrub.state }

// StartScrub begins a full scrub pass now (`garage repair scrub`).
func (m *Manager) StartScrub(now cluster.Time) {
	m.scrub.state.Running, m.scrub.state.Started = true, false
	m.scrub.batch = nil
	m.scrub.pace.restUntil(now)
	m.saveScrub()
}

func (m *Manager) runScrub(now cluster.Time) {
	s := &m.scrub
	if m.cfg.ScrubInterval > 0 && !s.state.Running && (s.state.LastCompleted == 0 || now.Sub(s.state.LastCompleted) >= m.cfg.ScrubInterval) {
		if s.state.LastCompleted == 0 {
			// A fresh node starts counting from now rather than scrubbing at once.
			s.state.LastCompleted = now
			m.saveScrub()
		} else {
			m.StartScrub(now)
		}
	}
	if !s.state.Running || s.busy || s.pace.resting(now) {
		return
	}
	s.busy = true
	if len(s.batch) == 0 {
		m.doIO(IORequest{Kind: IOList, After: s.state.Cursor, First: !s.state.Started, Limit: 64}, func(now cluster.Time, r IOResult) {
			s.busy = false
			switch {
			case r.Err != nil:
				s.pace.restUntil(now.Add(time.Minute))
			case len(r.Hashes) == 0:
				s.state = ScrubState{LastCompleted: now, Corruptions: s.state.Corruptions}
				m.stats.ScrubPasses++
				m.saveScrub()
			default:
				s.batch = r.Hashes
				m.runScrub(now)
			}
		})
		return
	}
	h := s.batch[0]
	s.batch = s.batch[1:]
	started := now
	m.doIO(IORequest{Kind: IOVerify, Hash: h}, func(now cluster.Time, r IOResult) {
		s.busy = false
		m.stats.ScrubbedBlocks++
		if isCorrupt(r.Err) {
			s.state.Corruptions++
			m.corrupt(now, h)
		}
		s.state.Cursor, s.state.Started = h, true
		if len(s.batch) == 0 {
			m.saveScrub() // progress is persisted once per batch
		}
		s.pace.worked(started, now, m.cfg.ScrubTranquility, 1)
		m.runScrub(now)
	})
}
