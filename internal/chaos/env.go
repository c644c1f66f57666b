package chaos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/garagego/garage/internal/faultnet"
	"github.com/garagego/garage/internal/proccluster"
)

// env is the cluster under test and the levers that fault it: every link
// between two nodes goes through a faultnet proxy (each node dials out
// from an address of its own, 127.0.2.<n>, and advertises its proxy,
// 127.0.3.<n>), each node's data directory is a tmpfs of its own, and each
// node's clock follows a skew file.
type env struct {
	plan     Plan
	dir      string
	bug      string
	progress io.Writer
	rec      *recorder

	net      *faultnet.Network
	cluster  *proccluster.Cluster
	tmpfs    bool     // data disks are tmpfs mounts
	mounted  []string // to unmount
	tmpfsErr error    // why they are not

	mu        sync.Mutex
	parted    map[faultnet.Direction]bool // blocked by the current partition
	cut       map[faultnet.Direction]bool // blocked one way
	shaped    map[faultnet.Direction]faultnet.Shape
	fillers   map[int]string // node -> filler file
	restarts  sync.WaitGroup
	actionErr []error
}

func name(node int) string { return fmt.Sprintf("n%d", node) }

// startEnv starts the proxies and the nodes, and sets the cluster up.
func startEnv(ctx context.Context, o Options, rec *recorder) (*env, error) {
	e := &env{plan: o.Plan, dir: o.Dir, bug: o.Bug, progress: o.Progress, rec: rec, net: faultnet.New(nil, faultnet.WithSeed(o.Seed)),
		parted: map[faultnet.Direction]bool{}, cut: map[faultnet.Direction]bool{}, shaped: map[faultnet.Direction]faultnet.Shape{}, fillers: map[int]string{}}
	e.tmpfs = true
	zones := max(e.plan.Zones, 1)
	cluster, err := proccluster.Start(ctx, proccluster.Options{
		Binary:   o.Binary,
		Dir:      o.Dir,
		Nodes:    e.plan.Nodes,
		Bucket:   "chaos",
		LogLevel: o.LogLevel,
		Zone:     func(i int) string { return fmt.Sprintf("dc%d", (i-1)%zones+1) },
		Node:     func(i int, spec *proccluster.NodeSpec) error { return e.prepareNode(i-1, spec) },
	})
	if err != nil {
		e.close()
		return nil, err
	}
	e.cluster = cluster
	for from := range e.plan.Nodes {
		for to := range e.plan.Nodes {
			if from != to {
				e.net.SetShape(name(from), name(to), e.shapeOf(faultnet.Direction{From: name(from), To: name(to)}))
			}
		}
	}
	return e, nil
}

// prepareNode gives node i its addresses, proxy, disk and clock.
func (e *env) prepareNode(i int, spec *proccluster.NodeSpec) error {
	ip := fmt.Sprintf("127.0.2.%d", i+1)
	var err error
	if spec.RPCBindAddr, err = proccluster.FreeAddr(ip); err != nil {
		return err
	}
	if err := e.net.AddSource(ip, name(i)); err != nil {
		return err
	}
	if spec.RPCPublicAddr, err = e.net.Listen(name(i), fmt.Sprintf("127.0.3.%d:0", i+1), spec.RPCBindAddr); err != nil {
		return err
	}
	spec.BindOutgoing = true
	spec.Options = "block_size = 65536\n"
	if e.tmpfs {
		if err := mountDataDisk(spec.DataDir); err != nil {
			e.tmpfs, e.tmpfsErr = false, err
		} else {
			e.mounted = append(e.mounted, spec.DataDir)
		}
	}
	skew := e.skewFile(i)
	if err := os.WriteFile(skew, nil, 0o600); err != nil {
		return err
	}
	spec.Env = append(spec.Env, "GARAGE_TEST_CLOCK_SKEW_FILE="+skew)
	if e.bug != "" {
		spec.Env = append(spec.Env, "GARAGE_PLANTED_BUG="+e.bug)
	}
	return nil
}

func (e *env) skewFile(node int) string {
	return filepath.Join(e.dir, fmt.Sprintf("node%d", node+1), "clock-skew")
}

func (e *env) node(i int) *proccluster.Node { return e.cluster.Nodes[i] }

