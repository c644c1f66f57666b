package detguard

import (
	"go/ast"
	"go/types"
	"strings"
)

// stubImporter hands go/types an empty package for every import path. The
// guard only needs to know which identifiers name which imported package,
// and that needs no dependency to be built or even present; the type errors
// that the empty packages cause are ignored.
type stubImporter map[string]*types.Package

func (s stubImporter) Import(path string) (*types.Package, error) {
	if p, ok := s[path]; ok {
		return p, nil
	}
	p := types.NewPackage(path, defaultName(path))
	p.MarkComplete()
	s[path] = p
	return p, nil
}

// defaultName guesses the name a package declares from its import path. It
// is exact for the standard library, which is all the rules are about.
func defaultName(path string) string {
	elems := strings.Split(path, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && isMajorVersion(name) {
		name = elems[len(elems)-2]
	}
	if i := strings.IndexByte(name, '.'); i > 0 { // gopkg.in/yaml.v3
		name = name[:i]
	}
	return name
}

func isMajorVersion(elem string) bool {
	if len(elem) < 2 || elem[0] != 'v' {
		return false
	}
	for _, r := range elem[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// resolver tells which imported package, if any, an identifier denotes.
type resolver struct {
	uses map[*ast.Ident]types.Object
	// byName maps the file's local import names to paths; it is consulted
	// only for identifiers go/types did not resolve, so that an error it
	// recovered from cannot hide a use.
	byName map[string]string
}

func newResolver(uses map[*ast.Ident]types.Object, file *ast.File) *resolver {
	r := &resolver{uses: uses, byName: make(map[string]string)}
	for _, spec := range file.Imports {
		path := importPath(spec)
		name := defaultName(path)
		if spec.Name != nil {
			name = spec.Name.Name
		}
		if name != "_" && name != "." {
			r.byName[name] = path
		}
	}
	return r
}

// packagePath returns the import path id refers to, or "" if id is not a
// package name (for example a local variable that shadows one).
func (r *resolver) packagePath(id *ast.Ident) string {
	if obj, ok := r.uses[id]; ok {
		if pkg, ok := obj.(*types.PkgName); ok {
			return pkg.Imported().Path()
		}
		return ""
	}
	return r.byName[id.Name]
}
