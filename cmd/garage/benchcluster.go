package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/garagego/garage/internal/s3bench"
	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/adminrpc"
	"github.com/garagego/garage/node/runtime/server"
)

// The local cluster's key, bucket and region.
const (
	benchBucket = "bench"
	benchRegion = "garage"
)

// benchCluster is a local cluster of `garage serve` child processes.
type benchCluster struct {
	bin       string
	dir       string
	rpcSecret string
	nodes     []*benchNode
	keyID     string
	secret    string
	stopErrs  []error
	// replication is the replication factor: min(3, nodes).
	replication int
}

// benchNode is one child process.
type benchNode struct {
	index   int // from 1
	config  string
	rpcAddr string
	logPath string
	s3Addr  string
	id      string
	cmd     *exec.Cmd
	logFile *os.File
	exited  chan struct{} // closed once cmd.Wait returned
	waitErr error
	// logUpToStop is the log's length when the node was told to stop:
	// peers' connections closing during the shutdown are not findings.
	logUpToStop int64
	// peakSeen is the largest VmHWM read from /proc. Neither it nor the
	// ru_maxrss at exit is a perfect peak (the kernel updates its high
	// water mark lazily: they differ by a few hundred KiB either way), so
	// the report gives the largest of them.
	peakSeen int64
}

// start starts the nodes, each bootstrapping from the first, gives them a
// layout with one zone per node and creates the key and the bucket.
func (bc *benchCluster) start(ctx context.Context, n int) error {
	bc.rpcSecret = server.NewSecret()
	bc.replication = min(3, n)
	bootstrap := ""
	for i := 1; i <= n; i++ {
		node, err := bc.startNode(ctx, i, bootstrap)
		if err != nil {
			return fmt.Errorf("node %d: %w", i, err)
		}
		if i == 1 {
			bootstrap = node.id + "@" + node.rpcAddr
		}
	}
	return bc.setUp(ctx)
}

func (bc *benchCluster) startNode(ctx context.Context, i int, bootstrap string) (*benchNode, error) {
	dir := filepath.Join(bc.dir, fmt.Sprintf("node%d", i))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	rpcAddr, err := freeLocalAddr()
	if err != nil {
		return nil, err
	}
	s3Addr, err := freeLocalAddr()
	if err != nil {
		return nil, err
	}
	n := &benchNode{index: i, config: filepath.Join(dir, "garage.toml"), logPath: filepath.Join(dir, "serve.log"), rpcAddr: rpcAddr, s3Addr: s3Addr, exited: make(chan struct{})}
	if err := os.WriteFile(n.config, []byte(bc.nodeConfig(dir, n, bootstrap)), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", n.config, err)
	}
	if n.logFile, err = os.Create(n.logPath); err != nil {
		return nil, fmt.Errorf("create %s: %w", n.logPath, err)
	}
	n.cmd = exec.Command(bc.bin, "-c", n.config, "serve")
	n.cmd.Env = envWithoutGarage()
	n.cmd.Stdout, n.cmd.Stderr = n.logFile, n.logFile
	if err := n.cmd.Start(); err != nil {
		n.logFile.Close()
		return nil, fmt.Errorf("start %s serve: %w", bc.bin, err)
	}
	bc.nodes = append(bc.nodes, n)
	go func() {
		n.waitErr = n.cmd.Wait()
		close(n.exited)
	}()
	return n, n.waitUp(ctx)
}

// nodeConfig is a node's garage.toml: everything under dir, RPC and S3 on
// 127.0.0.1 only.
func (bc *benchCluster) nodeConfig(dir string, n *benchNode, bootstrap string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "metadata_dir = %q\ndata_dir = %q\nreplication_factor = %d\n", filepath.Join(dir, "meta"), filepath.Join(dir, "data"), bc.replication)
	fmt.Fprintf(&b, "rpc_bind_addr = %q\nrpc_secret = %q\n", n.rpcAddr, bc.rpcSecret)
	if bootstrap != "" {
		fmt.Fprintf(&b, "bootstrap_peers = [%q]\n", bootstrap)
	}
	fmt.Fprintf(&b, "\n[s3_api]\napi_bind_addr = %q\ns3_region = %q\n\n[log]\nlevel = \"info\"\n", n.s3Addr, benchRegion)
	return b.String()
}

