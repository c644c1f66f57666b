package main

import (
	"bytes"
	"strings"
	"testing"
)

// A K2V run with a K2V bug planted fails on the property the bug breaks,
// and its replay line carries --k2v and the bug and reproduces the run.
func TestSimRunK2VReplay(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"sim", "run", "--seed", "2", "--ops", "400", "--k2v", "70", "--bug", "k2v-insert-ignores-context", "--out", dir}
	if code := run(args, &out, &errOut); code != 2 {
		t.Fatalf("exit %d, want 2\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "k2v-superseded-gone") {
		t.Errorf("no k2v-superseded-gone violation reported:\n%s", out.String())
	}
	want := "replay: garage sim run --seed 2 --ops 400 --k2v 70 --bug k2v-insert-ignores-context"
	if !strings.Contains(out.String(), want) {
		t.Fatalf("no replay line %q:\n%s", want, out.String())
	}
	_, hashLine, _ := strings.Cut(out.String(), "trace hash: ")
	hash, _, _ := strings.Cut(hashLine, "\n")
	var again bytes.Buffer
	replay := strings.TrimPrefix(want, "replay: garage ")
	if code := run(append(strings.Fields(replay), "--out", dir), &again, &errOut); code != 2 || !strings.Contains(again.String(), "trace hash: "+hash) {
		t.Errorf("replay exit %d, want 2 with trace hash %s:\n%s", code, hash, again.String())
	}
	var clean bytes.Buffer
	if code := run([]string{"sim", "run", "--seed", "2", "--ops", "400", "--k2v", "70"}, &clean, &errOut); code != 0 || !strings.Contains(clean.String(), "verdict: PASS") {
		t.Errorf("without the bug: exit %d\n%s", code, clean.String())
	}
	if code := run([]string{"sim", "run", "--k2v", "101"}, &out, &errOut); code == 0 {
		t.Error("--k2v 101: exit 0, want it refused")
	}
}
