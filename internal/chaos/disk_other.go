//go:build !linux

package chaos

import "errors"

var errNoTmpfs = errors.New("a data disk of its own (tmpfs) needs Linux")

func mountDataDisk(string) error      { return errNoTmpfs }
func unmountDataDisk(string) error    { return nil }
func fillDisk(string) (string, error) { return "", errNoTmpfs }
