package config

import (
	"testing"

	"github.com/pelletier/go-toml/v2/unstable"
)

func TestIndexPositions(t *testing.T) {
	doc := `top = 1
a.b = 2
list = [
  "x",
  { k = 3 },
]
"quoted.key" = 4
[table]
  inner = 5
[[arr]]
path = "p0"
[[arr]]
path = "p1"
[arr.sub]
deep = 6
`
	pos := indexPositions([]byte(doc))
	want := map[string][2]int{
		"top":             {1, 1},
		"a":               {2, 1},
		"a.b":             {2, 3},
		"list":            {3, 1},
		"list[0]":         {4, 3},
		"list[1]":         {5, 3},
		"list[1].k":       {5, 5},
		`"quoted.key"`:    {7, 1},
		"table":           {8, 2},
		"table.inner":     {9, 3},
		"arr":             {10, 3},
		"arr[0]":          {10, 3},
		"arr[0].path":     {11, 1},
		"arr[1]":          {12, 3},
		"arr[1].path":     {13, 1},
		"arr[1].sub":      {14, 6},
		"arr[1].sub.deep": {15, 1},
	}
	for path, lc := range want {
		p, ok := pos[path]
		if !ok {
			t.Errorf("%s: not indexed", path)
			continue
		}
		if p.Line != lc[0] || p.Column != lc[1] {
			t.Errorf("%s at %d:%d, want %d:%d", path, p.Line, p.Column, lc[0], lc[1])
		}
	}
}

func TestPositionsFindFallsBackToAncestor(t *testing.T) {
	pos := positions{"data_dir[1]": unstable.Position{Line: 4, Column: 2}}
	p, ok := pos.find("data_dir[1].capacity")
	if !ok || p.Line != 4 {
		t.Errorf("find = %+v, %v; want line 4", p, ok)
	}
	if _, ok := pos.find("elsewhere"); ok {
		t.Error("find returned a position for an unknown path")
	}
}
