package main

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// envClockSkewFile names a file holding an offset, a Go duration such as
// "-90s", that the node adds to its wall clock while it runs. It is a
// testing hook: the chaos harness skews the clocks of real processes this
// way, since the platform cannot skew one process's clock alone. The file
// is read every 100 ms; a missing or empty file means no skew.
const envClockSkewFile = "GARAGE_TEST_CLOCK_SKEW_FILE"

// testClock returns the node's clock: time.Now, skewed as the file named
// by envClockSkewFile says if the variable is set.
func testClock(ctx context.Context, log *zap.Logger) func() time.Time {
	path := os.Getenv(envClockSkewFile)
	if path == "" {
		return time.Now
	}
	log.Warn("the wall clock follows a test skew file", zap.String(envClockSkewFile, path))
	var skew atomic.Int64
	read := func() {
		b, err := os.ReadFile(path)
		if err != nil {
			skew.Store(0)
			return
		}
		text := strings.TrimSpace(string(b))
		if text == "" {
			skew.Store(0)
			return
		}
		d, err := time.ParseDuration(text)
		if err != nil {
			log.Warn("unreadable clock skew", zap.String("file", path), zap.Error(err))
			return
		}
		if old := time.Duration(skew.Swap(int64(d))); old != d {
			log.Info("clock skew changed", zap.Duration("from", old), zap.Duration("to", d))
		}
	}
	read()
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
}
