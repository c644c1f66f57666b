package k2vapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/garagego/garage/node/k2v"
)

// The batch bodies' parsers take any bytes: they either refuse them with
// a 400 of ours or return arguments that, written back as JSON, parse to
// the same arguments. The committed corpora (testdata/fuzz) run as plain
// tests; .ci/fuzz-s3.sh fuzzes them.

// wantRefusal fails t unless err is a client error of ours.
func wantRefusal(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Code == "" || e.Message == "" {
		t.Fatalf("refusal %v is not a 400 K2V error", err)
	}
}

func FuzzInsertBatchBody(f *testing.F) {
	f.Add([]byte(`[{"pk":"mailbox:INBOX","sk":"001892831","ct":null,"v":"YmxvYg=="},{"pk":"p","sk":"s"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := parseInsertBatch(body)
		if err != nil {
			wantRefusal(t, err)
			return
		}
		var again []map[string]any
		for _, it := range items {
			m := map[string]any{"pk": it.Partition, "sk": it.Sort, "ct": nil, "v": nil}
			if it.Context != nil {
				m["ct"] = it.Context.Token()
			}
			if !it.Value.Deleted {
				m["v"] = base64.StdEncoding.EncodeToString(it.Value.Data)
			}
			again = append(again, m)
		}
		if again == nil {
			again = []map[string]any{}
		}
		re, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		items2, err := parseInsertBatch(re)
		if err != nil {
			t.Fatalf("%s (written back from %q) is refused: %v", re, body, err)
		}
		if !reflect.DeepEqual(normalize(items), normalize(items2)) {
			t.Fatalf("%q parses to %+v, written back %+v", body, items, items2)
		}
	})
}

// normalize makes empty values compare equal however they were decoded.
func normalize(items []k2v.BatchItem) []k2v.BatchItem {
	out := make([]k2v.BatchItem, len(items))
	for i, it := range items {
		if len(it.Value.Data) == 0 {
			it.Value.Data = nil
		}
		out[i] = it
	}
	return out
}

func fuzzSearches(f *testing.F, deleting bool) {
	f.Fuzz(func(t *testing.T, body []byte) {
		qs, err := parseSearches(body, deleting)
		if err != nil {
			wantRefusal(t, err)
			return
		}
		re, err := json.Marshal(qs)
		if err != nil {
			t.Fatal(err)
		}
		qs2, err := parseSearches(re, deleting)
		if err != nil {
			t.Fatalf("%s (written back from %q) is refused: %v", re, body, err)
		}
		if !reflect.DeepEqual(qs, qs2) {
			t.Fatalf("%q parses to %+v, written back %+v", body, qs, qs2)
		}
	})
}

func FuzzReadBatchBody(f *testing.F) {
	f.Add([]byte(`[{"partitionKey":"mailboxes"},{"partitionKey":"mailbox:INBOX","start":"001892831","limit":3},{"partitionKey":"keys","start":"0","singleItem":true}]`))
	fuzzSearches(f, false)
}

func FuzzDeleteBatchBody(f *testing.F) {
	f.Add([]byte(`[{"partitionKey":"mailbox:OldMailbox"},{"partitionKey":"mailbox:INBOX","start":"0018928321","singleItem":true}]`))
	fuzzSearches(f, true)
}

func FuzzPollRangeBody(f *testing.F) {
	f.Add([]byte(`{"prefix":"a","start":"a1","end":"b","timeout":30,"seenMarker":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		q, err := parsePollRange(body)
		if err != nil {
			wantRefusal(t, err)
			return
		}
		re, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		q2, err := parsePollRange(re)
		if err != nil || !reflect.DeepEqual(q, q2) {
			t.Fatalf("%q parses to %+v, written back %s: %+v, %v", body, q, re, q2, err)
		}
		if d := pollTimeout(q.Timeout); d < 1e9 || d > k2v.MaxPollTimeout {
			t.Fatalf("timeout %v out of Garage's range", d)
		}
	})
}
