package k2vapi

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestRoute: Garage's router, endpoint by endpoint, with the rights each
// needs (PollRange needs write, as in Garage's router).
func TestRoute(t *testing.T) {
	for _, tc := range []struct {
		method, path, query string
		name                string
		need                need
		pk, sk              string
	}{
		{"GET", "/b/pk", "sort_key=s", "ReadItem", needRead, "pk", "s"},
		{"GET", "/b/p%2Fk%20x", "sort_key=a%2Fb", "ReadItem", needRead, "p/k x", "a/b"},
		{"GET", "/b//pk", "sort_key=", "ReadItem", needRead, "pk", ""},
		{"GET", "/b/pk", "sort_key=s&causality_token=t&timeout=5", "PollItem", needRead, "pk", "s"},
		{"PUT", "/b/pk", "sort_key=s", "InsertItem", needWrite, "pk", "s"},
		{"DELETE", "/b/pk", "sort_key=s", "DeleteItem", needWrite, "pk", "s"},
		{"GET", "/b", "prefix=a&limit=3", "ReadIndex", needRead, "", ""},
		{"GET", "/b/", "", "ReadIndex", needRead, "", ""},
		{"POST", "/b", "", "InsertBatch", needWrite, "", ""},
		{"POST", "/b", "search", "ReadBatch", needRead, "", ""},
		{"SEARCH", "/b", "", "ReadBatch", needRead, "", ""},
		{"POST", "/b", "delete", "DeleteBatch", needWrite, "", ""},
		{"POST", "/b/pk", "poll_range", "PollRange", needWrite, "pk", ""},
		{"SEARCH", "/b/pk", "poll_range", "PollRange", needWrite, "pk", ""},
	} {
		q, _ := url.ParseQuery(tc.query)
		ep, err := route(tc.method, tc.path, q)
		if err != nil || ep.name != tc.name || ep.need != tc.need || ep.bucket != "b" || ep.partition != tc.pk || ep.sort != tc.sk {
			t.Errorf("%s %s?%s: %+v, %v; want %s needing %s on %q/%q", tc.method, tc.path, tc.query, ep, err, tc.name, tc.need, tc.pk, tc.sk)
		}
	}
	for _, tc := range []struct{ method, path, query string }{
		{"GET", "/", ""},                 // no bucket
		{"GET", "/b/pk", ""},             // no sort_key
		{"PUT", "/b", ""},                // InsertItem needs a partition key
		{"DELETE", "/b", ""},             //
		{"POST", "/b/pk", ""},            // only poll_range on a partition key
		{"GET", "/b", "search"},          // search is POST or SEARCH
		{"POST", "/b", "search&delete"},  // two keywords
		{"SEARCH", "/b", "delete"},       //
		{"PATCH", "/b/pk", "sort_key=s"}, // unknown method
		{"GET", "/b/%ff", "sort_key=s"},  // not UTF-8
		{"GET", "/b/pk", "sort_key=%ff"}, //
		{"GET", "/b/pk", "sort_key=a&sort_key=b"},
	} {
		q, _ := url.ParseQuery(tc.query)
		if ep, err := route(tc.method, tc.path, q); err == nil {
			t.Errorf("%s %s?%s routed to %s, want a 400", tc.method, tc.path, tc.query, ep.name)
		} else if e := toK2V(err); e.Status != http.StatusBadRequest {
			t.Errorf("%s %s?%s: %v, want a 400", tc.method, tc.path, tc.query, err)
		}
	}
}

// TestPollTimeout: Garage's default (300 s) and clamp to [1, 600] s.
func TestPollTimeout(t *testing.T) {
	n := func(v uint64) *uint64 { return &v }
	for _, tc := range []struct {
		in   *uint64
		want time.Duration
	}{{nil, 300 * time.Second}, {n(0), time.Second}, {n(1), time.Second}, {n(42), 42 * time.Second}, {n(600), 600 * time.Second}, {n(601), 600 * time.Second}, {n(1 << 63), 600 * time.Second}} {
		if got := pollTimeout(tc.in); got != tc.want {
			t.Errorf("pollTimeout(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestAcceptFormat: the specification's table of Accept headers.
func TestAcceptFormat(t *testing.T) {
	for _, tc := range []struct {
		accept []string
		want   format
		err    bool
	}{
		{nil, formatJSON, false},
		{[]string{"application/json"}, formatJSON, false},
		{[]string{"application/octet-stream"}, formatBinary, false},
		{[]string{"application/octet-stream, application/json"}, formatEither, false},
		{[]string{"*/*"}, formatEither, false},
		{[]string{"text/html", "application/json"}, formatJSON, false},
		{[]string{"text/html"}, 0, true},
		{[]string{""}, 0, true},
	} {
		h := http.Header{}
		if tc.accept != nil {
			h["Accept"] = tc.accept
		}
		got, err := acceptFormat(h)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("Accept %q: %v, %v", tc.accept, got, err)
		}
		if err != nil && toK2V(err).Status != http.StatusNotAcceptable {
			t.Errorf("Accept %q: %v, want 406", tc.accept, err)
		}
	}
}
