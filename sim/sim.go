package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/netsim"
	"github.com/garagego/garage/node"
	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

// epoch is where virtual time starts: a realistic date, so that LWW
// timestamps look like the ones real nodes produce.
const epoch = int64(1_767_225_600) * int64(time.Second) // 2026-01-01

// maxEvents bounds a run, so a livelock ends in an error, not a hang.
const maxEvents = 200_000_000

type phase uint8

const (
	phasePreload phase = iota // clients write the preloaded objects, no faults
	phaseSafety               // clients run, faults strike
	phaseHeal                 // faults lifted, anti-entropy runs
	phaseFinal                // every node reads every key
	phaseDone
)

// Sim is one simulated run.
type Sim struct {
	opts     Options
	rng      *rand.Rand
	net      *netsim.Network
	now      int64
	nextSeq  uint64
	agenda   agenda
	nodes    []*simNode
	index    map[cluster.NodeID]int
	schedule []Fault
	clients  []*client
	op       operator
	phase    phase
	healEnd  int64
	// preloaded counts the preload puts started.
	preloaded int
	// safetyStart is when the safety phase began (after any preload).
	safetyStart int64
	// finalCall is the history sequence number at which final reads began.
	finalCall int64
	history   checker.History
	histSeq   int64
	hash      traceHash
	events    uint64
	stats     Stats
	// durability lists breaches of the Ready contract the driver itself
	// made (effects before records were durable): a simulator bug, or the
	// planted AckBeforePersist.
	durability []string
	// The workload's key space, named once.
	partitionKeys, sortKeys []string
	bucket                  model.BucketID
	objectKeys              []string
	keyVersions             map[string][]model.VersionID // versioned runs: the ids issued per object key
	ackedVersions           map[string][]model.VersionID // and those whose write was acknowledged
	k2v                     k2vWorkload                  // the K2V workload's keys and history (k2v.go)
	// Messages and disk operations in flight.
	msgs slab[rpc.Message]
	ios  slab[block.IORequest]
}

// simNode is the simulator's view of one node: the state machine (nil while
// crashed), its disk, and the Readys waiting for their records to be durable.
type simNode struct {
	idx, zone int
	id        cluster.NodeID
	n         *node.Node
	inc       int32
	disk      *meta.Store  // what survives a crash
	blocks    *blockDisk   // the data directory
	pending   []node.Ready // in order; each waits for its records to be durable
	persistAt int64
	// readys numbers the Readys drained since the node started; durable
	// is the number of them (in order) whose records are on its disk. A
	// Ready's effects may leave only once durable covers it.
	readys, durable int
	pendingSeq      []int // the number of each pending Ready
	skew            time.Duration
	waiting         map[uint64]int // request id -> client
	nextReq         uint64
}

// Stats counts what happened in a run.
type Stats struct {
	Events     uint64
	Messages   uint64
	OpsOK      int
	OpsFailed  int
	OpsUnknown int
	Faults     map[FaultKind]int
	Crashes    int
	VirtualEnd time.Duration
	// Layout changes the operator applied, and those the layout refused
	// (or that got no answer).
	LayoutApplied, LayoutRefused int
	Changes                      map[ChangeKind]int // applied, by kind
	MultipartCompleted           int                // multipart uploads acknowledged
	// CopiesOfNothing counts the copies that found no source (they fail
	// as S3's NoSuchKey would, whatever the cluster's health).
	CopiesOfNothing int
	// UploadsSuperseded counts the multipart uploads (copies by parts
	// among them) that ended because a newer version of their object was
	// written first: as in Garage, they cannot complete.
	UploadsSuperseded int
	// Versioned runs: versions deleted by id (the store found them),
	// reads by id that found a version or a marker, listings of versions.
	VersionsDeleted, VersionReadsFound, VersionListings int
	// Tombstones collected by the nodes since their last start, and
	// those left at the end, over every table and node.
	TombstonesCollected, TombstonesLeft int
	K2V                                 K2VStats
}

