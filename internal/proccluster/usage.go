package proccluster

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"
)

// Usage is what one node used over its last run, from the kernel's account
// of the exited process, and what its log says went wrong.
type Usage struct {
	Node         int
	PID          int
	PeakRSSBytes int64
	CPUSeconds   float64 // over every process the node ran, restarts included
	Warnings     int
	Errors       int
	FirstProblem string // the first warning or error line
}

func (n *Node) usage() Usage {
	n.mu.Lock()
	defer n.mu.Unlock()
	u := Usage{Node: n.Index, CPUSeconds: n.cpuDone}
	if n.cmd == nil {
		return u
	}
	u.PID = n.cmd.Process.Pid
	if ps := n.cmd.ProcessState; ps != nil {
		u.CPUSeconds += (ps.UserTime() + ps.SystemTime()).Seconds()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			u.PeakRSSBytes = int64(ru.Maxrss)
			if runtime.GOOS != "darwin" { // KiB on Linux, bytes on macOS
				u.PeakRSSBytes *= 1024
			}
		}
	}
	u.PeakRSSBytes = max(u.PeakRSSBytes, n.peak)
	limit := n.logUpToStop
	if limit == 0 {
		limit = fileSize(n.logPath)
	}
	u.Warnings, u.Errors, u.FirstProblem = scanLog(n.logPath, limit)
	return u
}

// notePeak reads the process's VmHWM into its peak and returns it.
func (n *Node) notePeak() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.notePeakLocked()
}

func (n *Node) notePeakLocked() int64 {
	if n.cmd == nil || n.exitedLocked() {
		return n.peak
	}
	n.peak = max(n.peak, vmHWM(n.cmd.Process.Pid))
	return n.peak
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

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}
