package metastore

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The crash test runs the workload in a child process (this test binary,
// re-executed to run TestCrashChild only) and kills it with SIGKILL.
const (
	crashDirEnv  = "METASTORE_CRASH_DIR"
	crashSeedEnv = "METASTORE_CRASH_SEED"
	// crashSnapshotEvery is how many batches the child commits between
	// snapshots, written on another goroutine like the runtime does.
	crashSnapshotEvery = 25
	crashRuns          = 5
)

func crashOptions() Options {
	return Options{Fsync: FsyncEveryCommit, SnapshotEvery: 1 << 30, segmentSize: 16 << 10}
}

// TestCrashChild is the child's side of TestCrashRecovery. It continues
// the workload from whatever it recovers, printing "ack N" once Commit of
// batch N has returned, until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrashRecovery in a child process")
	}
	seed, err := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
	if err != nil {
		t.Fatalf("bad %s: %v", crashSeedEnv, err)
	}
	st, m := openT(t, dir, crashOptions())
	n := seqOf(t, m)
	fmt.Printf("start %d\n", n)

	snapshotDone := make(chan error, 1)
	snapshotDone <- nil // no snapshot in flight
	// The deadline only matters if the parent fails to kill the child.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		n++
		applyBatch(m, seed, n)
		commitPending(t, st, m)
		fmt.Printf("ack %d\n", n)
		if n%crashSnapshotEvery != 0 {
			continue
		}
		select {
		case err := <-snapshotDone:
			if err != nil {
				t.Fatalf("snapshot: %v", err)
			}
			job := st.BeginSnapshot(m.Snapshot())
			go func() { snapshotDone <- job.Write() }()
		default: // the previous snapshot is still being written
		}
	}
	t.Fatal("not killed in time")
}

// TestCrashRecovery kills a committing child process at random points,
// reusing the directory, and checks after each kill that the recovered map
// holds every acknowledged batch, nothing partial, and nothing beyond the
// batch in flight.
func TestCrashRecovery(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("already in the child")
	}
	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	var acked uint64
	for run := range crashRuns {
		delay := time.Duration(20+rng.IntN(181)) * time.Millisecond
		lastAck, start := runAndKill(t, dir, seed, delay)
		if start < acked {
			t.Fatalf("run %d: child recovered up to batch %d, but %d was acknowledged", run, start, acked)
		}
		acked = max(acked, lastAck)

		st, m := openT(t, dir, crashOptions())
		got := seqOf(t, m)
		// The batch after the last acknowledgement may have been committed
		// just before the kill; anything further was never written.
		if got < acked || got > acked+1 {
			t.Fatalf("run %d: recovered up to batch %d, acknowledged %d", run, got, acked)
		}
		assertContents(t, m, stateAfter(seed, got))
		// A batch recovered is durable from now on, acknowledged or not: the
		// next child starts from it and may commit one more before its kill.
		acked = got
		stats := st.Stats()
		closeT(t, st)
		t.Logf("run %d: killed after %v, %d batches acknowledged, recovered %d, stats %+v",
			run, delay, lastAck, got, stats)
	}
	if acked < crashSnapshotEvery {
		t.Fatalf("only %d batches acknowledged in all: no snapshot was exercised", acked)
	}
}

// runAndKill runs the child on dir, kills it delay after it has recovered,
// and returns the last batch it acknowledged and the one it started from.
func runAndKill(t *testing.T, dir string, seed uint64, delay time.Duration) (lastAck, start uint64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashSeedEnv+"="+strconv.FormatUint(seed, 10))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}

	lines := make(chan string)
	go func() {
		defer close(lines)
		for sc := bufio.NewScanner(stdout); sc.Scan(); {
			lines <- sc.Text()
		}
	}()
	var output []string
	var kill <-chan time.Time
	timeout := time.After(15 * time.Second)
	for done := false; !done; {
		select {
		case line, ok := <-lines:
			if !ok {
				done = true
				break
			}
			output = append(output, line)
			if rest, ok := strings.CutPrefix(line, "start "); ok {
				start, _ = strconv.ParseUint(rest, 10, 64)
				kill = time.After(delay)
			}
			if rest, ok := strings.CutPrefix(line, "ack "); ok {
				n, err := strconv.ParseUint(rest, 10, 64)
				if err != nil || n != max(lastAck, start)+1 {
					t.Fatalf("child acknowledged %q after %d", line, max(lastAck, start))
				}
				lastAck = n
			}
		case <-kill:
			kill = nil
			cmd.Process.Signal(syscall.SIGKILL)
		case <-timeout:
			cmd.Process.Signal(syscall.SIGKILL)
			t.Fatalf("child did not start in time; output:\n%s\n%s", strings.Join(output, "\n"), stderr.String())
		}
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended on its own (%v); output:\n%s\n%s", err, strings.Join(output, "\n"), stderr.String())
	}
	return lastAck, start
}
