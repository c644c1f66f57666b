package admin

import (
	"errors"
	"fmt"
	"time"

	"github.com/garagego/garage/node/block"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/crdt"
	"github.com/garagego/garage/node/layout"
	"github.com/garagego/garage/node/membership"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/table"
)

// Errors operations end with, wrapped with the specifics.
var (
	ErrNotFound  = errors.New("not found")
	ErrAmbiguous = errors.New("ambiguous")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
)

// Done receives an operation's result or error.
type Done func(now cluster.Time, result any, err error)

// Service runs admin operations on one node.
type Service struct {
	self           cluster.NodeID
	engine         *table.Engine
	blocks         *block.Manager
	refs           *table.Table[model.BlockRef]
	tables         *model.Tables
	members        *membership.Service
	objects        ObjectIndex
	statusInterval time.Duration
	tokens         *table.Table[model.AdminToken]
	// lookups counts the S3 key and bucket lookups answered from the
	// local copy and with a quorum (s3.go).
	lookups struct{ local, quorum uint64 }
}

// New returns the admin service.
func New(self cluster.NodeID, engine *table.Engine, blocks *block.Manager, refs *table.Table[model.BlockRef], tables *model.Tables, members *membership.Service, objects ObjectIndex, statusInterval time.Duration) *Service {
	return &Service{self: self, engine: engine, blocks: blocks, refs: refs, tables: tables, members: members, objects: objects, statusInterval: statusInterval,
		tokens: model.RegisterAdminTokens(engine)}
}

// Submit starts op if it is an admin operation and reports whether it was.
func (s *Service) Submit(now cluster.Time, op any, done Done) bool {
	switch op := op.(type) {
	case GetStatus:
		done(now, s.status(now), nil)
	case GetStats:
		done(now, s.stats(), nil)
	case ListWorkers:
		w := s.workers()
		w.Vars = s.workerVars()
		done(now, w, nil)
	case ListBlockErrors:
		done(now, s.blockErrors(), nil)
	case RetryBlocks:
		n, err := s.retryBlocks(now, op)
		done(now, n, err)
	case GetBlockInfo:
		s.blockInfo(now, op, done)
	case GetTableDigests:
		done(now, s.tableDigests(), nil)
	case GetTableItems:
		items, err := s.tableItems(op)
		done(now, items, err)
	case RepairTables:
		s.engine.SyncNow(now)
		done(now, struct{}{}, nil)
	case RepairBlocks:
		s.blocks.RepairAll(now)
		done(now, struct{}{}, nil)
	case RepairScrub:
		s.blocks.StartScrub(now)
		done(now, struct{}{}, nil)
	case GetWorkerVars:
		done(now, s.workerVars(), nil)
	case SetWorkerVar:
		if err := s.blocks.SetSetting(op.Name, op.Value); err != nil {
			done(now, nil, fmt.Errorf("%w: %v", ErrInvalid, err))
			return true
		}
		done(now, s.workerVars(), nil)
	case GetLayout:
		done(now, s.layoutInfo(), nil)
	case AssignRole:
		s.layoutChange(now, done, func(h *layout.History, stamp crdt.Stamp) error { return s.assign(h, stamp, op) })
	case RemoveRole:
		s.layoutChange(now, done, func(h *layout.History, stamp crdt.Stamp) error { return s.remove(h, stamp, op) })
	case ConfigLayout:
		s.layoutChange(now, done, func(h *layout.History, stamp crdt.Stamp) error { return configure(h, stamp, op) })
	case GetLayoutHistory:
		done(now, s.layoutHistory(now), nil)
	case SkipDeadNodes:
		s.layoutChange(now, done, func(h *layout.History, _ crdt.Stamp) error { return s.skipDeadNodes(now, h, op) })
	case ApplyLayout:
		s.layoutChange(now, done, func(h *layout.History, _ crdt.Stamp) error { _, err := h.Apply(op.Version); return err })
	case RevertLayout:
		s.layoutChange(now, done, revert)
	case CreateKey:
		s.createKey(now, op.ID, op.Secret, op.Name, false, done)
	case ImportKey:
		s.createKey(now, op.ID, op.Secret, op.Name, true, done)
	case ListKeys:
		s.listKeys(now, done)
	case GetKey:
		s.getKey(now, op, done)
	case DeleteKey:
		s.deleteKey(now, op, done)
	case SetKeyFlags:
		s.setKeyFlags(now, op, done)
	case CreateBucket:
		s.createBucket(now, op, done)
	case ListBuckets:
		s.listBuckets(now, done)
	case GetBucket:
		s.getBucket(now, op, done)
	case InspectObject:
		s.inspectObject(now, op, done)
	case DeleteBucket:
		s.deleteBucket(now, op, done)
	case SetBucketPerms:
		s.setBucketPerms(now, op, done)
	case AliasBucket:
		s.aliasBucket(now, op, done)
	case SetBucketWebsite, GetBucketWebsite:
		s.submitWebsite(now, op, done)
	case SetBucketQuotas:
		s.setBucketQuotas(now, op, done)
	case CleanupIncompleteUploads:
		s.cleanupIncompleteUploads(now, op, done)
	case PurgeBlocks:
		s.purgeBlocks(now, op, done)
	default:
		return s.submitS3(now, op, done) || s.submitTokens(now, op, done) || s.submitAPIv2(now, op, done)
	}
	return true
}