// shapeOf is a direction's shape now: its fault's, else the base one.
func (e *env) shapeOf(d faultnet.Direction) faultnet.Shape {
	if s, ok := e.shaped[d]; ok {
		return s
	}
	if e.plan.Base != nil {
		var from, to int
		fmt.Sscanf(d.From, "n%d", &from) //nolint:errcheck // our own names
		fmt.Sscanf(d.To, "n%d", &to)     //nolint:errcheck // our own names
		return e.plan.Base(from, to)
	}
	return faultnet.Shape{}
}

// syncBlocksLocked makes the network's blocks what partitions and cuts say.
func (e *env) syncBlocksLocked() {
	for from := range e.plan.Nodes {
		for to := range e.plan.Nodes {
			d := faultnet.Direction{From: name(from), To: name(to)}
			if from == to {
				continue
			}
			if e.parted[d] || e.cut[d] {
				e.net.Block(d.From, d.To)
			} else {
				e.net.Unblock(d.From, d.To)
			}
		}
	}
}

// apply carries out one action of the plan.
func (e *env) apply(ctx context.Context, a Action) error {
	if a.Node < 0 || a.Node >= e.plan.Nodes || a.From < 0 || a.From >= e.plan.Nodes || a.To < 0 || a.To >= e.plan.Nodes {
		return fmt.Errorf("%v: no such node", a)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	dir := faultnet.Direction{From: name(a.From), To: name(a.To)}
	switch a.Op {
	case OpPartition:
		clear(e.parted)
		group := make([]int, e.plan.Nodes)
		for i := range group {
			group[i] = -1 - i // alone unless listed
		}
		for g, members := range a.Groups {
			for _, n := range members {
				if n >= 0 && n < len(group) {
					group[n] = g
				}
			}
		}
		for from := range group {
			for to := range group {
				if group[from] != group[to] {
					e.parted[faultnet.Direction{From: name(from), To: name(to)}] = true
				}
			}
		}
		e.syncBlocksLocked()
	case OpHeal:
		clear(e.parted)
		clear(e.cut)
		e.syncBlocksLocked()
	case OpBlock:
		e.cut[dir] = true
		e.syncBlocksLocked()
	case OpUnblock:
		delete(e.cut, dir)
		e.syncBlocksLocked()
	case OpShape:
		e.shaped[dir] = a.Shape
		e.net.SetShape(dir.From, dir.To, a.Shape)
	case OpUnshape:
		delete(e.shaped, dir)
		e.net.SetShape(dir.From, dir.To, e.shapeOf(dir))
	case OpSlowNode, OpFastNode:
		for peer := range e.plan.Nodes {
			if peer == a.Node {
				continue
			}
			for _, d := range []faultnet.Direction{{From: name(a.Node), To: name(peer)}, {From: name(peer), To: name(a.Node)}} {
				if a.Op == OpSlowNode {
					e.shaped[d] = a.Shape
				} else {
					delete(e.shaped, d)
				}
				e.net.SetShape(d.From, d.To, e.shapeOf(d))
			}
		}
	case OpReset, OpHalfOpen:
		for peer := range e.plan.Nodes {
			if peer == a.Node {
				continue
			}
			if a.Op == OpReset {
				e.net.Reset(name(a.Node), name(peer))
			} else {
				e.net.HalfOpen(name(a.Node), name(peer))
			}
		}
	case OpKill:
		if n := e.node(a.Node); n.Running() {
			e.rec.killed(a.Node)
			n.Kill()
		}
	case OpRestart:
		e.restartLocked(ctx, a.Node)
	case OpFreeze:
		if n := e.node(a.Node); n.Running() && !n.Frozen() {
			return n.Freeze()
		}
	case OpResume:
		if n := e.node(a.Node); n.Frozen() {
			return n.Resume()
		}
	case OpFillDisk:
		if !e.tmpfs {
			return fmt.Errorf("disk-full skipped: %w", e.tmpfsErr)
		}
		if _, full := e.fillers[a.Node]; !full {
			path, err := fillDisk(e.node(a.Node).Spec.DataDir)
			if err != nil {
				return err
			}
			e.fillers[a.Node] = path
		}
	case OpFreeDisk:
		if path, full := e.fillers[a.Node]; full {
			delete(e.fillers, a.Node)
			return os.Remove(path)
		}
	case OpSkew:
		text := ""
		if a.Skew != 0 {
			text = a.Skew.String()
		}
		return os.WriteFile(e.skewFile(a.Node), []byte(text), 0o600)
	case OpLoseBlock, OpCorrupt, OpWipeDisk:
		return e.damageBlocks(a)
	default:
		return fmt.Errorf("unknown action %q", a.Op)
	}
	return nil
}

// restartLocked starts a node that is down, in the background: it takes
// a few hundred milliseconds, and the schedule goes on meanwhile.
func (e *env) restartLocked(ctx context.Context, node int) {
	n := e.node(node)
	if n.Running() {
		return
	}
	e.restarts.Add(1)
	go func() {
		defer e.restarts.Done()
		if err := n.Start(ctx); err != nil {
			e.mu.Lock()
			e.actionErr = append(e.actionErr, fmt.Errorf("restart n%d: %w", node, err))
			e.mu.Unlock()
		}
	}()
}

// damageBlocks deletes or corrupts a node's stored block files, as a
// failing disk would: one chosen by Pick, or all of them (wipe).
func (e *env) damageBlocks(a Action) error {
	var blocks []string
	root := e.node(a.Node).Spec.DataDir
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && isBlockFile(d.Name()) {
			blocks = append(blocks, path)
		}
		return nil
	})
	if err != nil || len(blocks) == 0 {
		return err
	}
	slices.Sort(blocks)
	switch a.Op {
	case OpWipeDisk:
		for _, b := range blocks {
			os.Remove(b) //nolint:errcheck // one may be gone already (GC)
		}
		return nil
	case OpLoseBlock:
		return os.Remove(blocks[a.Pick%uint64(len(blocks))])
	}
	path := blocks[a.Pick%uint64(len(blocks))]
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		return err
	}
	data[int(a.Pick>>8)%len(data)] ^= 0x5a
	return os.WriteFile(path, data, 0o600)
}

