package scenario

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/garagego/garage/internal/config"
)

// maxErrors bounds how many problems one load reports.
const maxErrors = 20

// decoder walks a YAML document, collecting every problem with the file,
// line, column and dotted path of the field at fault, so that a scenario
// with several mistakes is fixed in one round.
type decoder struct {
	file string
	errs []error
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	if len(d.errs) < maxErrors {
		d.errs = append(d.errs, fmt.Errorf("%s:%d:%d: %s: %s", d.file, n.Line, n.Column, path, fmt.Sprintf(format, args...)))
	}
}

func (d *decoder) err() error { return errors.Join(d.errs...) }

// mapping returns the fields of a mapping node, refusing unknown and
// repeated keys. It returns nil if n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, path string, known ...string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "want a mapping with fields %s, got %s", strings.Join(known, ", "), describe(n))
		return nil
	}
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		switch {
		case !slices.Contains(known, name):
			d.errorf(k, join(path, name), "unknown field (known: %s)", strings.Join(known, ", "))
		case fields[name] != nil:
			d.errorf(k, join(path, name), "given twice")
		default:
			fields[name] = v
		}
	}
	return fields
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Value == "" {
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "want %s, got %s", want, describe(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) str(n *yaml.Node, path string) string {
	s, _ := d.scalar(n, path, "a string")
	return s
}

func (d *decoder) boolean(n *yaml.Node, path string) bool {
	s, ok := d.scalar(n, path, "true or false")
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		d.errorf(n, path, "want true or false, got %q", s)
	}
	return b
}

func (d *decoder) integer(n *yaml.Node, path string, lo, hi int) int {
	s, ok := d.scalar(n, path, "a whole number")
	if !ok {
		return 0
	}
	v, err := strconv.Atoi(s)
	switch {
	case err != nil:
		d.errorf(n, path, "want a whole number, got %q", s)
	case v < lo || v > hi:
		d.errorf(n, path, "%d is out of range [%d, %d]", v, lo, hi)
	}
	return v
}

func (d *decoder) uinteger(n *yaml.Node, path string) uint64 {
	s, ok := d.scalar(n, path, "a whole number")
	if !ok {
		return 0
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		d.errorf(n, path, "want a whole number, got %q", s)
	}
	return v
}

// probability is a number in [0, 1].
func (d *decoder) probability(n *yaml.Node, path string) float64 {
	s, ok := d.scalar(n, path, "a probability")
	if !ok {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 1 {
		d.errorf(n, path, "want a probability between 0 and 1, got %q", s)
		return 0
	}
	return v
}

func (d *decoder) percent(n *yaml.Node, path string) int { return d.integer(n, path, 0, 100) }

// duration is a Go duration ("500us", "1.5s", "1h"); negative only if
// signed is set.
func (d *decoder) duration(n *yaml.Node, path string, signed bool) time.Duration {
	s, ok := d.scalar(n, path, "a duration")
	if !ok {
		return 0
	}
	v, err := time.ParseDuration(s)
	switch {
	case err != nil:
		d.errorf(n, path, "want a duration such as 500us, 2s or 1h, got %q", s)
	case v < 0 && !signed:
		d.errorf(n, path, "must not be negative, got %s", s)
	}
	return v
}

// size is a byte count: a number, or a string with a unit ("1T", "4KiB").
func (d *decoder) size(n *yaml.Node, path string) uint64 {
	s, ok := d.scalar(n, path, "a size")
	if !ok {
		return 0
	}
	v, err := config.ParseCapacity(s)
	if err != nil {
		d.errorf(n, path, "want a size such as 4096, 1KiB or 2T: %v", err)
	}
	return v
}

// nodeIndex is a node number in [0, total).
func (d *decoder) nodeIndex(n *yaml.Node, path string, total int) int {
	return d.integer(n, path, 0, total-1)
}

// nodeList is one node, a list of nodes, or "all".
func (d *decoder) nodeList(n *yaml.Node, path string, total int) []int {
	if n.Kind == yaml.ScalarNode && n.Value == "all" {
		out := make([]int, total)
		for i := range out {
			out[i] = i
		}
		return out
	}
	if n.Kind == yaml.SequenceNode {
		var out []int
		for i, item := range n.Content {
			out = append(out, d.nodeIndex(item, fmt.Sprintf("%s[%d]", path, i), total))
		}
		if len(out) == 0 {
			d.errorf(n, path, "the list of nodes is empty")
		}
		return out
	}
	return []int{d.nodeIndex(n, path, total)}
}
