package s3api

import (
	"bufio"
	"errors"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

// s3Operation is one operation of botocore's S3 service model
// (testdata/s3-operations.tsv, written by .ci/s3-operations.py).
type s3Operation struct {
	name, method, uri string
	query, headers    []string
}

func loadOperations(t *testing.T) []s3Operation {
	t.Helper()
	f, err := os.Open("testdata/s3-operations.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ops []s3Operation
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 5 {
			t.Fatalf("malformed operation line %q", line)
		}
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, ",")
		}
		ops = append(ops, s3Operation{name: fields[0], method: fields[1], uri: fields[2], query: split(fields[3]), headers: split(fields[4])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ops
}

// compatRow is a row of the README's S3 compatibility table.
type compatRow struct {
	status, notes string
}

// sameRequestAs finds "same request as `X`" in a row's notes: an operation
// that S3 answers from the very same request as X (a deprecated name).
var sameRequestAs = regexp.MustCompile("[Ss]ame request as `([A-Za-z0-9]+)`")

func loadCompatTable(t *testing.T) map[string]compatRow {
	t.Helper()
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## S3 compatibility\n")
	if !ok {
		t.Fatal("README.md has no \"## S3 compatibility\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	rows := map[string]compatRow{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if !strings.HasPrefix(line, "| ") || len(cells) != 3 {
			continue
		}
		name := strings.Trim(strings.TrimSpace(cells[0]), "`")
		status := strings.TrimSpace(cells[1])
		if name == "Operation" || strings.HasPrefix(name, "---") {
			continue
		}
		if _, dup := rows[name]; dup {
			t.Errorf("README lists %s twice", name)
		}
		if !slices.Contains([]string{"Implemented", "Partial", "Missing"}, status) {
			t.Errorf("README: %s has status %q, want Implemented, Partial or Missing", name, status)
		}
		if status == "Partial" && strings.TrimSpace(cells[2]) == "" {
			t.Errorf("README: %s is Partial without saying what is missing", name)
		}
		rows[name] = compatRow{status: status, notes: strings.TrimSpace(cells[2])}
	}
	return rows
}

// sampleRequest builds the request an SDK sends for op: bucket "b", key
// "k", the URI's sub-resources and every required parameter and header.
func sampleRequest(op s3Operation) (method, bucket, key string, q url.Values, h http.Header) {
	path, rawQuery, _ := strings.Cut(op.uri, "?")
	q, _ = url.ParseQuery(rawQuery)
	for _, p := range op.query {
		q.Set(p, "1")
	}
	h = http.Header{}
	for _, name := range op.headers {
		h.Set(name, "b/k")
	}
	switch {
	case strings.Contains(path, "{Key+}"):
		bucket, key = "b", "k"
	case strings.Contains(path, "{Bucket}"):
		bucket = "b"
	case path != "/":
		bucket = strings.TrimPrefix(path, "/") // WriteGetObjectResponse: a fixed path
	}
	return op.method, bucket, key, q, h
}

// TestCompatibilityTableMatchesTheRouter keeps the README's S3
// compatibility table true: it lists every operation of the S3 API exactly
// once, and the router sends each operation's request to the endpoint of
// that name when the table says it is implemented (wholly or partly), and
// refuses it (NotImplemented, or MethodNotAllowed) when the table says it
// is missing, rather than mistaking it for another operation.
func TestCompatibilityTableMatchesTheRouter(t *testing.T) {
	ops := loadOperations(t)
	table := loadCompatTable(t)
	known := map[string]bool{}
	for _, op := range ops {
		known[op.name] = true
		row, listed := table[op.name]
		if !listed {
			t.Errorf("README's S3 compatibility table lacks %s", op.name)
			continue
		}
		want := op.name
		if m := sameRequestAs.FindStringSubmatch(row.notes); m != nil {
			want = m[1]
		}
		ep, err := route(sampleRequest(op))
		switch {
		case row.status == "Missing" && err == nil:
			t.Errorf("%s is Missing in the README, but the router sends it to %s", op.name, ep.name)
		case row.status == "Missing":
			var s3e *s3err.Error
			if !errors.As(err, &s3e) || (s3e.Code != s3err.NotImplemented && s3e.Code != s3err.MethodNotAllowed) {
				t.Errorf("%s is Missing: the router answers %v, want NotImplemented or MethodNotAllowed", op.name, err)
			}
		case err != nil:
			t.Errorf("%s is %s in the README, but the router refuses it: %v", op.name, row.status, err)
		case ep.name != want:
			t.Errorf("%s is %s in the README, but the router sends it to %s", op.name, row.status, ep.name)
		}
	}
	for name := range table {
		if !known[name] {
			t.Errorf("README's S3 compatibility table lists %s, which is not an S3 operation", name)
		}
	}
}