// isBlockFile tells a block (64 hex digits, maybe .zst) from the marker,
// temporary files and quarantined blocks.
func isBlockFile(base string) bool {
	base = strings.TrimSuffix(base, ".zst")
	return len(base) == 64 && strings.Trim(base, "0123456789abcdef") == ""
}

// healAll ends every fault: the network whole again (connections left
// half-open stay so until their ends notice), every node running and
// thawed, disks freed, clocks true.
func (e *env) healAll(ctx context.Context) error {
	e.mu.Lock()
	clear(e.parted)
	clear(e.cut)
	e.syncBlocksLocked()
	for d := range e.shaped {
		delete(e.shaped, d)
		e.net.SetShape(d.From, d.To, e.shapeOf(d))
	}
	var errs []error
	for node, path := range e.fillers {
		delete(e.fillers, node)
		errs = append(errs, os.Remove(path))
	}
	for i := range e.plan.Nodes {
		n := e.node(i)
		if n.Frozen() {
			errs = append(errs, n.Resume())
		}
		errs = append(errs, os.WriteFile(e.skewFile(i), nil, 0o600))
		e.restartLocked(ctx, i)
	}
	e.mu.Unlock()
	e.restarts.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	return errors.Join(append(errs, e.actionErr...)...)
}

// close stops the nodes and the proxies and unmounts the disks.
func (e *env) close() []proccluster.Usage {
	var usage []proccluster.Usage
	if e.cluster != nil {
		usage = e.cluster.Stop()
	}
	e.net.Close() //nolint:errcheck // nothing left to do about it
	for _, m := range e.mounted {
		if err := unmountDataDisk(m); err != nil && e.progress != nil {
			fmt.Fprintf(e.progress, "chaos: %v\n", err)
		}
	}
	return usage
}

// runPlan applies the plan's actions at their times, counted from start,
// until ctx ends, and returns what it did.
func (e *env) runPlan(ctx context.Context, start time.Time) []appliedAction {
	var done []appliedAction
	for _, a := range e.plan.Actions {
		select {
		case <-ctx.Done():
			return done
		case <-time.After(time.Until(start.Add(a.At))):
		}
		err := e.apply(ctx, a)
		done = append(done, appliedAction{Action: a, At: time.Since(start), Err: err})
		if e.progress != nil {
			status := ""
			if err != nil {
				status = " (" + err.Error() + ")"
			}
			fmt.Fprintf(e.progress, "chaos: %s%s\n", a, status)
		}
	}
	return done
}

// appliedAction is an action as it happened.
type appliedAction struct {
	Action
	At  time.Duration // when it was applied
	Err error
}
