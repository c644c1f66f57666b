package k2v

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrNotFound is an item that does not exist (404 NoSuchKey): never
// written, or deleted and its tombstone collected.
var ErrNotFound = errors.New("k2v: item not found")

// Error is an error the server answered, with the fields of Garage's JSON
// error body. Status is always set; Code and Message are empty when the
// body was not Garage's JSON (then Message holds the body's text).
type Error struct {
	Status  int    // the HTTP status
	Code    string // e.g. "AccessDenied", "NoSuchBucket", "InvalidRequest"
	Message string
	Region  string
	Path    string
}

func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = http.StatusText(e.Status)
	}
	s := fmt.Sprintf("k2v: %d %s", e.Status, code)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Path != "" {
		s += " (path " + e.Path + ")"
	}
	return s
}

// parseError reads Garage's error body: {"code", "message", "region",
// "path"}.
func parseError(status int, body []byte) *Error {
	e := &Error{Status: status}
	var wire struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Region  string `json:"region"`
		Path    string `json:"path"`
	}
	if json.Unmarshal(body, &wire) == nil && wire.Code != "" {
		e.Code, e.Message, e.Region, e.Path = wire.Code, wire.Message, wire.Region, wire.Path
		return e
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 512 {
		msg = msg[:512] + "…"
	}
	e.Message = msg
	return e
}