// New prepares a run; Run executes it.
func New(opts Options) (*Sim, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	s := &Sim{
		opts:  opts,
		rng:   rand.New(rand.NewPCG(opts.Seed, 1)),
		now:   epoch,
		index: map[cluster.NodeID]int{},
		hash:  newTraceHash(),
		stats: Stats{Faults: map[FaultKind]int{}, Changes: map[ChangeKind]int{}},
	}
	for p := range opts.PartitionKeys {
		s.partitionKeys = append(s.partitionKeys, fmt.Sprint("p", p))
	}
	for k := range opts.SortKeys {
		s.sortKeys = append(s.sortKeys, fmt.Sprintf("s%02d", k))
	}
	s.bucket = model.BucketID(cluster.SumString("sim-bucket"))
	for k := range opts.ObjectKeys {
		s.objectKeys = append(s.objectKeys, fmt.Sprintf("obj/%02d", k))
	}
	s.keyVersions, s.ackedVersions = make(map[string][]model.VersionID), make(map[string][]model.VersionID)
	s.initK2V()
	total := opts.Nodes + opts.Spares
	zones := make([]int, total)
	var members []layout.Member
	for i := range total {
		zones[i] = i % opts.Zones
		nd := &simNode{idx: i, zone: zones[i], id: cluster.NodeID(cluster.SumString(fmt.Sprint("sim-node-", i))), disk: meta.New(), blocks: newBlockDisk(), waiting: map[uint64]int{}}
		s.nodes = append(s.nodes, nd)
		s.index[nd.id] = i
		if i < opts.Nodes {
			role := layout.Role{Zone: zoneName(zones[i]), Capacity: 1 << 40}
			if i < len(opts.Capacities) {
				role.Capacity = opts.Capacities[i]
			}
			if slices.Contains(opts.Gateways, i) {
				role.Capacity, role.Gateway = 0, true
			}
			members = append(members, layout.Member{ID: nd.id, Role: role})
		}
	}
	v, err := layout.Assign(1, members, opts.ReplicationFactor, 0)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	s.net = netsim.New(zones, opts.Net, rand.New(rand.NewPCG(opts.Seed, 2)))
	s.schedule = opts.Schedule
	if !opts.NoFaults && s.schedule == nil {
		s.schedule = RandomSchedule(opts)
	}
	history := layout.NewHistory(v)
	s.op.applied = v.Number
	for _, nd := range s.nodes {
		initial := history
		if nd.idx >= opts.Nodes {
			initial = nil // a spare learns the layout from its peers
		}
		if err := s.boot(nd, initial); err != nil {
			return nil, err
		}
	}
	for i := range opts.Clients {
		s.clients = append(s.clients, &client{idx: i})
	}
	if opts.Preload > 0 {
		s.phase = phasePreload
		for _, c := range s.clients {
			s.push(event{at: s.now, kind: evClientNext, client: int32(c.idx)})
		}
	} else {
		s.startSafety()
	}
	return s, nil
}

// startSafety starts the fault schedule (its times count from now) and the
// clients' random operations.
func (s *Sim) startSafety() {
	s.phase, s.safetyStart = phaseSafety, s.now
	for i, f := range s.schedule {
		s.push(event{at: s.now + int64(f.At), kind: evFault, ref: int32(i)})
	}
	for _, c := range s.clients {
		c.done = false
		s.push(event{at: s.now + s.jitter(s.opts.ThinkTime), kind: evClientNext, client: int32(c.idx)})
	}
}

// RandomSchedule is the fault schedule a run of opts draws when it is given
// none: from the seed and the fault rates (with defaults filled as Run
// would), over ten minutes.
func RandomSchedule(opts Options) []Fault {
	opts = opts.withDefaults()
	total := opts.Nodes + opts.Spares
	zones := make([]int, total)
	for i := range zones {
		zones[i] = i % opts.Zones
	}
	return randomSchedule(rand.New(rand.NewPCG(opts.Seed, 3)), opts.Faults, total, zones, 10*time.Minute)
}

// boot starts (or restarts) a node from its disk. The records New writes
// (incarnation, initial layout) are made durable at once, as the production
// runtime does before it serves anything. A spare connects to every other
// node, as its bootstrap peers, so they learn of it.
func (s *Sim) boot(nd *simNode, initial *layout.History) error {
	store := meta.New()
	nd.disk.Snapshot().Each(func(k string, v []byte) bool {
		store.Replay(meta.Record{Key: k, Value: v})
		return true
	})
	cfg := node.Config{ID: nd.id, Table: s.opts.Table, Block: s.opts.Block, ReplicationFactor: s.opts.ReplicationFactor, ObjectBugs: s.opts.ObjectBugs,
		K2VBugs: s.opts.K2VBugs}
	n, err := node.New(cfg, store, initial)
	if err != nil {
		return fmt.Errorf("sim: boot node %d: %w", nd.idx, err)
	}
	for _, r := range n.Ready().Records {
		nd.disk.Replay(r)
	}
	nd.n = n
	nd.inc++
	nd.pending = nil
	nd.persistAt = 0
	nd.readys, nd.durable, nd.pendingSeq = 0, 0, nil
	s.push(event{at: s.now + s.jitter(s.opts.TickInterval), kind: evTick, node: int32(nd.idx), inc: nd.inc})
	if nd.idx >= s.opts.Nodes {
		for _, peer := range s.nodes {
			if peer != nd {
				n.PeerConnected(s.localNow(nd), peer.id, fmt.Sprint("n", peer.idx))
			}
		}
		s.drive(nd)
	}
	return nil
}

