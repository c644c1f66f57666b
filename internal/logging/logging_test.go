package logging

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func TestParseLevel(t *testing.T) {
	cases := map[string]zapcore.Level{
		"debug": zapcore.DebugLevel,
		"info":  zapcore.InfoLevel,
		"warn":  zapcore.WarnLevel,
		"error": zapcore.ErrorLevel,
		"DEBUG": zapcore.DebugLevel,
		"Warn":  zapcore.WarnLevel,
	}
	for in, want := range cases {
		got, err := ParseLevel(in)
		if err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "trace", "warning", "fatal", "panic", "dpanic"} {
		_, err := ParseLevel(in)
		if err == nil {
			t.Errorf("ParseLevel(%q) succeeded", in)
			continue
		}
		if !strings.Contains(err.Error(), "valid levels: debug, info, warn, error") {
			t.Errorf("ParseLevel(%q) error %q does not list the valid levels", in, err)
		}
	}
}

func TestPickLevelPrecedence(t *testing.T) {
	cases := []struct{ flag, env, config, want string }{
		{"error", "warn", "debug", "error"},
		{"", "warn", "debug", "warn"},
		{"", "", "debug", "debug"},
		{"", "", "", ""},
	}
	for _, tc := range cases {
		if got := pickLevel(tc.flag, tc.env, tc.config); got != tc.want {
			t.Errorf("pickLevel(%q, %q, %q) = %q, want %q", tc.flag, tc.env, tc.config, got, tc.want)
		}
	}
}

func TestPickLevelReadsEnvironment(t *testing.T) {
	t.Setenv(EnvLevel, "warn")
	if got := PickLevel("", "debug"); got != "warn" {
		t.Errorf("PickLevel = %q, want the environment's warn", got)
	}
}

func TestNewWritesJSONWhenNotATerminal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	log, err := New("", f)
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hidden at the default info level")
	log.Info("node started", zap.String("node", "n1"))
	if err := log.Sync(); err != nil {
		t.Fatal(err)
	}

	lines := readLines(t, path)
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1 (debug must be filtered out):\n%s", len(lines), strings.Join(lines, "\n"))
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatalf("line is not JSON: %v\n%s", err, lines[0])
	}
	if entry["level"] != "info" || entry["msg"] != "node started" || entry["node"] != "n1" {
		t.Errorf("entry = %v", entry)
	}
	ts, ok := entry["ts"].(string)
	if !ok {
		t.Fatalf("ts = %#v, want an RFC 3339 string", entry["ts"])
	}
	if when, err := time.Parse(time.RFC3339Nano, ts); err != nil || time.Since(when) > time.Minute {
		t.Errorf("ts = %q (%v), want the current time in RFC 3339", ts, err)
	}
}

func TestNewHonoursLevel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	log, err := New("error", f)
	if err != nil {
		t.Fatal(err)
	}
	log.Warn("dropped")
	log.Error("kept")
	_ = log.Sync()

	lines := readLines(t, path)
	if len(lines) != 1 || !strings.Contains(lines[0], `"msg":"kept"`) {
		t.Errorf("lines = %q, want only the error", lines)
	}
}

func TestNewRejectsUnknownLevel(t *testing.T) {
	_, err := New("loud", os.Stderr)
	if err == nil || !strings.Contains(err.Error(), `unknown log level "loud" (valid levels: debug, info, warn, error)`) {
		t.Errorf("New error = %v", err)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		lines = append(lines, sc.Text())
	}
	return lines
}
