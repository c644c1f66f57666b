package detguard

import (
	"slices"
	"testing"
)

func TestPackageDirsAndCheckTrees(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"go.mod":                     "module example.com/m\n",
		"node/meta/meta.go":          "package meta\nfunc f() { go f() }\n",
		"node/meta/deep/deep.go":     "package deep\n",
		"node/runtime/tcp.go":        "package runtime\nimport \"net\"\nvar _ net.Conn\n",
		"node/runtime/x/x.go":        "package x\nimport \"os\"\nvar _ = os.Args\n",
		"node/runtimes/r.go":         "package runtimes\n", // not below node/runtime
		"node/meta/testdata/t.go":    "package t\nfunc f() { go f() }\n",
		"node/_scratch/s.go":         "package s\nfunc f() { go f() }\n",
		"node/onlytests/x_test.go":   "package onlytests\n",
		"node/nogo/README":           "no Go here\n",
		"sim/sim.go":                 "package sim\n",
		"checker/check.go":           "package checker\nimport \"sync\"\nvar mu sync.Mutex\n",
		"elsewhere/free.go":          "package elsewhere\nfunc f() { go f() }\n",
		"netsim/testdata/ignored.go": "package ignored\n",
	})
	trees := []Tree{
		{Root: "node", Exclude: []string{"node/runtime"}},
		{Root: "sim"},
		{Root: "netsim"},
		{Root: "checker"},
		{Root: "absent"},
	}
	dirs, err := PackageDirs(root, trees)
	if err != nil {
		t.Fatal(err)
	}
	wantDirs := []string{"checker", "node/meta", "node/meta/deep", "node/runtimes", "sim"}
	if !slices.Equal(dirs, wantDirs) {
		t.Errorf("PackageDirs = %v, want %v", dirs, wantDirs)
	}

	findings, err := CheckTrees(root, trees)
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{Pos: "checker/check.go:2:8", Rule: RuleImport, Detail: `import "sync": ` + forbiddenImports["sync/..."]},
		{Pos: "node/meta/meta.go:2:12", Rule: RuleGoroutine, Detail: "go statement starts a goroutine, and goroutines are scheduled nondeterministically"},
	}
	if !slices.Equal(findings, want) {
		t.Errorf("CheckTrees =\n%v\nwant\n%v", findings, want)
	}
}