func (s *Sim) push(e event) {
	s.nextSeq++
	e.seq = s.nextSeq
	s.agenda.push(e)
}

// jitter draws a duration uniformly in [0, 2*mean).
func (s *Sim) jitter(mean time.Duration) int64 {
	if mean <= 0 {
		return 0
	}
	return s.rng.Int64N(2 * int64(mean))
}

// localNow is node nd's clock reading: virtual time plus its skew.
func (s *Sim) localNow(nd *simNode) cluster.Time { return cluster.Time(s.now + int64(nd.skew)) }

// Run executes the run to its end and checks it.
func (s *Sim) Run() (*Result, error) {
	if err := s.runUntil(func() bool { return s.phase == phaseDone }); err != nil {
		return nil, err
	}
	s.stats.Events = s.events
	s.stats.VirtualEnd = time.Duration(s.now - epoch)
	return s.check(), nil
}

// runUntil runs events until done reports true.
func (s *Sim) runUntil(done func() bool) error {
	for !done() {
		if len(s.agenda) == 0 {
			return errors.New("sim: agenda ran dry")
		}
		if s.events++; s.events > maxEvents {
			return fmt.Errorf("sim: no end after %d events (phase %d)", maxEvents, s.phase)
		}
		e := s.agenda.pop()
		s.now = e.at
		s.hash.add2(uint64(e.at), uint64(e.kind)<<48|uint64(e.node)<<24|uint64(e.client))
		s.step(e)
		s.advancePhase()
	}
	return nil
}

func (s *Sim) step(e event) {
	switch e.kind {
	case evDeliver:
		m := s.msgs.take(e.ref)
		nd := s.nodes[e.node]
		if nd.n == nil || nd.inc != e.inc || !s.net.Deliver(int(e.from), int(e.node)) {
			return
		}
		s.hash.add2(m.ID, uint64(m.Body.Kind()))
		if s.tracing() {
			s.tracef(nd, "recv %v", m)
		}
		nd.n.Step(s.localNow(nd), m)
		s.drive(nd)
	case evTick:
		nd := s.nodes[e.node]
		if nd.n == nil || nd.inc != e.inc {
			return
		}
		nd.n.Tick(s.localNow(nd))
		s.drive(nd)
		s.push(event{at: s.now + int64(s.opts.TickInterval), kind: evTick, node: e.node, inc: nd.inc})
	case evPersisted:
		nd := s.nodes[e.node]
		if nd.inc != e.inc || len(nd.pending) == 0 {
			return // the node crashed before this batch reached the disk
		}
		rd, seq := nd.pending[0], nd.pendingSeq[0]
		nd.pending, nd.pendingSeq = nd.pending[1:], nd.pendingSeq[1:]
		for _, r := range rd.Records {
			nd.disk.Replay(r)
		}
		nd.durable = seq
		if !s.opts.AckBeforePersist {
			s.emit(nd, rd, seq)
		}
	case evIODone:
		req := s.ios.take(e.ref)
		nd := s.nodes[e.node]
		if nd.n == nil || nd.inc != e.inc {
			return // crashed meanwhile: a write in flight is lost
		}
		res := nd.blocks.perform(req)
		s.hash.add2(uint64(req.Kind), uint64(req.Hash[0])<<8|uint64(req.Hash[1]))
		if s.tracing() {
			s.tracef(nd, "io %v %x -> present=%v err=%v", req.Kind, req.Hash[:8], res.Present, res.Err)
		}
		nd.n.Complete(s.localNow(nd), res)
		s.drive(nd)
	case evClientNext:
		s.clientNext(s.clients[e.client])
	case evClientDeadline:
		s.clientDeadline(s.clients[e.client], int(e.node), e.req)
	case evFault:
		if s.phase == phaseSafety {
			s.inject(s.schedule[e.ref])
		}
	case evOperatorRetry:
		s.operatorNext()
	case evOperatorDeadline:
		s.operatorDeadline(int(e.node), e.req)
	}
}

