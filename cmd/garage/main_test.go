package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSimRunPasses(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"sim", "run", "--seed", "5", "--ops", "200"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"seed 5:", "trace hash:", "verdict: PASS", "real time:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

// With a planted bug the command must fail with status 2, write porcupine's
// visualisation of the violating keys and print how to replay the seed.
func TestSimRunReportsViolation(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := run([]string{"sim", "run", "--seed", "1", "--seeds", "3", "--bug", "skip-read-join", "--out", dir}, &out, &errOut)
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "replay: garage sim run --seed 1 --bug skip-read-join") {
		t.Errorf("no replay line:\n%s", out.String())
	}
	html, err := os.ReadFile(filepath.Join(dir, "seed-1.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(html, []byte("<html")) {
		t.Error("visualisation is not an HTML page")
	}
}

func TestBadFlagsExitNonZero(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"sim", "run", "--consistency", "sloppy"}, &out, &errOut); code == 0 {
		t.Fatal("an unknown consistency mode must be refused")
	}
	if code := run([]string{"sim", "run", "--nodes", "0"}, &out, &errOut); code == 0 {
		t.Fatal("zero nodes must be refused")
	}
	if code := run([]string{"--help"}, &out, &errOut); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
}
