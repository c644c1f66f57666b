package detguard

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		// The finding on line 10 must sort after the one on line 9.
		"a.go": "package p\n\nimport \"time\"\n\nfunc f() {\n\n\n\n\tgo f()\n\t_ = time.Now\n}\n",
		// Test files may do anything.
		"a_test.go": "package p\nimport \"os\"\nfunc g() { go g(); os.Exit(1) }\n",
		// Build constraints are not honoured, and other package clauses are checked too.
		"gen.go": "//go:build ignore\n\npackage main\n\nimport \"os\"\n\nfunc main() { os.Exit(0) }\n",
		// CheckDir is not recursive.
		"sub/s.go": "package sub\nfunc h() { go h() }\n",
	})
	findings, err := CheckDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		rel, _ := filepath.Rel(dir, f.Pos)
		got = append(got, filepath.ToSlash(rel)+" "+f.Rule)
	}
	want := []string{"a.go:9:2 goroutine", "a.go:10:6 wall-clock", "gen.go:5:8 forbidden-import"}
	if !slices.Equal(got, want) {
		t.Errorf("findings =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckDirReportsEveryUnparsableFile(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"bad1.go": "package p\nfunc {",
		"bad2.go": "package p\nvar = 1",
		"ok.go":   "package p\n",
	})
	_, err := CheckDir(dir)
	if err == nil || !strings.Contains(err.Error(), "bad1.go") || !strings.Contains(err.Error(), "bad2.go") {
		t.Errorf("err = %v, want both unparsable files named", err)
	}
}

func TestCheckDirMissing(t *testing.T) {
	if _, err := CheckDir(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("missing directory not reported")
	}
}
