// Package logging builds the process logger.
//
// Logs go to one file, normally stderr: human-readable and coloured when it
// is a terminal, one JSON object per line otherwise, so that a service
// manager or log shipper gets structured records.
package logging

import (
	"fmt"
	"os"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"
)

// EnvLevel is the environment variable that sets the log level when no
// --log-level flag is given.
const EnvLevel = "GARAGE_LOG"

// levels are the accepted level names, from most to least verbose.
var levels = []struct {
	name  string
	level zapcore.Level
}{
	{"debug", zapcore.DebugLevel},
	{"info", zapcore.InfoLevel},
	{"warn", zapcore.WarnLevel},
	{"error", zapcore.ErrorLevel},
}

// ParseLevel parses a level name: debug, info, warn or error, in any case.
func ParseLevel(s string) (zapcore.Level, error) {
	for _, l := range levels {
		if strings.EqualFold(s, l.name) {
			return l.level, nil
		}
	}
	names := make([]string, len(levels))
	for i, l := range levels {
		names[i] = l.name
	}
	return 0, fmt.Errorf("unknown log level %q (valid levels: %s)", s, strings.Join(names, ", "))
}

// PickLevel returns the level to log at, from in order of precedence the
// --log-level flag value, the GARAGE_LOG environment variable and the
// configuration file's [log] level; empty values are skipped, and "" is
// returned when none is set, which New takes as info.
func PickLevel(flagValue, configValue string) string {
	env, _ := os.LookupEnv(EnvLevel)
	return pickLevel(flagValue, env, configValue)
}

func pickLevel(flagValue, envValue, configValue string) string {
	for _, v := range []string{flagValue, envValue, configValue} {
		if v != "" {
			return v
		}
	}
	return ""
}

// New builds the process logger writing to w (os.Stderr when nil) at the
// named level, "" meaning info; see PickLevel for choosing it. The output is
// coloured console text when w is a terminal and JSON lines with the fields
// ts, level, caller and msg otherwise.
func New(level string, w *os.File) (*zap.Logger, error) {
	lvl := zapcore.InfoLevel
	if level != "" {
		var err error
		if lvl, err = ParseLevel(level); err != nil {
			return nil, err
		}
	}
	if w == nil {
		w = os.Stderr
	}

	enc := zap.NewProductionEncoderConfig()
	var encoder zapcore.Encoder
	if term.IsTerminal(int(w.Fd())) {
		// For people: short local timestamps and coloured levels.
		enc.EncodeTime = zapcore.TimeEncoderOfLayout("2006-01-02 15:04:05.000")
		enc.EncodeLevel = zapcore.CapitalColorLevelEncoder
		encoder = zapcore.NewConsoleEncoder(enc)
	} else {
		// For log collectors: one object per line, sortable timestamps.
		enc.EncodeTime = zapcore.RFC3339NanoTimeEncoder
		encoder = zapcore.NewJSONEncoder(enc)
	}

	out := zapcore.Lock(w)
	core := zapcore.NewCore(encoder, out, lvl)
	return zap.New(core, zap.AddCaller(), zap.ErrorOutput(out)), nil
}
