package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
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

// The replay line of a failing run carries every flag that shaped it: run
// as printed, it fails the same way with the same trace hash.
func TestSimReplayLineReproducesTheRun(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"sim", "run", "--seed", "1", "--seeds", "20", "--keys", "20", "--ties", "4", "--range-after-write", "60",
		"--clients", "10", "--persist-latency", "1ms", "--bug", "range-one-too-many", "--out", dir}
	if code := run(args, &out, &errOut); code != 2 {
		t.Fatalf("exit %d, want 2 (some seed caught)\n%s%s", code, out.String(), errOut.String())
	}
	var replay, hash string
	for _, line := range strings.Split(out.String(), "\n") {
		if h, ok := strings.CutPrefix(line, "trace hash: "); ok {
			hash = h // of the last run summarised, which the replay line follows
		}
		if r, ok := strings.CutPrefix(line, "replay: garage "); ok {
			replay = r
			break
		}
	}
	if replay == "" || hash == "" {
		t.Fatalf("no failing run with its trace hash:\n%s", out.String())
	}
	for _, want := range []string{"--keys 20", "--ties 4", "--range-after-write 60", "--clients 10", "--persist-latency 1ms", "--bug range-one-too-many"} {
		if !strings.Contains(replay, want) {
			t.Errorf("replay line %q lacks %q", replay, want)
		}
	}
	out.Reset()
	if code := run(append(strings.Fields(replay), "--out", dir), &out, &errOut); code != 2 {
		t.Fatalf("replay exit %d, want 2\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "trace hash: "+hash) {
		t.Errorf("replay has another trace hash than %s:\n%s", hash, out.String())
	}
}

// Every flag of `garage sim run` that shapes a run is in the replay line's
// list, so that a new flag cannot be forgotten there.
func TestReplayFlagsCoverEveryRunFlag(t *testing.T) {
	notShaping := map[string]bool{"Scenario": true, "Seed": true, "Seeds": true, "Record": true, "Bug": true, "Trace": true, "Out": true}
	listed := map[string]bool{}
	for _, f := range (&SimRunCmd{}).replayFlags() {
		listed[f.name] = true
	}
	typ := reflect.TypeOf(SimRunCmd{})
	for i := range typ.NumField() {
		field := typ.Field(i)
		if notShaping[field.Name] || !field.IsExported() {
			continue
		}
		var name strings.Builder
		for j, r := range field.Name {
			if unicode.IsUpper(r) && j > 0 {
				name.WriteByte('-')
			}
			name.WriteRune(unicode.ToLower(r))
		}
		if !listed["--"+name.String()] {
			t.Errorf("--%s (field %s) is missing from replayFlags", name.String(), field.Name)
		}
	}
}

// A versioned run with a version bug planted fails on a version property,
// and its replay line carries the versioned workload's flags and
// reproduces the run.
func TestSimRunVersionedReplay(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"sim", "run", "--seed", "2", "--ops", "400", "--objects", "60", "--versioned", "--version-ops", "40",
		"--bug", "list-versions-skips-first", "--out", dir}
	if code := run(args, &out, &errOut); code != 2 {
		t.Fatalf("exit %d, want 2\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "versions-listed") {
		t.Errorf("no versions-listed violation reported:\n%s", out.String())
	}
	want := "replay: garage sim run --seed 2 --ops 400 --objects 60 --versioned --version-ops 40 --bug list-versions-skips-first"
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
	for _, bad := range [][]string{{"--version-ops", "20"}, {"--versioned"}, {"--objects", "50", "--versioned", "--version-ops", "101"}} {
		if code := run(append([]string{"sim", "run"}, bad...), &out, &errOut); code == 0 {
			t.Errorf("sim run %v: exit 0, want it refused", bad)
		}
	}
}