// stamp is a fresh LWW stamp later than every stamp in seen, so an update
// made after reading an entry always wins over what was read.
func (s *Service) stamp(now cluster.Time, seen ...crdt.Stamp) crdt.Stamp {
	var newest crdt.Stamp
	for _, st := range seen {
		if st.Compare(newest) > 0 {
			newest = st
		}
	}
	return crdt.Stamp{TS: crdt.NextTS(now.Millis(), newest), Node: s.self}
}

// readAll lists a full-copy table (every entry sits under partition key
// ""), page by page, with a read quorum each.
func readAll[E table.Entry[E]](now cluster.Time, t *table.Table[E], done func(cluster.Time, []table.Item[E], error)) {
	var all []table.Item[E]
	var page func(now cluster.Time, start string)
	page = func(now cluster.Time, start string) {
		t.ReadRange(now, "", start, "", 0, func(now cluster.Time, r table.Range[E], err error) {
			if err != nil {
				done(now, nil, err)
				return
			}
			all = append(all, r.Items...)
			if r.More {
				page(now, r.Next)
				return
			}
			done(now, all, nil)
		})
	}
	page(now, "")
}

// then chains a step after an error-only completion.
func then(done Done, next func(now cluster.Time)) func(cluster.Time, error) {
	return func(now cluster.Time, err error) {
		if err != nil {
			done(now, nil, err)
			return
		}
		next(now)
	}
}

func notFound(what, name string) error {
	return fmt.Errorf("%w: no %s matches %q", ErrNotFound, what, name)
}

func (s *Service) stats() NodeStats {
	st := s.engine.Stats()
	out := NodeStats{Node: s.self.Hex(), SyncPasses: st.SyncPasses, SyncSessions: st.SyncSessions,
		SyncItemsSent: st.SyncItemsSent, SyncItemsRecvd: st.SyncItemsRecvd, LayoutMerges: s.members.Stats().LayoutMerges,
		SyncRounds: st.SyncRounds, SyncRoundFailures: st.SyncRoundFailures, Offloaded: st.Offloaded,
		TombstonesQueued: s.engine.GCQueueLen(), TombstonesCollected: st.TombstonesCollected, GCRounds: st.GCRounds, GCFailures: st.GCFailures,
		LocalLookups: s.lookups.local, QuorumLookups: s.lookups.quorum}
	for _, p := range s.members.Peers() {
		if p.Self {
			out.Hostname, out.Version = p.Info.Hostname, p.Info.Version
		}
	}
	s.blocks.RefCounts(func(cluster.Hash, block.RefCount) bool { out.BlockRefs++; return true })
	out.ResyncQueue, out.ResyncErrors = s.blocks.QueueLen(), len(s.blocks.Errors())
	for _, id := range s.engine.Tables() {
		out.Tables = append(out.Tables, TableStats{Name: s.engine.TableName(id), Entries: s.engine.Count(id), Tombstones: s.engine.Tombstones(id)})
	}
	return out
}

func (s *Service) workerVars() []WorkerVar {
	var out []WorkerVar
	for _, name := range block.Settings {
		v, _ := s.blocks.Setting(name)
		out = append(out, WorkerVar{Name: name, Value: v})
	}
	return out
}
