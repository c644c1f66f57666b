package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// positions maps the path of every key, table and array element of a
// document, e.g. "s3_api.api_bind_addr", "data_dir[1].capacity" or
// "bootstrap_peers[0]", to where it starts in the file. Decoding into maps
// drops positions, so this second pass over the syntax tree recovers them
// for error messages.
type positions map[string]unstable.Position

// indexPositions builds the positions of a document go-toml has already
// decoded without error.
func indexPositions(data []byte) positions {
	ix := &indexer{pos: positions{}, arrays: map[string]int{}}
	ix.p.Reset(data)
	table := ""
	for ix.p.NextExpression() {
		expr := ix.p.Expression()
		switch expr.Kind {
		case unstable.KeyValue:
			ix.keyValue(table, expr)
		case unstable.Table:
			table = ix.header(expr, false)
		case unstable.ArrayTable:
			table = ix.header(expr, true)
		}
	}
	return ix.pos
}

type indexer struct {
	p      unstable.Parser
	pos    positions
	arrays map[string]int // path of each array of tables -> elements so far
}

// header records a [table] or [[array]] header and returns the path its
// key-values belong to.
func (ix *indexer) header(expr *unstable.Node, isArray bool) string {
	var parts []*unstable.Node
	for it := expr.Key(); it.Next(); {
		parts = append(parts, it.Node())
	}
	last := len(parts) - 1
	path := ix.resolve("", parts[:last])
	path = joinPath(path, string(parts[last].Data))
	ix.record(path, parts[last])
	if !isArray {
		return path
	}
	n := ix.arrays[path]
	ix.arrays[path] = n + 1
	elem := indexPath(path, n)
	ix.record(elem, parts[last])
	return elem
}

// resolve walks a dotted key from table, recording each intermediate table;
// a part naming an array of tables stands for its latest element, as in
// TOML.
func (ix *indexer) resolve(table string, parts []*unstable.Node) string {
	path := table
	for _, part := range parts {
		path = joinPath(path, string(part.Data))
		ix.record(path, part)
		if n, ok := ix.arrays[path]; ok {
			path = indexPath(path, n-1)
		}
	}
	return path
}

func (ix *indexer) keyValue(table string, kv *unstable.Node) {
	var parts []*unstable.Node
	for it := kv.Key(); it.Next(); {
		parts = append(parts, it.Node())
	}
	path := ix.resolve(table, parts)
	ix.value(path, kv.Value())
}

// value records the elements of arrays and the keys of inline tables.
func (ix *indexer) value(path string, v *unstable.Node) {
	switch v.Kind {
	case unstable.Array:
		i := 0
		for it := v.Children(); it.Next(); i++ {
			elem := indexPath(path, i)
			ix.record(elem, it.Node())
			ix.value(elem, it.Node())
		}
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			ix.keyValue(path, it.Node())
		}
	}
}

// record keeps the first position seen for path. Nodes without a raw range
// (go-toml does not set one on arrays) are skipped, so lookups fall back to
// the enclosing key.
func (ix *indexer) record(path string, n *unstable.Node) {
	if _, seen := ix.pos[path]; seen || n.Raw.Length == 0 {
		return
	}
	ix.pos[path] = ix.p.Shape(n.Raw).Start
}

// find returns the position of path, or of its closest recorded ancestor.
func (pos positions) find(path string) (unstable.Position, bool) {
	for path != "" {
		if p, ok := pos[path]; ok {
			return p, true
		}
		path = parentPath(path)
	}
	return unstable.Position{}, false
}

// joinPath appends a key to a path, quoting keys that are not bare TOML keys
// so that paths stay unambiguous and readable in messages.
func joinPath(path, key string) string {
	if !isBareKey(key) {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// parentPath drops the last ".key" or "[i]" of path. Quoted keys containing
// '.' or '[' may be cut in the wrong place, which at worst makes an error
// point at a less precise line.
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

func isBareKey(key string) bool {
	if key == "" {
		return false
	}
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}
