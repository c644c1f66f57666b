package detguard

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// A Tree is a directory tree of the module whose packages must be
// deterministic. Paths are slash-separated and relative to the module root.
type Tree struct {
	Root    string
	Exclude []string // subtrees of Root that are exempt
}

// DeterministicTrees is the part of the module the determinism rule covers:
// the node state machines, the simulator, the simulated network and the
// history checker. node/runtime is exempt because it is the production
// driver that runs the state machines over real TCP with real clocks.
var DeterministicTrees = []Tree{
	{Root: "node", Exclude: []string{"node/runtime"}},
	{Root: "sim"},
	{Root: "netsim"},
	{Root: "checker"},
}

// PackageDirs returns, sorted and relative to moduleRoot, every directory of
// trees that holds a non-test .go file. Roots that do not exist are skipped,
// as are testdata and vendor directories and those the go command ignores
// (names starting with "." or "_").
func PackageDirs(moduleRoot string, trees []Tree) ([]string, error) {
	var dirs []string
	for _, tree := range trees {
		rootDir := filepath.Join(moduleRoot, filepath.FromSlash(tree.Root))
		err := filepath.WalkDir(rootDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == rootDir && errors.Is(err, fs.ErrNotExist) {
					return fs.SkipAll
				}
				return err
			}
			if !d.IsDir() {
				return nil
			}
			rel, err := filepath.Rel(moduleRoot, p)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if (p != rootDir && ignoredDir(d.Name())) || excluded(rel, tree.Exclude) {
				return fs.SkipDir
			}
			has, err := hasGoSource(p)
			if has {
				dirs = append(dirs, rel)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(dirs)
	return slices.Compact(dirs), nil
}

// CheckTrees checks every package directory of trees, naming files in
// findings relative to moduleRoot.
func CheckTrees(moduleRoot string, trees []Tree) ([]Finding, error) {
	dirs, err := PackageDirs(moduleRoot, trees)
	if err != nil {
		return nil, err
	}
	var all []Finding
	var errs []error
	for _, dir := range dirs {
		found, err := checkDir(filepath.Join(moduleRoot, filepath.FromSlash(dir)), dir)
		errs = append(errs, err)
		all = append(all, found...)
	}
	return all, errors.Join(errs...)
}

func ignoredDir(name string) bool {
	return name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

func excluded(dir string, exclude []string) bool {
	for _, e := range exclude {
		e = path.Clean(e)
		if dir == e || strings.HasPrefix(dir, e+"/") {
			return true
		}
	}
	return false
}

func hasGoSource(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			return true, nil
		}
	}
	return false, nil
}