// drive drains a node's Readys. A Ready with records waits for the disk;
// one without waits only for the Readys before it, so nothing is revealed
// before what precedes it is durable.
func (s *Sim) drive(nd *simNode) {
	for nd.n.HasReady() {
		rd := nd.n.Ready()
		nd.readys++
		seq := nd.readys
		if len(rd.Records) == 0 && len(nd.pending) == 0 {
			nd.durable = seq
			s.emit(nd, rd, seq)
			continue
		}
		at := s.now
		if len(rd.Records) > 0 {
			at += int64(s.opts.PersistLatency)
		}
		at = max(at, nd.persistAt)
		nd.persistAt = at
		nd.pending = append(nd.pending, rd)
		nd.pendingSeq = append(nd.pendingSeq, seq)
		s.push(event{at: at, kind: evPersisted, node: int32(nd.idx), inc: nd.inc})
		if s.opts.AckBeforePersist {
			s.emit(nd, rd, seq) // the planted bug: out before the disk has it
		}
	}
}

// emit sends the messages of Ready number seq, starts its disk operations
// and delivers its replies. It checks the contract first: every Ready up
// to seq must be durable (the records of each, and of all before it).
func (s *Sim) emit(nd *simNode, rd node.Ready, seq int) {
	if nd.durable < seq && len(rd.Messages)+len(rd.Replies) > 0 && len(s.durability) < maxProblems {
		s.durability = append(s.durability, fmt.Sprintf("n%d sent the effects of Ready #%d at %v before its records were durable (durable through #%d)",
			nd.idx, seq, time.Duration(s.now-epoch), nd.durable))
	}
	for _, m := range rd.Messages {
		s.send(nd, m)
	}
	for _, req := range rd.IO {
		s.push(event{at: s.now + int64(s.opts.PersistLatency), kind: evIODone, node: int32(nd.idx), inc: nd.inc, ref: s.ios.hold(req)})
	}
	for _, r := range rd.Replies {
		c, ok := nd.waiting[r.ID]
		if !ok {
			continue
		}
		delete(nd.waiting, r.ID)
		if c == operatorClient {
			s.operatorReply(r)
			continue
		}
		s.clientReply(s.clients[c], r)
	}
}

func (s *Sim) send(from *simNode, m rpc.Message) {
	to, ok := s.index[m.To]
	if !ok {
		return
	}
	s.stats.Messages++
	size := 0
	if s.opts.EncodeMessages {
		e := wire.NewEncoder(nil)
		m.Encode(e)
		size = e.Len()
		back, err := rpc.DecodeMessage(e.Bytes())
		if err != nil {
			panic(fmt.Sprintf("sim: message does not survive the codec: %v: %v", m, err))
		}
		m = back
	}
	if s.tracing() {
		s.tracef(from, "send %v", m)
	}
	for _, at := range s.net.Send(s.now, from.idx, to, size) {
		s.push(event{at: at, kind: evDeliver, node: int32(to), inc: s.nodes[to].inc, from: int32(from.idx), ref: s.msgs.hold(m)})
	}
}

func (s *Sim) inject(f Fault) {
	s.stats.Faults[f.Kind]++
	s.hash.add2(uint64(f.Kind)<<32|uint64(f.Node), uint64(f.From)<<32|uint64(f.To))
	s.tracef(nil, "fault %v", f)
	switch f.Kind {
	case Partition:
		s.net.Partition(f.Groups...)
	case Heal:
		s.net.Heal()
	case Cut:
		s.net.Cut(f.From, f.To)
	case Uncut:
		s.net.Uncut(f.From, f.To)
	case SlowLink:
		s.net.SetLink(f.From, f.To, f.Link)
	case RestoreLink:
		s.net.ClearLink(f.From, f.To)
	case Skew:
		s.noteClockJump(s.nodes[f.Node], f.Skew)
		s.nodes[f.Node].skew = f.Skew
	case Crash:
		s.crash(s.nodes[f.Node])
	case Restart:
		s.restart(s.nodes[f.Node])
	case LoseBlock, CorruptBlock:
		d := s.nodes[f.Node].blocks
		if hs := d.sorted(); len(hs) > 0 {
			h := hs[f.Pick%uint64(len(hs))]
			if f.Kind == LoseBlock {
				delete(d.blocks, h)
			} else {
				b := d.blocks[h]
				b.corrupt = true
				d.blocks[h] = b
			}
		}
	case WipeDisk:
		s.nodes[f.Node].blocks = newBlockDisk()
	case LoseMetadata:
		// Everything the node made durable is gone, not only what it had
		// not synced: it must get its layout and its data back from its
		// peers. Its block files stay.
		nd := s.nodes[f.Node]
		up := nd.n != nil
		s.crash(nd)
		nd.disk = meta.New()
		if up {
			s.restart(nd)
		}
	case ChangeLayout:
		s.changeLayout(f.Change)
	}
}