// envWithoutGarage is the environment minus GARAGE_* variables, which
// would override the generated configuration (GARAGE_RPC_SECRET, …).
func envWithoutGarage() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GARAGE_") })
}

func freeLocalAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitUp waits until the node answers on its RPC port, and learns its id.
func (n *benchNode) waitUp(ctx context.Context) error {
	return s3bench.Retry(ctx, 30*time.Second, func() error {
		select {
		case <-n.exited:
			return fmt.Errorf("exited (%v): see %s", n.waitErr, n.logPath)
		default:
		}
		var r adminrpc.NodeIDResult
		if err := n.admin(func(a *adminClient) error { return a.call(adminrpc.NodeID{}, &r) }); err != nil {
			return fmt.Errorf("does not answer: %w", err)
		}
		n.id = r.ID
		return nil
	})
}

// admin runs fn with an operator connection to the node, configured only
// from its file (never from the bench's own flags or environment).
func (n *benchNode) admin(fn func(*adminClient) error) error {
	g := &Globals{Config: n.config}
	return g.withAdmin(fn)
}

// setUp waits for the nodes to meet, applies a layout with one zone per
// node, and creates a key allowed to read and write the bench bucket.
func (bc *benchCluster) setUp(ctx context.Context) error {
	first := bc.nodes[0]
	err := s3bench.Retry(ctx, 60*time.Second, func() error {
		var st admin.ClusterStatus
		if err := first.admin(func(a *adminClient) error { return a.call(admin.GetStatus{}, &st) }); err != nil {
			return err
		}
		if up := countUp(st); up < len(bc.nodes) {
			return fmt.Errorf("%d of %d nodes up", up, len(bc.nodes))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("the nodes did not meet: %w", err)
	}
	err = first.admin(func(a *adminClient) error {
		for _, n := range bc.nodes {
			op := admin.AssignRole{Nodes: []string{n.id}, Zone: fmt.Sprintf("dc%d", n.index), Capacity: 1 << 40}
			if err := a.call(op, nil); err != nil {
				return fmt.Errorf("assign node %d: %w", n.index, err)
			}
		}
		if err := a.call(admin.ApplyLayout{Version: 1}, nil); err != nil {
			return fmt.Errorf("apply the layout: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := bc.waitLayout(ctx, 1); err != nil {
		return err
	}
	return bc.createKeyAndBucket()
}

func countUp(st admin.ClusterStatus) int {
	up := 0
	for _, n := range st.Nodes {
		if n.Up {
			up++
		}
	}
	return up
}

// waitLayout waits until every node runs layout version v.
func (bc *benchCluster) waitLayout(ctx context.Context, v uint64) error {
	for _, n := range bc.nodes {
		err := s3bench.Retry(ctx, 60*time.Second, func() error {
			var info admin.LayoutInfo
			if err := n.admin(func(a *adminClient) error { return a.call(admin.GetLayout{}, &info) }); err != nil {
				return err
			}
			if info.Version != v {
				return fmt.Errorf("at layout version %d", info.Version)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("node %d did not get layout version %d: %w", n.index, v, err)
		}
	}
	return nil
}

func (bc *benchCluster) createKeyAndBucket() error {
	return bc.nodes[0].admin(func(a *adminClient) error {
		var k admin.KeyInfo
		if err := a.call(admin.CreateKey{Name: "bench"}, &k); err != nil {
			return fmt.Errorf("create the key: %w", err)
		}
		bc.keyID, bc.secret = k.ID, k.Secret
		if err := a.call(admin.CreateBucket{Name: benchBucket}, nil); err != nil {
			return fmt.Errorf("create the bucket: %w", err)
		}
		if err := a.call(admin.SetBucketPerms{Bucket: benchBucket, Key: k.ID, Read: true, Write: true, Owner: true, Allow: true}, nil); err != nil {
			return fmt.Errorf("allow the key on the bucket: %w", err)
		}
		return nil
	})
}

func (bc *benchCluster) endpoints() []string {
	var e []string
	for _, n := range bc.nodes {
		e = append(e, "http://"+n.s3Addr)
	}
	return e
}

// stopTimeout is how long a node has to exit cleanly before it is killed.
const stopTimeout = 30 * time.Second

// stop sends every node SIGTERM, waits for them to exit (killing any that
// take longer than stopTimeout) and returns what each used, from the
// kernel's account of the exited process.
func (bc *benchCluster) stop() []s3bench.NodeUsage {
	for _, n := range bc.nodes {
		n.logUpToStop = fileSize(n.logPath)
		n.notePeak()
		n.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may have exited already
	}
	var usage []s3bench.NodeUsage
	for _, n := range bc.nodes {
		select {
		case <-n.exited:
		case <-time.After(stopTimeout):
			bc.stopErrs = append(bc.stopErrs, fmt.Errorf("node %d did not exit %v after SIGTERM: killed", n.index, stopTimeout))
			n.cmd.Process.Kill() //nolint:errcheck // it may have exited meanwhile
			<-n.exited
		}
		n.logFile.Close()
		if n.waitErr != nil {
			bc.stopErrs = append(bc.stopErrs, fmt.Errorf("node %d exited with %v: see %s", n.index, n.waitErr, n.logPath))
		}
		u := processUsage(n.cmd.ProcessState)
		u.PeakRSSBytes = max(u.PeakRSSBytes, n.peakSeen)
		u.Node, u.PID = n.index, n.cmd.Process.Pid
		u.Warnings, u.Errors, u.FirstProblem = scanLog(n.logPath, n.logUpToStop)
		usage = append(usage, u)
	}
	bc.nodes = nil
	return usage
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// peaksSoFar is each node's peak resident memory so far; nil where /proc
// does not tell it.
func (bc *benchCluster) peaksSoFar() []int64 {
	var peaks []int64
	for _, n := range bc.nodes {
		if n.notePeak() == 0 {
			return nil
		}
		peaks = append(peaks, n.peakSeen)
	}
	return peaks
}

// notePeak reads the node's VmHWM into peakSeen and returns it.
func (n *benchNode) notePeak() int64 {
	hwm := vmHWM(n.cmd.Process.Pid)
	n.peakSeen = max(n.peakSeen, hwm)
	return hwm
}

func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kib int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kib) //nolint:errcheck // 0 on a surprise
			return kib << 10
		}
	}
	return 0
}

func (bc *benchCluster) stopErr() error { return errors.Join(bc.stopErrs...) }

// processUsage reads an exited process's peak resident memory (ru_maxrss:
// KiB on Linux, bytes on macOS) and CPU time.
func processUsage(ps *os.ProcessState) s3bench.NodeUsage {
	var u s3bench.NodeUsage
	if ps == nil {
		return u
	}
	u.CPUSeconds = (ps.UserTime() + ps.SystemTime()).Seconds()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		u.PeakRSSBytes = int64(ru.Maxrss)
		if runtime.GOOS != "darwin" {
			u.PeakRSSBytes *= 1024
		}
	}
	return u
}

// scanLog counts the warning and error lines in the first limit bytes of a
// node's log (JSON lines, as its stderr is not a terminal) and returns the
// first of them.
func scanLog(path string, limit int64) (warnings, errs int, first string) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, limit))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, `"level":"warn"`):
			warnings++
		case strings.Contains(line, `"level":"error"`), strings.Contains(line, `"level":"fatal"`), strings.HasPrefix(line, "panic:"):
			errs++
		default:
			continue
		}
		if first == "" {
			first = line
		}
	}
	return warnings, errs, first
}

// benchDir makes the cluster's directory: --dir, which must be new or
// empty and is kept, or a temporary one that cleanup removes.
func benchDir(dir string) (string, func(), error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "garage-bench-")
		if err != nil {
			return "", nil, fmt.Errorf("create a directory for the cluster: %w", err)
		}
		return tmp, func() { os.RemoveAll(tmp) }, nil
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return "", nil, fmt.Errorf("--dir %s is not empty: the bench needs a fresh cluster", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create --dir %s: %w", dir, err)
	}
	return dir, func() {}, nil
}
