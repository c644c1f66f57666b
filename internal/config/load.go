package config

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Load reads and validates the configuration file at path, applying the
// environment overrides described in the package documentation.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, path)
}

// Parse is Load for a file already read; name identifies it in errors.
func Parse(data []byte, name string) (*Config, error) {
	return loader{lookupEnv: os.LookupEnv}.parse(data, name)
}

// loader parses configuration files against an environment, which tests
// replace.
type loader struct {
	lookupEnv func(string) (string, bool)
}

func (l loader) parse(data []byte, name string) (*Config, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(name, err)
	}
	d := &decoder{
		pos:       indexPositions(data),
		problems:  &problems{file: name},
		lookupEnv: l.lookupEnv,
	}
	c := fileDefaults()
	decodeRoot(d.section("", doc), c)
	if err := d.problems.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// syntaxError turns go-toml's error for a malformed document into an *Error
// located in the file.
func syntaxError(name string, err error) error {
	var decodeErr *toml.DecodeError
	if !errors.As(err, &decodeErr) {
		return fmt.Errorf("%s: %w", name, err)
	}
	line, col := decodeErr.Position()
	msg := strings.TrimPrefix(decodeErr.Error(), "toml: ")
	option := strings.Join(decodeErr.Key(), ".")
	if option != "" {
		msg = option + ": " + msg
	}
	return &Error{File: name, Line: line, Column: col, Option: option, Msg: msg}
}
