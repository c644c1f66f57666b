package scenario

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestCommittedScenarios runs every scenario under scenarios/ with its
// default seed: each must pass, and reproduce its recorded trace hash, so
// that a change of behaviour anywhere in the simulated cluster shows here
// (re-record with `go run ./cmd/garage sim run scenarios/NAME.yaml
// --record` once the change is understood).
func TestCommittedScenarios(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 12 {
		t.Fatalf("%d scenarios, want at least 12", len(files))
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := Parse(file, data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r, verdict, err := sc.Run(0, nil)
			if err != nil {
				t.Errorf("%s: %v", sc.Name, err)
				return
			}
			if !verdict.Pass() {
				t.Errorf("%s: %v\n%s", sc.Name, verdict, r.Summary())
			}
			switch got := HashString(r.TraceHash); {
			case sc.TraceHash == "":
				t.Errorf("%s: no trace_hash recorded (this run gives %s)", sc.Name, got)
			case got != sc.TraceHash:
				t.Errorf("%s: trace hash %s, recorded %s: the run changed; if intended, re-record with go run ./cmd/garage sim run %s --record",
					sc.Name, got, sc.TraceHash, file)
			}
		}()
	}
	wg.Wait()
}
