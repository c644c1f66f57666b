package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests run the real binary: built once, started as separate
// `garage serve` processes on 127.0.0.1, driven through the CLI.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func garageBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "garage-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "garage")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// cleanEnv is the environment without GARAGE_* variables, so the machine's
// settings cannot steer the test.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GARAGE_") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// testNode is one garage serve process.
type testNode struct {
	t       *testing.T
	dir     string
	config  string
	rpcAddr string
	cmd     *exec.Cmd
	logPath string
}

const e2eSecret = "3c1a7b0d9e0f4a2b8c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b"

func newTestNode(t *testing.T, name string, rf int, bootstrap string) *testNode {
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	n := &testNode{t: t, dir: dir, config: filepath.Join(dir, "garage.toml"), rpcAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	peers := ""
	if bootstrap != "" {
		peers = fmt.Sprintf("bootstrap_peers = [%q]\n", bootstrap)
	}
	cfg := fmt.Sprintf("metadata_dir = %q\ndata_dir = %q\nreplication_factor = %d\nrpc_bind_addr = %q\nrpc_secret = %q\n%s[log]\nlevel = \"debug\"\n",
		filepath.Join(dir, "meta"), filepath.Join(dir, "data"), rf, n.rpcAddr, e2eSecret, peers)
	if err := os.WriteFile(n.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *testNode) start() {
	n.t.Helper()
	n.logPath = filepath.Join(n.dir, fmt.Sprintf("serve-%d.log", time.Now().UnixNano()))
	logFile, err := os.Create(n.logPath)
	if err != nil {
		n.t.Fatal(err)
	}
	n.cmd = exec.Command(garageBinary(n.t), "-c", n.config, "serve")
	n.cmd.Env = cleanEnv()
	n.cmd.Stdout, n.cmd.Stderr = logFile, logFile
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	cmd := n.cmd
	n.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		logFile.Close()
	})
	n.waitFor("the node to answer", func() bool { _, err := n.cli("node", "id", "-q"); return err == nil })
}

// kill stops the process with SIGKILL: no clean shutdown.
func (n *testNode) kill() {
	n.cmd.Process.Signal(syscall.SIGKILL)
	n.cmd.Wait()
}

// stop sends SIGTERM and expects a clean exit.
func (n *testNode) stop() {
	n.cmd.Process.Signal(syscall.SIGTERM)
	if err := n.cmd.Wait(); err != nil {
		n.t.Errorf("node did not exit cleanly on SIGTERM: %v\n%s", err, n.logs())
	}
}

func (n *testNode) logs() string {
	b, _ := os.ReadFile(n.logPath)
	return string(b)
}