// crash stops a node: the Readys still waiting for the disk are lost with
// their records, messages and replies, as in a power cut.
func (s *Sim) crash(nd *simNode) {
	if nd.n == nil {
		return
	}
	s.stats.Crashes++
	nd.n = nil
	nd.pending = nil
	nd.inc++
	nd.waiting = map[uint64]int{}
	s.net.Crash(nd.idx)
}

func (s *Sim) restart(nd *simNode) {
	if nd.n != nil {
		return
	}
	s.net.Restart(nd.idx)
	if err := s.boot(nd, nil); err != nil {
		panic(err) // a node that cannot restart from its own disk is a bug
	}
}

// advancePhase moves the run on once the clients are done: heal everything,
// let anti-entropy work, then read every key through every node.
func (s *Sim) advancePhase() {
	switch s.phase {
	case phasePreload:
		for _, c := range s.clients {
			if !c.done {
				return
			}
		}
		s.tracef(nil, "preloaded %d objects", s.preloaded)
		s.startSafety()
	case phaseSafety:
		for _, c := range s.clients {
			if !c.done {
				return
			}
		}
		s.heal()
		s.phase = phaseHeal
		s.healEnd = s.now + int64(s.opts.HealTime)
	case phaseHeal:
		if s.now < s.healEnd || (s.now < s.healEnd+int64(s.opts.HealGrace) && !s.settled()) {
			return
		}
		s.tracef(nil, "healed after %v", time.Duration(s.now-s.healEnd)+s.opts.HealTime)
		s.phase = phaseFinal
		s.startFinalReads()
	case phaseFinal:
		for _, c := range s.clients {
			if !c.done {
				return
			}
		}
		s.phase = phaseDone
	}
}

// settled reports whether every node is done with the work faults and
// layout changes left: one live layout version, the newest; no entries to
// hand over or partitions being exchanged; no block check due soon.
func (s *Sim) settled() bool {
	newest := s.newestLayout().Current().Number
	for _, nd := range s.nodes {
		h := nd.n.Layout()
		if len(h.Versions) != 1 || h.Current().Number != newest || nd.n.Tables().Settling() {
			return false
		}
		if due, ok := nd.n.Blocks().NextDue(); ok && int64(due) <= int64(s.localNow(nd))+2*int64(s.opts.Block.GCDelay) {
			return false
		}
	}
	return true
}

// heal lifts every fault: partitions and cuts, slow and lossy links, and
// crashed nodes come back. Clock skews stay: they are not faults to heal.
func (s *Sim) heal() {
	s.tracef(nil, "heal everything")
	s.net.Heal()
	for i := range s.nodes {
		for j := range s.nodes {
			if i != j {
				p := s.net.Link(i, j)
				p.Loss, p.Duplicate, p.Reorder = 0, 0, 0
				if s.net.Zone(i) == s.net.Zone(j) {
					p.Latency, p.Jitter = s.opts.Net.IntraZone.Latency, s.opts.Net.IntraZone.Jitter
				} else {
					p.Latency, p.Jitter = s.opts.Net.InterZone.Latency, s.opts.Net.InterZone.Jitter
				}
				s.net.SetLink(i, j, p)
			}
		}
	}
	for _, nd := range s.nodes {
		s.restart(nd)
	}
	// As an operator would after disk faults: `garage repair blocks`.
	for _, nd := range s.nodes {
		nd.n.Blocks().RepairAll(s.localNow(nd))
		s.drive(nd)
	}
}

// tracing reports whether a trace is wanted; hot paths check it before
// building tracef's arguments, which would otherwise escape to the heap.
func (s *Sim) tracing() bool { return s.opts.Trace != nil }

func (s *Sim) tracef(nd *simNode, format string, args ...any) {
	if s.opts.Trace == nil {
		return
	}
	who := "sim"
	if nd != nil {
		who = fmt.Sprint("n", nd.idx)
	}
	s.opts.Trace(fmt.Sprintf("%12.6fs %-3s %s", float64(s.now-epoch)/1e9, who, fmt.Sprintf(format, args...)))
}
