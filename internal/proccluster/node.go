package proccluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/garagego/garage/internal/config"
	"github.com/garagego/garage/internal/retry"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/runtime/adminrpc"
)

// Node is one `garage serve` process, which may be stopped and started
// again on the same directories.
type Node struct {
	Index      int    // from 1
	ID         string // the node id, learned at the first start
	Spec       NodeSpec
	Dir        string
	ConfigPath string
	binary     string
	rpcSecret  string

	mu      sync.Mutex
	cmd     *exec.Cmd
	logFile *os.File
	logPath string
	exited  chan struct{} // closed once cmd.Wait returned
	waitErr error
	frozen  bool
	stopped bool // told to stop: its exit status matters
	starts  int
	cpuDone float64 // CPU seconds of the processes before this one
	// peak is the largest VmHWM read from /proc. Neither it nor the
	// ru_maxrss at exit is a perfect peak (the kernel updates its high
	// water mark lazily), so usage reports the larger.
	peak int64
	// logUpToStop is the log's length when the node was told to stop:
	// peers' connections closing during the shutdown are not findings.
	logUpToStop int64
}

// Start starts the process (again, after a kill or a stop) and waits
// until it answers on its RPC port.
func (n *Node) Start(ctx context.Context) error {
	n.mu.Lock()
	if n.cmd != nil && !n.exitedLocked() {
		n.mu.Unlock()
		return fmt.Errorf("node %d is already running", n.Index)
	}
	n.starts++
	if n.cmd != nil && n.cmd.ProcessState != nil {
		n.cpuDone += (n.cmd.ProcessState.UserTime() + n.cmd.ProcessState.SystemTime()).Seconds()
	}
	n.logPath = filepath.Join(n.Dir, fmt.Sprintf("serve-%d.log", n.starts))
	logFile, err := os.Create(n.logPath)
	if err != nil {
		n.mu.Unlock()
		return fmt.Errorf("create %s: %w", n.logPath, err)
	}
	cmd := exec.Command(n.binary, "-c", n.ConfigPath, "serve")
	cmd.Env = cleanEnv(n.Spec.Env)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		n.mu.Unlock()
		logFile.Close()
		return fmt.Errorf("start %s serve: %w", n.binary, err)
	}
	exited := make(chan struct{})
	n.cmd, n.logFile, n.exited, n.waitErr, n.frozen, n.stopped, n.logUpToStop = cmd, logFile, exited, nil, false, false, 0
	n.mu.Unlock()
	go func() {
		err := cmd.Wait()
		n.mu.Lock()
		n.waitErr = err
		n.mu.Unlock()
		close(exited)
	}()
	return n.waitUp(ctx, exited)
}

// waitUp waits until the node answers on its RPC port, and learns its id.
func (n *Node) waitUp(ctx context.Context, exited chan struct{}) error {
	return retry.Until(ctx, 30*time.Second, func() error {
		select {
		case <-exited:
			return fmt.Errorf("exited (%v): see %s", n.exitErr(), n.LogPath())
		default:
		}
		var r adminrpc.NodeIDResult
		if err := n.Call(adminrpc.NodeID{}, &r); err != nil {
			return fmt.Errorf("does not answer: %w", err)
		}
		n.ID = r.ID
		return nil
	})
}

func (n *Node) exitErr() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.waitErr
}

func (n *Node) exitedLocked() bool {
	select {
	case <-n.exited:
		return true
	default:
		return false
	}
}

// Running reports whether the process is alive (frozen counts).
func (n *Node) Running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd != nil && !n.exitedLocked()
}

// Frozen reports whether the process is stopped by SIGSTOP.
func (n *Node) Frozen() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.frozen && !n.exitedLocked()
}

// PID is the process id of the current (or last) process, 0 if none.
func (n *Node) PID() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return 0
	}
	return n.cmd.Process.Pid
}

// LogPath is the current (or last) process's log.
func (n *Node) LogPath() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.logPath
}

// Kill stops the process with SIGKILL, as a crash would, and waits for it.
func (n *Node) Kill() {
	n.mu.Lock()
	cmd, exited := n.cmd, n.exited
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL) //nolint:errcheck // it may have exited already
	<-exited
}

// Freeze stops the process with SIGSTOP: it holds its connections and its
// state but answers nothing, like a machine stuck in swap.
func (n *Node) Freeze() error { return n.signalFrozen(syscall.SIGSTOP, true) }

// Resume continues a frozen process with SIGCONT.
func (n *Node) Resume() error { return n.signalFrozen(syscall.SIGCONT, false) }

func (n *Node) signalFrozen(sig syscall.Signal, frozen bool) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil || n.exitedLocked() {
		return fmt.Errorf("node %d is not running", n.Index)
	}
	if err := n.cmd.Process.Signal(sig); err != nil {
		return err
	}
	n.frozen = frozen
	return nil
}

// requestStop sends SIGTERM, resuming a frozen process first.
func (n *Node) requestStop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil || n.exitedLocked() {
		return
	}
	n.stopped = true
	n.logUpToStop = fileSize(n.logPath)
	if n.frozen {
		n.cmd.Process.Signal(syscall.SIGCONT) //nolint:errcheck // exiting anyway
		n.frozen = false
	}
	n.notePeakLocked()
	n.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may have exited already
}

// awaitStop waits for a process told to stop, killing it after timeout.
func (n *Node) awaitStop(timeout time.Duration) error {
	n.mu.Lock()
	cmd, exited := n.cmd, n.exited
	n.mu.Unlock()
	if cmd == nil {
		return nil
	}
	var err error
	select {
	case <-exited:
	case <-time.After(timeout):
		err = fmt.Errorf("did not exit %v after SIGTERM: killed", timeout)
		cmd.Process.Kill() //nolint:errcheck // it may have exited meanwhile
		<-exited
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.logFile.Close()
	if n.waitErr != nil && err == nil && n.stopped {
		err = fmt.Errorf("exited with %v: see %s", n.waitErr, n.logPath)
	}
	return err
}

// Stop stops the process with SIGTERM and waits for a clean exit.
func (n *Node) Stop() error {
	n.requestStop()
	return n.awaitStop(stopTimeout)
}

// Endpoint is the node's S3 endpoint.
func (n *Node) Endpoint() string { return "http://" + n.Spec.S3Addr }

// K2VEndpoint is the node's K2V endpoint ("" if it serves none).
func (n *Node) K2VEndpoint() string {
	if n.Spec.K2VAddr == "" {
		return ""
	}
	return "http://" + n.Spec.K2VAddr
}

// dialAddr is where peers and operators reach the node's RPC.
func (n *Node) dialAddr() string {
	if n.Spec.RPCPublicAddr != "" {
		return n.Spec.RPCPublicAddr
	}
	return n.Spec.RPCBindAddr
}

// Admin runs fn with an operator connection to the node (on its own RPC
// port, never through whatever the node advertises).
func (n *Node) Admin(fn func(*adminrpc.Client) error) error {
	secret, err := config.ParseRPCSecret(n.rpcSecret)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := adminrpc.Dial(ctx, n.Spec.RPCBindAddr, secret, cluster.NodeID{})
	if err != nil {
		return err
	}
	defer c.Close()
	return fn(c)
}

// Call runs one admin operation on the node.
func (n *Node) Call(op adminrpc.Op, result any) error {
	return n.Admin(func(a *adminrpc.Client) error { return a.Call(op, result) })
}

// RPCSecret is the cluster's secret, hex.
func (n *Node) RPCSecret() string { return n.rpcSecret }
