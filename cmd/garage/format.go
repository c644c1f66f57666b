package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// textTable prints aligned columns.
type textTable struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *textTable {
	t := &textTable{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *textTable) row(cells ...string) { fmt.Fprintln(t.tw, strings.Join(cells, "\t")) }

func (t *textTable) flush() { t.tw.Flush() }

// bytesHuman prints a size with decimal units, as capacities are given.
func bytesHuman(n uint64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB"}
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}

// freeSpace prints "avail/total (pct%)".
func freeSpace(avail, total uint64) string {
	if total == 0 {
		return "?"
	}
	return fmt.Sprintf("%s/%s (%.0f%%)", bytesHuman(avail), bytesHuman(total), 100*float64(avail)/float64(total))
}

func shortID(id string) string {
	if len(id) > 16 {
		return id[:16]
	}
	return id
}

func dateMillis(ms uint64) string {
	if ms == 0 {
		return "?"
	}
	return time.UnixMilli(int64(ms)).UTC().Format("2006-01-02 15:04:05 UTC")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
