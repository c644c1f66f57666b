package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/garagego/garage/internal/localcluster"
)

// k2vCLI runs `garage k2v` commands in-process against one node of a real
// local cluster.
type k2vCLI struct {
	t    *testing.T
	conn []string
}

func startK2VCLI(t *testing.T) (*k2vCLI, *localcluster.Cluster) {
	t.Helper()
	cl, err := localcluster.Start(localcluster.Options{Nodes: 3, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return &k2vCLI{t: t, conn: []string{"k2v", "--endpoint", cl.Nodes[0].K2VEndpoint, "--key-id", cl.KeyID, "--secret", cl.Secret}}, cl
}

// run returns the exit status, stdout and stderr of `garage k2v ARGS`.
func (k *k2vCLI) run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(append(append([]string{}, k.conn...), args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// ok runs a command that must succeed and returns stdout and stderr.
func (k *k2vCLI) ok(args ...string) (string, string) {
	k.t.Helper()
	code, out, errOut := k.run(args...)
	if code != 0 {
		k.t.Fatalf("garage k2v %q: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
	}
	return out, errOut
}

const (
	cliPK = "user/42: inbox é"
	cliSK = "msg 1/ü"
)

func TestK2VCommandsAgainstACluster(t *testing.T) {
	k, _ := startK2VCLI(t)
	b := "bucket"

	// A first write, then a read: the value on stdout, the token alone on
	// stderr.
	k.ok("insert", b, cliPK, cliSK, "hello")
	out, tok1 := k.ok("read", b, cliPK, cliSK)
	tok1 = strings.TrimSpace(tok1)
	if out != "hello\n" || tok1 == "" || strings.Contains(tok1, "\n") {
		t.Fatalf("read: stdout %q, stderr %q", out, tok1)
	}

	// A write without the token becomes a sibling.
	k2vStdin = strings.NewReader("from\nstdin")
	defer func() { k2vStdin = os.Stdin }()
	k.ok("insert", b, cliPK, cliSK)
	out, _ = k.ok("read", "--base64", b, cliPK, cliSK)
	lines := strings.Fields(out)
	if len(lines) != 2 || !containsAll(lines, b64s("hello"), b64s("from\nstdin")) {
		t.Fatalf("siblings: %q", out)
	}
	code, out, errOut := k.run("read", "--raw", b, cliPK, cliSK)
	if code != 1 || out != "" || !strings.Contains(errOut, "2 concurrent values") {
		t.Fatalf("read --raw of siblings: exit %d, %q, %q", code, out, errOut)
	}

	// A write with the token of the read supersedes both; --token-out.
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "token")
	_, errOut = k.ok("read", "--token-out", tokFile, b, cliPK, cliSK)
	if errOut != "" {
		t.Errorf("stderr with --token-out: %q", errOut)
	}
	tok2 := readToken(t, tokFile)
	valueFile := filepath.Join(dir, "value")
	blob := []byte{0, 1, 2, 0xfe, 0xff, '\n'}
	os.WriteFile(valueFile, blob, 0o600)
	k.ok("insert", "--file", valueFile, "--token="+tok2, b, cliPK, cliSK)
	out, tok3 := k.ok("read", "--raw", b, cliPK, cliSK)
	if out != string(blob) {
		t.Fatalf("read --raw: %q, want %q", out, blob)
	}
	tok3 = strings.TrimSpace(tok3)

	// A poll with the current token times out: exit 2.
	code, _, errOut = k.run("poll", "--token="+tok3, "--timeout", "1s", b, cliPK, cliSK)
	if code != 2 {
		t.Fatalf("poll with nothing new: exit %d (%s), want 2", code, errOut)
	}
	// A poll answers a write made while it waits.
	var wg sync.WaitGroup
	var pollCode int
	var pollOut string
	wg.Add(1)
	go func() {
		defer wg.Done()
		var o, e bytes.Buffer
		pollCode = run(append(append([]string{}, k.conn...), "poll", "--token="+tok3, "--timeout", "30s", b, cliPK, cliSK), &o, &e)
		pollOut = o.String()
	}()
	time.Sleep(300 * time.Millisecond)
	k.ok("insert", "--token="+tok3, b, cliPK, cliSK, "polled")
	wg.Wait()
	if pollCode != 0 || pollOut != "polled\n" {
		t.Fatalf("poll: exit %d, %q", pollCode, pollOut)
	}

	// Ranges: a second item, read-range as a table and as JSON.
	k.ok("insert", b, cliPK, "msg 2", "second")
	out, _ = k.ok("read-range", b, cliPK)
	if !strings.Contains(out, `"polled"`) || !strings.Contains(out, `"second"`) || !strings.Contains(out, cliSK) {
		t.Fatalf("read-range table:\n%s", out)
	}
	out, _ = k.ok("read-range", "--json", "--limit", "1", b, cliPK)
	var page struct {
		Items []struct {
			SK string    `json:"sk"`
			CT string    `json:"ct"`
			V  []*string `json:"v"`
		} `json:"items"`
		More      bool    `json:"more"`
		NextStart *string `json:"nextStart"`
	}
	if err := json.Unmarshal([]byte(out), &page); err != nil {
		t.Fatalf("read-range --json: %v\n%s", err, out)
	}
	if len(page.Items) != 1 || page.Items[0].SK != cliSK || !page.More || page.NextStart == nil || *page.NextStart != "msg 2" {
		t.Fatalf("read-range --json --limit 1: %s", out)
	}

	// The index counts the partition key (eventually).
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, _ = k.ok("read-index", "--json", b)
		if strings.Contains(out, `"pk": "user/42: inbox é"`) && strings.Contains(out, `"entries": 2`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("read-index never showed the partition with 2 entries:\n%s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// delete needs the token; the item becomes a tombstone.
	if code, _, _ := k.run("delete", b, cliPK, "msg 2"); code == 0 {
		t.Fatal("delete without --token succeeded")
	}
	_, tok := k.ok("read", b, cliPK, "msg 2")
	k.ok("delete", "--token="+strings.TrimSpace(tok), b, cliPK, "msg 2")
	out, _ = k.ok("read", "--base64", b, cliPK, "msg 2")
	if out != "-\n" {
		t.Fatalf("read of a deleted item: %q, want the tombstone line \"-\"", out)
	}
	out, _ = k.ok("read-range", b, cliPK)
	if strings.Contains(out, "msg 2") {
		t.Fatalf("read-range lists a deleted item without --tombstones:\n%s", out)
	}
	out, _ = k.ok("read-range", "--tombstones", b, cliPK)
	if !strings.Contains(out, "(deleted)") {
		t.Fatalf("read-range --tombstones:\n%s", out)
	}

	// delete-range deletes what is left.
	out, _ = k.ok("delete-range", "--prefix", "msg", b, cliPK)
	if out != "Deleted 1 items.\n" {
		t.Fatalf("delete-range: %q", out)
	}
	code, _, errOut = k.run("read", b, "never", "written")
	if code != 1 || !strings.Contains(errOut, "not found") {
		t.Fatalf("read of a missing item: exit %d, %q", code, errOut)
	}
}

func TestK2VCommandErrors(t *testing.T) {
	k, cl := startK2VCLI(t)
	bad := &k2vCLI{t: t, conn: []string{"k2v", "--endpoint", cl.Nodes[0].K2VEndpoint, "--key-id", cl.KeyID, "--secret", "0000"}}
	code, _, errOut := bad.run("insert", "bucket", "p", "s", "v")
	if code != 1 || !strings.Contains(errOut, "403") {
		t.Fatalf("a wrong secret: exit %d, %q", code, errOut)
	}
	code, _, errOut = k.run("insert", "no-such-bucket", "p", "s", "v")
	if code != 1 || !strings.Contains(errOut, "NoSuchBucket") {
		t.Fatalf("a missing bucket: exit %d, %q", code, errOut)
	}
	none := &k2vCLI{t: t, conn: []string{"k2v", "--endpoint", cl.Nodes[0].K2VEndpoint}}
	t.Setenv("GARAGE_K2V_KEY_ID", "")
	t.Setenv("GARAGE_K2V_SECRET", "")
	code, _, errOut = none.run("read", "bucket", "p", "s")
	if code != 1 || !strings.Contains(errOut, "GARAGE_K2V_KEY_ID") {
		t.Fatalf("no key: exit %d, %q", code, errOut)
	}
	// The key may come from the environment instead.
	t.Setenv("GARAGE_K2V_KEY_ID", cl.KeyID)
	t.Setenv("GARAGE_K2V_SECRET", cl.Secret)
	if code, _, errOut := none.run("insert", "bucket", "p", "s", "v"); code != 0 {
		t.Fatalf("key from the environment: exit %d, %s", code, errOut)
	}
	code, _, errOut = k.run("insert", "--file", "/dev/null", "bucket", "p", "s", "v")
	if code != 1 || !strings.Contains(errOut, "not both") {
		t.Fatalf("value and --file: exit %d, %q", code, errOut)
	}
	if code, _, _ := k.run("poll", "--token", "x", "--timeout", "700s", "bucket", "p", "s"); code != 1 {
		t.Fatalf("poll --timeout 700s: exit %d, want it refused", code)
	}
}

func readToken(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func b64s(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func containsAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, l := range list {
			found = found || l == w
		}
		if !found {
			return false
		}
	}
	return true
}
