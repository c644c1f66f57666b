package detguard

import (
	"cmp"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// CheckSource checks one Go source file, as if it were a whole package.
func CheckSource(filename string, src []byte) ([]Finding, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	return sorted(checkPackage(fset, []*ast.File{f})), nil
}

// CheckDir checks the package in dir: every .go file except _test.go files.
// Build constraints are deliberately not honoured, so that code for every
// platform is checked. Files are grouped by package clause, so a stray
// "package main" generator does not confuse the check.
func CheckDir(dir string) ([]Finding, error) {
	return checkDir(dir, dir)
}

// checkDir checks the package in dir, naming its files in findings as if
// the directory were called display.
func checkDir(dir, display string) ([]Finding, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	packages := make(map[string][]*ast.File)
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(display, name), src, parser.SkipObjectResolution)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		packages[f.Name.Name] = append(packages[f.Name.Name], f)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var found []located
	for _, name := range slices.Sorted(maps.Keys(packages)) {
		found = append(found, checkPackage(fset, packages[name])...)
	}
	return sorted(found), nil
}

// located is a Finding with a position that sorts numerically.
type located struct {
	pos token.Position
	Finding
}

func sorted(found []located) []Finding {
	slices.SortStableFunc(found, func(a, b located) int {
		return cmp.Or(
			cmp.Compare(a.pos.Filename, b.pos.Filename),
			cmp.Compare(a.pos.Line, b.pos.Line),
			cmp.Compare(a.pos.Column, b.pos.Column),
		)
	})
	out := make([]Finding, len(found))
	for i, l := range found {
		out[i] = l.Finding
	}
	return out
}

// checkPackage checks the files of one package.
func checkPackage(fset *token.FileSet, files []*ast.File) []located {
	info := &types.Info{Uses: make(map[*ast.Ident]types.Object)}
	conf := types.Config{
		Importer:    stubImporter{},
		Error:       func(error) {}, // expected: imported packages are empty stubs
		FakeImportC: true,
	}
	_, _ = conf.Check(files[0].Name.Name, fset, files, info)

	var found []located
	for _, f := range files {
		c := &fileChecker{fset: fset, resolver: newResolver(info.Uses, f)}
		c.checkImports(f)
		ast.Inspect(f, c.visit)
		found = append(found, c.found...)
	}
	return found
}

type fileChecker struct {
	fset     *token.FileSet
	resolver *resolver
	found    []located
}

func (c *fileChecker) report(pos token.Pos, rule, detail string) {
	p := c.fset.Position(pos)
	c.found = append(c.found, located{p, Finding{Pos: p.String(), Rule: rule, Detail: detail}})
}

func (c *fileChecker) checkImports(f *ast.File) {
	for _, spec := range f.Imports {
		path := importPath(spec)
		if reason := importProblem(path); reason != "" {
			c.report(spec.Pos(), RuleImport, fmt.Sprintf("import %q: %s", path, reason))
		}
		if _, guarded := memberRules[path]; guarded && spec.Name != nil && spec.Name.Name == "." {
			c.report(spec.Pos(), RuleDotImport, fmt.Sprintf("dot import of %q would hide its uses from this guard", path))
		}
	}
}

func (c *fileChecker) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.GoStmt:
		c.report(n.Go, RuleGoroutine, "go statement starts a goroutine, and goroutines are scheduled nondeterministically")
	case *ast.SelectStmt:
		c.report(n.Select, RuleSelect, "select chooses among ready cases at random")
	case *ast.SendStmt:
		c.report(n.Arrow, RuleChannel, "channel send")
	case *ast.UnaryExpr:
		if n.Op == token.ARROW {
			c.report(n.OpPos, RuleChannel, "channel receive")
		}
	case *ast.ChanType:
		c.report(n.Begin, RuleChannel, "channel type "+types.ExprString(n))
		return false // one finding per channel type, however nested
	case *ast.SelectorExpr:
		c.checkSelector(n)
	}
	return true
}

func (c *fileChecker) checkSelector(sel *ast.SelectorExpr) {
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return
	}
	path := c.resolver.packagePath(id)
	if path == "" {
		return
	}
	if rule, reason := memberProblem(path, sel.Sel.Name); rule != "" {
		c.report(sel.Pos(), rule, fmt.Sprintf("%s.%s %s", path, sel.Sel.Name, reason))
	}
}

func importPath(spec *ast.ImportSpec) string {
	path, err := strconv.Unquote(spec.Path.Value)
	if err != nil { // the parser has already rejected malformed paths
		return spec.Path.Value
	}
	return path
}
