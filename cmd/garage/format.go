package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/garagego/garage/node/admin"
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

// bytesHuman prints a size with decimal units, as capacities are given
// and as Garage prints them.
func bytesHuman(n uint64) string { return admin.HumanBytes(n) }

// timeAgo says how long ago something was, in words, as Garage's status
// does ("now", "1 second ago", "3 minutes ago").
func timeAgo(secs int64) string {
	if secs <= 0 {
		return "now"
	}
	units := []struct {
		name string
		secs int64
	}{{"year", 365 * 86400}, {"month", 30 * 86400}, {"week", 7 * 86400}, {"day", 86400}, {"hour", 3600}, {"minute", 60}, {"second", 1}}
	for _, u := range units {
		if n := secs / u.secs; n >= 1 {
			if n == 1 {
				return "1 " + u.name + " ago"
			}
			return fmt.Sprintf("%d %ss ago", n, u.name)
		}
	}
	return "now"
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

func orQuestion(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