// cli runs a garage command against this node.
func (n *testNode) cli(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, garageBinary(n.t), append([]string{"-c", n.config}, args...)...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (n *testNode) mustCLI(args ...string) string {
	n.t.Helper()
	out, err := n.cli(args...)
	if err != nil {
		n.t.Fatalf("garage %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (n *testNode) id() string {
	n.t.Helper()
	out := n.mustCLI("node", "id", "-q")
	id, _, _ := strings.Cut(strings.TrimSpace(out), "@")
	return id
}

func (n *testNode) waitFor(what string, cond func() bool) {
	n.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			n.t.Fatalf("timed out waiting for %s\n%s", what, n.logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// localEntries reads `garage stats`: how many entries of a table this
// node itself holds.
func (n *testNode) localEntries(tableName string) int {
	out, err := n.cli("stats")
	if err != nil {
		return -1
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == tableName {
			v, _ := strconv.Atoi(f[1])
			return v
		}
	}
	return -1
}

// startCluster starts n nodes with replication min(3, n), the others
// bootstrapping from the first, and waits until the first sees them all.
func startCluster(t *testing.T, n int) []*testNode {
	t.Helper()
	first := newTestNode(t, "n1", min(3, n), "")
	first.start()
	nodes := []*testNode{first}
	for i := 2; i <= n; i++ {
		node := newTestNode(t, fmt.Sprintf("n%d", i), min(3, n), first.id()+"@"+first.rpcAddr)
		node.start()
		nodes = append(nodes, node)
	}
	first.waitFor(fmt.Sprintf("%d healthy nodes", n), func() bool { out, _ := first.cli("status"); return healthyNodes(out) == n })
	return nodes
}

// assignZones stages a layout with node i in zone dc<i>, 1 GB each.
func assignZones(nodes []*testNode) {
	for i, n := range nodes {
		nodes[0].mustCLI("layout", "assign", "-z", fmt.Sprintf("dc%d", i+1), "-c", "1G", n.id()[:10])
	}
}

// healthyNodes counts the node lines (those starting with a node id) of
// the status's healthy section (which ends at the first blank line).
func healthyNodes(statusOut string) int {
	healthy, _, _ := strings.Cut(statusOut, "\n\n")
	count := 0
	for _, line := range strings.Split(healthy, "\n") {
		if f := strings.Fields(line); len(f) > 0 && len(f[0]) == 16 && strings.Trim(f[0], "0123456789abcdef") == "" {
			count++
		}
	}
	return count
}

func TestThreeNodeClusterSurvivesAKill(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	// They find each other from the bootstrap peer alone (gossip).
	nodes := startCluster(t, 3)
	n1, n2, n3 := nodes[0], nodes[1], nodes[2]
	id1 := n1.id()
	n3.waitFor("node 3 to see node 2", func() bool { out, _ := n3.cli("status"); return healthyNodes(out) == 3 })

	// A three-zone layout, through the CLI.
	assignZones(nodes)
	show := n2.mustCLI("layout", "show")
	if !strings.Contains(show, "garage layout apply --version 1") {
		t.Fatalf("layout show does not preview version 1:\n%s", show)
	}
	n2.mustCLI("layout", "apply", "--version", "1")
	for _, n := range nodes {
		n.waitFor("layout version 1 everywhere", func() bool {
			out, _ := n.cli("layout", "show")
			return strings.Contains(out, "CURRENT CLUSTER LAYOUT (version 1)")
		})
	}

	// Writes through one node, served by another.
	n1.mustCLI("key", "create", "e2e-key")
	n1.mustCLI("bucket", "create", "e2e-0")
	n1.mustCLI("bucket", "allow", "e2e-0", "--key", "e2e-key", "--read", "--write")
	if info := n2.mustCLI("bucket", "info", "e2e-0"); !strings.Contains(info, "RW-") || !strings.Contains(info, "e2e-key") {
		t.Fatalf("node 2 does not serve what node 1 wrote:\n%s", info)
	}

	// Node 3 is killed while writes go on through node 1.
	acked := []string{"e2e-0"}
	for i := 1; i <= 30; i++ {
		if i == 10 {
			n3.kill()
		}
		name := fmt.Sprintf("e2e-%d", i)
		if out, err := n1.cli("bucket", "create", name); err != nil {
			t.Fatalf("write %s with 2 of 3 nodes up failed: %v\n%s", name, err, out)
		}
		acked = append(acked, name)
	}
	list := n2.mustCLI("bucket", "list")
	for _, name := range acked {
		if !strings.Contains(list, " "+name+" ") {
			t.Fatalf("bucket %s missing from node 2's listing while node 3 is down:\n%s", name, list)
		}
	}
	if out, _ := n1.cli("status"); !strings.Contains(out, "FAILED NODES") {
		t.Errorf("status does not report the killed node:\n%s", out)
	}

	// Node 3 restarts from its disk and catches up by anti-entropy.
	n3.start()
	want := n1.localEntries("buckets")
	n3.waitFor("node 3 to catch up", func() bool { return n3.localEntries("buckets") == want })
	list = n3.mustCLI("bucket", "list")
	for _, name := range acked {
		if !strings.Contains(list, " "+name+" ") {
			t.Fatalf("acknowledged bucket %s lost:\n%s", name, list)
		}
	}

	// A fourth node joins through the CLI: assign, apply version 2, and
	// the change settles (one live version) with the newcomer caught up.
	n4 := newTestNode(t, "n4", 3, id1+"@"+n1.rpcAddr)
	n4.start()
	nodes = append(nodes, n4)
	n1.waitFor("four healthy nodes", func() bool { out, _ := n1.cli("status"); return healthyNodes(out) == 4 })
	n1.mustCLI("layout", "assign", "-z", "dc4", "-c", "1G", n4.id()[:10])
	if show := n1.mustCLI("layout", "show"); !strings.Contains(show, "garage layout apply --version 2") {
		t.Fatalf("layout show does not preview version 2:\n%s", show)
	}
	n1.mustCLI("layout", "apply", "--version", "2")
	for _, n := range nodes {
		n.waitFor("version 2 to settle everywhere", func() bool {
			out, _ := n.cli("layout", "history")
			return strings.Contains(out, "current 2, reads from 2") && !strings.Contains(out, "in progress")
		})
	}
	hist := n4.mustCLI("layout", "history")
	if strings.Count(hist, "true") != 4 {
		t.Errorf("layout history does not list four nodes up:\n%s", hist)
	}
	n4.waitFor("node 4 to hold every bucket", func() bool { return n4.localEntries("buckets") == want })
	for _, n := range nodes {
		n.stop()
	}
}

func TestWrongSecretIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	n1 := newTestNode(t, "good", 1, "")
	n1.start()
	id1 := n1.id()
	bad := newTestNode(t, "bad", 1, id1+"@"+n1.rpcAddr)
	cfg, _ := os.ReadFile(bad.config)
	wrong := strings.Repeat("5a", 32)
	os.WriteFile(bad.config, []byte(strings.Replace(string(cfg), e2eSecret, wrong, 1)), 0o600)
	bad.start()
	n1.waitFor("both sides to log the refusal", func() bool {
		return strings.Contains(n1.logs(), "rpc_secret") && strings.Contains(bad.logs(), "rpc_secret")
	})
	if out, _ := n1.cli("status"); healthyNodes(out) != 1 {
		t.Fatalf("a node with the wrong secret joined:\n%s", out)
	}
	n1.stop()
	bad.stop()
}

// embedded is a `garage serve` started with no flags and no
// configuration in a scratch directory, as a newcomer would run it.
type embedded struct {
	ctx    context.Context // ends when the test's time is up
	work   string          // the directory it runs in
	cmd    *exec.Cmd
	banner string // what it printed up to the line that says it serves
}

// startEmbedded starts one, killed when t ends; what it prints after the
// banner is drained so its logs never block it.
func startEmbedded(t *testing.T, timeout time.Duration) embedded {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	e := embedded{ctx: ctx, work: t.TempDir()}
	e.cmd = exec.CommandContext(ctx, garageBinary(t), "serve")
	e.cmd.Dir = e.work
	e.cmd.Env = cleanEnv()
	stdout, _ := e.cmd.StdoutPipe()
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.cmd.Process.Kill(); e.cmd.Wait() })
	var banner strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "garage node ") {
			break
		}
	}
	go io.Copy(io.Discard, stdout) //nolint:errcheck // drain
	e.banner = banner.String()
	return e
}

func TestEmbeddedDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	e := startEmbedded(t, 60*time.Second)
	work, cmd, b := e.work, e.cmd, e.banner
	for _, want := range []string{"Access key ID:  GK", "Secret key:", "Region:         garage", "S3 endpoint:    http://127.0.0.1:3900", "Default bucket: default"} {
		if !strings.Contains(b, want) {
			t.Fatalf("banner lacks %q:\n%s", want, b)
		}
	}
	// The CLI finds ./garage-data/garage.toml by itself.
	cli := exec.Command(garageBinary(t), "bucket", "info", "default")
	cli.Dir = work
	cli.Env = cmd.Env
	out, err := cli.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "RWO") || !strings.Contains(string(out), "Versioning:    -") ||
		!strings.Contains(string(out), "Objects:       0 (") {
		t.Fatalf("bucket info default: %v\n%s", err, out)
	}
	cli = exec.Command(garageBinary(t), "bucket", "inspect-object", "default", "no/such/key")
	cli.Dir = work
	cli.Env = cmd.Env
	if out, err := cli.CombinedOutput(); err != nil || !strings.Contains(string(out), `No versions of "no/such/key"`) {
		t.Fatalf("bucket inspect-object: %v\n%s", err, out)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("clean shutdown: %v", err)
	}
}

// TestStatusListsMembersAtTheirRPCAddress: CLI calls are clients, not
// members, and peers show at the address they listen on. Each CLI call
// once left a "never seen" failed node behind, and a peer that dialled in
// showed at its connection's ephemeral port.
func TestStatusListsMembersAtTheirRPCAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	n1 := newTestNode(t, "n1", 2, "")
	n1.start()
	n2 := newTestNode(t, "n2", 2, n1.id()+"@"+n1.rpcAddr)
	n2.start()
	n1.waitFor("two healthy nodes", func() bool { out, _ := n1.cli("status"); return healthyNodes(out) == 2 })
	for range 5 {
		n1.mustCLI("node", "id")
		n2.mustCLI("stats")
	}
	for _, n := range []*testNode{n1, n2} {
		out := n.mustCLI("status")
		if strings.Contains(out, "FAILED NODES") || strings.Contains(out, "never") {
			t.Errorf("status lists CLI calls as nodes:\n%s", out)
		}
		if healthyNodes(out) != 2 {
			t.Errorf("status shows %d healthy nodes, want 2:\n%s", healthyNodes(out), out)
		}
		for _, addr := range []string{n1.rpcAddr, n2.rpcAddr} {
			if !strings.Contains(out, addr) {
				t.Errorf("status does not show the node listening on %s:\n%s", addr, out)
			}
		}
	}
	n1.stop()
	n2.stop()
}

