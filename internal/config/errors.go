package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// Error is one problem with the configuration. Parse and Load report
// problems in the file as a single *Error, or as several joined with
// errors.Join in file order; Load also fails with a plain error when the file
// cannot be read.
type Error struct {
	File   string // the configuration file's name
	Line   int    // 1-based; 0 when the problem has no place in the file
	Column int    // 1-based; 0 when Line is 0
	Option string // the option concerned, e.g. "s3_api.api_bind_addr", or an environment variable
	Msg    string // the complete description, naming Option
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// origin tells where a value came from, so that an error about it points
// there.
type origin struct {
	option    string // option path, or environment variable name when env
	line, col int    // position in the file; 0 when unknown or from the environment
	env       bool
	file      string // secret file the value was read from, if any
}

// describe names the origin at the start of an error message.
func (o origin) describe() string {
	s := o.option
	if o.env {
		s = "environment variable " + s
	}
	if o.file != "" {
		s += fmt.Sprintf(" (file %s)", o.file)
	}
	return s
}

// problems collects every error found in one file.
type problems struct {
	file string
	list []*Error
}

func (p *problems) add(o origin, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if o.option != "" {
		msg = o.describe() + ": " + msg
	}
	p.addError(&Error{Line: o.line, Column: o.col, Option: o.option, Msg: msg})
}

// addError records e, naming the file it is about.
func (p *problems) addError(e *Error) {
	e.File = p.file
	p.list = append(p.list, e)
}

// err returns nil, the only error, or all of them in file order; errors
// without a position come last.
func (p *problems) err() error {
	slices.SortStableFunc(p.list, func(a, b *Error) int {
		if (a.Line == 0) != (b.Line == 0) {
			return cmp.Compare(b.Line, a.Line) // the located one first
		}
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	switch len(p.list) {
	case 0:
		return nil
	case 1:
		return p.list[0]
	}
	errs := make([]error, len(p.list))
	for i, e := range p.list {
		errs[i] = e
	}
	return errors.Join(errs...)
}
