package server

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/garagego/garage/node/admin"
)

// TestSelectNodesAsGarageDoes: * is the layout's members and the other up
// nodes (not a down node without a role); a prefix must name one of those.
func TestSelectNodesAsGarageDoes(t *testing.T) {
	id := func(p string) string { return p + strings.Repeat("0", 64-len(p)) }
	st := admin.ClusterStatus{Self: id("a1"), Nodes: []admin.NodeStatus{
		{ID: id("a1"), Up: true, HasRole: true}, {ID: id("a2"), Up: true}, {ID: id("b1")}, {ID: id("c1"), Draining: true},
	}}
	l := admin.LayoutInfo{Roles: []admin.RoleInfo{{ID: id("a1")}, {ID: id("d1")}}}
	cases := []struct {
		spec string
		want []string
		err  error
	}{
		{"*", []string{id("a1"), id("a2"), id("c1"), id("d1")}, nil},
		{"self", []string{id("a1")}, nil},
		{"D1", []string{id("d1")}, nil},
		{"a", nil, ErrManyNodesMatch},
		{"b1", nil, ErrNoNodeMatches},
	}
	for _, c := range cases {
		got, err := selectNodes(st, l, c.spec)
		if !errors.Is(err, c.err) || !slices.Equal(got, c.want) {
			t.Errorf("selectNodes(%q) = %v, %v; want %v, %v", c.spec, got, err, c.want, c.err)
		}
	}
}