// TestInFlightCallsFailFastWhenPeersDie: with replication 3, two nodes
// frozen (SIGSTOP) leave writes through the third waiting for their
// quorum; killing the frozen nodes then must fail those writes within a
// second or two, as the connections drop, not at the 30 s RPC timeout.
func TestInFlightCallsFailFastWhenPeersDie(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	nodes := startCluster(t, 3)
	n1, n2, n3 := nodes[0], nodes[1], nodes[2]
	assignZones(nodes)
	n1.mustCLI("layout", "apply", "--version", "1")
	n1.mustCLI("bucket", "create", "before")

	for _, n := range []*testNode{n2, n3} {
		if err := n.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
	}
	const calls = 8
	type result struct {
		err  error
		out  string
		done time.Time
	}
	results := make(chan result, calls)
	for i := range calls {
		go func() {
			out, err := n1.cli("bucket", "create", fmt.Sprintf("in-flight-%d", i))
			results <- result{err, out, time.Now()}
		}()
	}
	time.Sleep(1500 * time.Millisecond) // the calls reach the server and wait for quorum
	select {
	case r := <-results:
		t.Fatalf("a write with two of three nodes frozen returned before they died: %v\n%s", r.err, r.out)
	default:
	}
	killed := time.Now()
	for _, n := range []*testNode{n2, n3} {
		n.cmd.Process.Signal(syscall.SIGKILL)
	}
	var waits []time.Duration
	for range calls {
		r := <-results
		if r.err == nil {
			t.Errorf("a write succeeded with two of three nodes dead:\n%s", r.out)
		}
		waits = append(waits, r.done.Sub(killed))
	}
	slices.Sort(waits)
	t.Logf("in-flight writes failed %v (p50) to %v (max) after their peers died", waits[len(waits)/2], waits[len(waits)-1])
	if worst := waits[len(waits)-1]; worst > 5*time.Second {
		t.Errorf("in-flight writes waited up to %v after their peers died; want them to fail as the connections drop", worst)
	}
	for _, n := range []*testNode{n2, n3} {
		n.cmd.Wait()
	}
	n1.stop()
}

// TestServeRefusesATakenPortBeforeAnnouncing: a port already taken stops
// serve before it prints anything, naming the port and the option that
// sets it. It once printed its ready banner, credentials included, and
// then exited because the S3 port was taken.
func TestServeRefusesATakenPortBeforeAnnouncing(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, tc := range []struct{ name, option, extra string }{
		{"s3", "[s3_api] api_bind_addr", fmt.Sprintf("[s3_api]\napi_bind_addr = %q\n", taken.Addr())},
		{"rpc", "rpc_bind_addr", ""},
		// Not a port, but refused as early: a trace_sink no exporter can use.
		{"trace_sink", "[admin] trace_sink", "[admin]\napi_bind_addr = \"127.0.0.1:0\"\ntrace_sink = \"grpc://" + taken.Addr().String() + "\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newTestNode(t, "n", 1, "")
			cfg, err := os.ReadFile(n.config)
			if err != nil {
				t.Fatal(err)
			}
			text := string(cfg)
			if tc.name == "rpc" {
				text = strings.Replace(text, n.rpcAddr, taken.Addr().String(), 1)
			}
			// The options must come before the [log] table the node's file ends with.
			text = strings.Replace(text, "[log]", tc.extra+"[log]", 1)
			if err := os.WriteFile(n.config, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, garageBinary(t), "-c", n.config, "serve")
			cmd.Env = cleanEnv()
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err == nil {
				t.Fatalf("serve ran with its port taken:\n%s", stdout.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("serve announced before failing:\n%s", stdout.String())
			}
			for _, want := range []string{taken.Addr().String(), tc.option, n.config} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("the error does not name %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}
