package config

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// decoder carries what every section needs while a file is converted into a
// Config: where keys are, where problems go, and the environment.
type decoder struct {
	pos       positions
	problems  *problems
	lookupEnv func(string) (string, bool)
	// allowWorldReadable is settled before any secret file is read.
	allowWorldReadable bool
}

// section is one table of the decoded document. Getters record which keys
// the schema asks for, so that keys nobody asked for are reported as unknown
// by finish, with suggestions among those that were asked for.
type section struct {
	d     *decoder
	path  string // "" for the top level, "s3_api", "data_dir[1]", ...
	m     map[string]any
	asked []string
}

func (d *decoder) section(path string, m map[string]any) *section {
	return &section{d: d, path: path, m: m}
}

// origin returns where the option at path is, for error messages.
func (d *decoder) origin(path string) origin {
	o := origin{option: path}
	if p, ok := d.pos.find(path); ok {
		o.line, o.col = p.Line, p.Column
	}
	return o
}

// at returns the origin of key.
func (s *section) at(key string) origin { return s.d.origin(joinPath(s.path, key)) }

func (s *section) fail(key string, format string, args ...any) {
	s.d.problems.add(s.at(key), format, args...)
}

// has reports whether key is in the file, whatever its value.
func (s *section) has(key string) bool {
	_, ok := s.m[key]
	return ok
}

// require reports key as missing unless it is in the file.
func (s *section) require(key string) {
	if !s.has(key) {
		s.d.problems.add(origin{option: joinPath(s.path, key)}, "required option is missing")
	}
}

// take returns the raw value of key, marking key as known.
func (s *section) take(key string) (any, bool) {
	if !slices.Contains(s.asked, key) {
		s.asked = append(s.asked, key)
	}
	v, ok := s.m[key]
	return v, ok
}

// str stores key's value in dst when it is present and a string, and
// reports whether it did. Empty strings are refused: leaving the option out
// is the way to get its default.
func (s *section) str(key string, dst *string) bool {
	v, ok := s.take(key)
	if !ok {
		return false
	}
	text, ok := v.(string)
	if !ok {
		s.fail(key, "expected a string, got %s", describeValue(v))
		return false
	}
	if text == "" {
		s.fail(key, "must not be empty; leave the option out instead")
		return false
	}
	*dst = text
	return true
}

// boolean stores key's value in dst when it is present and a boolean.
func (s *section) boolean(key string, dst *bool) {
	v, ok := s.take(key)
	if !ok {
		return
	}
	b, ok := v.(bool)
	if !ok {
		s.fail(key, "expected true or false, got %s", describeValue(v))
		return
	}
	*dst = b
}

// integer returns key's value when it is present and an integer.
func (s *section) integer(key string) (int64, bool) {
	v, ok := s.take(key)
	if !ok {
		return 0, false
	}
	n, ok := v.(int64)
	if !ok {
		s.fail(key, "expected an integer, got %s", describeValue(v))
		return 0, false
	}
	return n, true
}

// seconds stores key's value, a positive whole number of seconds, in dst.
func (s *section) seconds(key string, dst *time.Duration) {
	n, ok := s.integer(key)
	if !ok {
		return
	}
	if n <= 0 || n > math.MaxInt64/int64(time.Second) {
		s.fail(key, "must be a positive number of seconds, got %d", n)
		return
	}
	*dst = time.Duration(n) * time.Second
}

// size returns key's value, an integer number of bytes or a string such as
// "1.5T", when present and valid.
func (s *section) size(key string) (uint64, bool) {
	v, ok := s.take(key)
	if !ok {
		return 0, false
	}
	n, err := sizeFromValue(v)
	if err != nil {
		s.fail(key, "%v", err)
		return 0, false
	}
	return n, true
}

// oneOf stores key's value in dst when it is one of the allowed strings.
func (s *section) oneOf(key string, dst *string, allowed ...string) {
	var v string
	if !s.str(key, &v) {
		return
	}
	if !slices.Contains(allowed, v) {
		s.fail(key, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
		return
	}
	*dst = v
}

// bindAddr stores key's value in dst when it is a valid address to listen on.
func (s *section) bindAddr(key string, dst *string) {
	var addr string
	if !s.str(key, &addr) {
		return
	}
	if err := checkBindAddr(addr); err != nil {
		s.fail(key, "%v", err)
		return
	}
	*dst = addr
}

// table returns the section for key, or nil when key is absent or is not a
// table.
func (s *section) table(key string) *section {
	v, ok := s.take(key)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		s.fail(key, "expected a [%s] table, got %s", joinPath(s.path, key), describeValue(v))
		return nil
	}
	return s.d.section(joinPath(s.path, key), m)
}

// finish reports every key of the section that no getter asked for.
func (s *section) finish() {
	for key := range s.m {
		if slices.Contains(s.asked, key) {
			continue
		}
		path := joinPath(s.path, key)
		msg := fmt.Sprintf("unknown option %q", path)
		if hint, ok := renamedOptions[path]; ok {
			msg += ": " + hint
		} else if guess := closest(key, s.asked); guess != "" {
			msg += fmt.Sprintf("; did you mean %q?", joinPath(s.path, guess))
		}
		o := s.at(key)
		s.d.problems.addError(&Error{Line: o.line, Column: o.col, Option: path, Msg: msg})
	}
}

// describeValue names the TOML type of a decoded value for error messages.
// It never shows the value, which may be a secret.
func describeValue(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time, toml.LocalDate, toml.LocalTime, toml.LocalDateTime:
		return "a date or time"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
