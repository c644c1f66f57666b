package k2v

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	testKeyID  = "GK31c2f218a2e44f485b94239e"
	testSecret = "b892c0665f0ada8a4755dae98baa3b133590e11dae3bcc1f9d769d67f16c3835"
	testRegion = "garage"
)

// Keys with a slash, spaces, a percent sign, a plus and non-ASCII letters:
// the path and the query must carry them exactly.
const (
	trickyPK = "mail/box: INBOX+é%"
	trickySK = "sort/key é ü 日本"
)

// fake is an httptest server that checks every request's signature and
// hands the request to the test's handler.
type fake struct {
	t       *testing.T
	srv     *httptest.Server
	handler func(w http.ResponseWriter, r *http.Request, body []byte)
	calls   int
}

func newFake(t *testing.T) (*fake, *Client) {
	t.Helper()
	f := &fake{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls++
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading body: %v", err)
		}
		if err := checkSignature(r, body, testKeyID, testSecret, testRegion); err != nil {
			t.Errorf("%s %s: %v", r.Method, r.URL, err)
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if f.handler == nil {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			return
		}
		f.handler(w, r, body)
	}))
	t.Cleanup(f.srv.Close)
	c, err := New(Config{Endpoint: f.srv.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret, Bucket: "my_bucket"})
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func wantRequest(t *testing.T, r *http.Request, method, escapedPath string) {
	t.Helper()
	if r.Method != method {
		t.Errorf("method %s, want %s", r.Method, method)
	}
	if got := r.URL.EscapedPath(); got != escapedPath {
		t.Errorf("path %s, want %s", got, escapedPath)
	}
}

func wantQuery(t *testing.T, r *http.Request, want map[string]string) {
	t.Helper()
	q := r.URL.Query()
	got := map[string]string{}
	for k, v := range q {
		if len(v) != 1 {
			t.Errorf("query %s given %d times", k, len(v))
		}
		got[k] = v[0]
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("query %v (raw %q), want %v", got, r.URL.RawQuery, want)
	}
	if strings.Contains(r.URL.RawQuery, "+") {
		t.Errorf("raw query %q encodes a space or plus as '+', which SigV4 servers may read differently", r.URL.RawQuery)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

var trickyPath = "/my_bucket/mail%2Fbox%3A%20INBOX%2B%C3%A9%25"

func TestReadItemSingleValueAsRawBytes(t *testing.T) {
	f, c := newFake(t)
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		wantRequest(t, r, "GET", trickyPath)
		wantQuery(t, r, map[string]string{"sort_key": trickySK})
		if !strings.Contains(r.URL.RawQuery, "sort_key=sort%2Fkey%20%C3%A9%20%C3%BC%20%E6%97%A5%E6%9C%AC") {
			t.Errorf("raw query %q", r.URL.RawQuery)
		}
		if got := r.Header.Get("Accept"); got != "application/octet-stream, application/json" {
			t.Errorf("Accept %q", got)
		}
		if len(body) != 0 {
			t.Errorf("GET with a body %q", body)
		}
		w.Header().Set("X-Garage-Causality-Token", "opaquetoken123")
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write([]byte("cryptoblob123"))
	}
	values, token, err := c.ReadItem(context.Background(), trickyPK, trickySK)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(values, [][]byte{[]byte("cryptoblob123")}) || token != "opaquetoken123" {
		t.Fatalf("got %q %q", values, token)
	}
}

func TestReadItemSiblingsAndTombstonesFromJSON(t *testing.T) {
	f, c := newFake(t)
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("X-Garage-Causality-Token", "tok")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[` + "\n  " + `"` + b64("v1") + `", null, ""]`))
	}
	values, token, err := c.ReadItem(context.Background(), "pk", "sk")
	if err != nil {
		t.Fatal(err)
	}
	if token != "tok" || len(values) != 3 || string(values[0]) != "v1" || values[1] != nil || values[2] == nil || len(values[2]) != 0 {
		t.Fatalf("got %q %q: want v1, a nil tombstone and a non-nil empty value", values, token)
	}
}

func TestReadItemTombstoneAs204(t *testing.T) {
	f, c := newFake(t)
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("X-Garage-Causality-Token", "tok999")
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusNoContent)
	}
	values, token, err := c.ReadItem(context.Background(), "pk", "sk")
	if err != nil {
		t.Fatal(err)
	}
	if len(values) != 1 || values[0] != nil || token != "tok999" {
		t.Fatalf("got %q %q, want one nil tombstone", values, token)
	}
}

func TestReadItemWithoutTokenIsAnInvalidAnswer(t *testing.T) {
	f, c := newFake(t)
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write([]byte("x"))
	}
	if _, _, err := c.ReadItem(context.Background(), "pk", "sk"); err == nil || !strings.Contains(err.Error(), "causality token") {
		t.Fatalf("err %v, want a missing-token error", err)
	}
}

func garageError(w http.ResponseWriter, status int, code, message, path string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"code": code, "message": message, "region": "garage", "path": path})
}

func TestNotFoundAndErrors(t *testing.T) {
	f, c := newFake(t)
	ctx := context.Background()

	f.handler = func(w http.ResponseWriter, r *http.Request, _ []byte) {
		garageError(w, 404, "NoSuchKey", "Key not found", r.URL.Path)
	}
	if _, _, err := c.ReadItem(ctx, "pk", "sk"); err != ErrNotFound {
		t.Errorf("404 NoSuchKey: %v, want ErrNotFound", err)
	}

	f.handler = func(w http.ResponseWriter, r *http.Request, _ []byte) {
		garageError(w, 404, "NoSuchBucket", "Bucket not found: my_bucket", "/my_bucket/pk")
	}
	_, _, err := c.ReadItem(ctx, "pk", "sk")
	var e *Error
	if errors.Is(err, ErrNotFound) || !errors.As(err, &e) {
		t.Fatalf("404 NoSuchBucket: %v, want an *Error, not ErrNotFound", err)
	}
	if *e != (Error{Status: 404, Code: "NoSuchBucket", Message: "Bucket not found: my_bucket", Region: "garage", Path: "/my_bucket/pk"}) {
		t.Errorf("error %+v", *e)
	}

	f.handler = func(w http.ResponseWriter, r *http.Request, _ []byte) {
		garageError(w, 403, "AccessDenied", "Forbidden: Operation is not allowed for this key.", "/my_bucket")
	}
	err = c.InsertItem(ctx, "pk", "sk", []byte("v"), "")
	if !errors.As(err, &e) || e.Status != 403 || e.Code != "AccessDenied" {
		t.Fatalf("403: %v", err)
	}
	if !strings.Contains(err.Error(), "403 AccessDenied: Forbidden") {
		t.Errorf("message %q", err.Error())
	}

	f.handler = func(w http.ResponseWriter, r *http.Request, _ []byte) {
		http.Error(w, "upstream exploded", http.StatusBadGateway)
	}
	err = c.InsertItem(ctx, "pk", "sk", []byte("v"), "")
	if !errors.As(err, &e) || e.Status != 502 || e.Code != "" || e.Message != "upstream exploded" {
		t.Fatalf("502 plain text: %#v", err)
	}
}

func TestInsertItem(t *testing.T) {
	f, c := newFake(t)
	var gotToken []string
	var gotBody []byte
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		wantRequest(t, r, "PUT", trickyPath)
		wantQuery(t, r, map[string]string{"sort_key": trickySK})
		gotToken = r.Header.Values("X-Garage-Causality-Token")
		gotBody = body
		w.WriteHeader(http.StatusNoContent)
	}
	ctx := context.Background()
	blob := []byte{0, 1, 2, 0xff, '\n'}
	if err := c.InsertItem(ctx, trickyPK, trickySK, blob, ""); err != nil {
		t.Fatal(err)
	}
	if len(gotToken) != 0 || string(gotBody) != string(blob) {
		t.Errorf("first write: token %q body %q", gotToken, gotBody)
	}
	if err := c.InsertItem(ctx, trickyPK, trickySK, []byte("v2"), "opaquetoken123"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotToken, []string{"opaquetoken123"}) || string(gotBody) != "v2" {
		t.Errorf("overwrite: token %q body %q", gotToken, gotBody)
	}
}

func TestDeleteItem(t *testing.T) {
	f, c := newFake(t)
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		wantRequest(t, r, "DELETE", "/my_bucket/pk")
		wantQuery(t, r, map[string]string{"sort_key": "sk"})
		if got := r.Header.Get("X-Garage-Causality-Token"); got != "tok" {
			t.Errorf("token %q", got)
		}
		w.WriteHeader(http.StatusNoContent)
	}
	if err := c.DeleteItem(context.Background(), "pk", "sk", "tok"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteItem(context.Background(), "pk", "sk", ""); err == nil {
		t.Fatal("a delete without a token must be refused")
	}
	if f.calls != 1 {
		t.Errorf("%d requests, want 1 (the tokenless delete must not be sent)", f.calls)
	}
}

func TestPollItem(t *testing.T) {
	f, c := newFake(t)
	ctx := context.Background()
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		wantRequest(t, r, "GET", trickyPath)
		wantQuery(t, r, map[string]string{"sort_key": trickySK, "causality_token": "tok/+=", "timeout": "2"})
		w.WriteHeader(http.StatusNotModified)
	}
	_, _, changed, err := c.PollItem(ctx, trickyPK, trickySK, "tok/+=", 1500*time.Millisecond)
	if err != nil || changed {
		t.Fatalf("304: changed %v err %v", changed, err)
	}

	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		wantQuery(t, r, map[string]string{"sort_key": "sk", "causality_token": "tok", "timeout": "300"})
		w.Header().Set("X-Garage-Causality-Token", "tok2")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`["` + b64("a") + `","` + b64("b") + `"]`))
	}
	values, token, changed, err := c.PollItem(ctx, "pk", "sk", "tok", 0)
	if err != nil || !changed || token != "tok2" || len(values) != 2 || string(values[1]) != "b" {
		t.Fatalf("200: %q %q %v %v", values, token, changed, err)
	}
}

func TestReadIndex(t *testing.T) {
	f, c := newFake(t)
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		wantRequest(t, r, "GET", "/my_bucket")
		wantQuery(t, r, map[string]string{"prefix": "mail box", "start": "mail box:A", "end": "mail box:Z", "limit": "2", "reverse": "true"})
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"prefix":"mail box","start":"mail box:A","end":"mail box:Z","limit":2,"reverse":true,
			"partitionKeys":[{"pk":"mail box:INBOX","entries":42,"conflicts":1,"values":43,"bytes":142029},
			{"pk":"mail box:Junk","entries":2991,"conflicts":0,"values":2991,"bytes":12019322}],
			"more":true,"nextStart":"mail box:Trash"}`))
	}
	res, err := c.ReadIndex(context.Background(), Filter{Prefix: "mail box", Start: "mail box:A", End: "mail box:Z", Limit: 2, Reverse: true})
	if err != nil {
		t.Fatal(err)
	}
	want := IndexResult{Partitions: []PartitionInfo{
		{PK: "mail box:INBOX", Entries: 42, Conflicts: 1, Values: 43, Bytes: 142029},
		{PK: "mail box:Junk", Entries: 2991, Values: 2991, Bytes: 12019322},
	}, More: true, NextStart: "mail box:Trash"}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("got %+v\nwant %+v", res, want)
	}

	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		wantQuery(t, r, map[string]string{})
		w.Write([]byte(`{"prefix":null,"start":null,"end":null,"limit":null,"reverse":false,"partitionKeys":[],"more":false,"nextStart":null}`))
	}
	res, err = c.ReadIndex(context.Background(), Filter{})
	if err != nil || len(res.Partitions) != 0 || res.More || res.NextStart != "" {
		t.Fatalf("empty index: %+v %v", res, err)
	}
}

// jsonEqual compares a request body with the JSON the spec shows.
func jsonEqual(t *testing.T, body []byte, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("body %s\nwant %s", body, want)
	}
}

func TestInsertBatch(t *testing.T) {
	f, c := newFake(t)
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		wantRequest(t, r, "POST", "/my_bucket")
		wantQuery(t, r, map[string]string{})
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("content type %q", ct)
		}
		jsonEqual(t, body, `[
			{"pk":"mailbox:INBOX","sk":"001892831","ct":"opaquetoken321","v":"`+b64("updated")+`"},
			{"pk":"mailbox:INBOX","sk":"001892912","ct":null,"v":""},
			{"pk":"mailbox:INBOX","sk":"001892932","ct":"opaquetoken654","v":null}]`)
		w.WriteHeader(http.StatusNoContent)
	}
	err := c.InsertBatch(context.Background(), []BatchInsert{
		{PK: "mailbox:INBOX", SK: "001892831", Token: "opaquetoken321", Value: []byte("updated")},
		{PK: "mailbox:INBOX", SK: "001892912", Value: []byte{}},
		{PK: "mailbox:INBOX", SK: "001892932", Token: "opaquetoken654"},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadBatch(t *testing.T) {
	f, c := newFake(t)
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		wantRequest(t, r, "POST", "/my_bucket")
		wantQuery(t, r, map[string]string{"search": ""})
		jsonEqual(t, body, `[
			{"partitionKey":"mailboxes"},
			{"partitionKey":"mailbox:INBOX","start":"001892831","limit":3},
			{"partitionKey":"keys","start":"0","singleItem":true},
			{"partitionKey":"p","prefix":"a","end":"b","reverse":true,"conflictsOnly":true,"tombstones":true}]`)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[
  {"partitionKey":"mailboxes","prefix":null,"start":null,"end":null,"limit":null,"reverse":false,"conflictsOnly":false,"tombstones":false,"singleItem":false,
   "items":[{"sk":"INBOX","ct":"t123","v":["` + b64("blob123") + `","` + b64("blob'123") + `"]},{"sk":"Trash","ct":"t456","v":[null]}],
   "more":false,"nextStart":null},
  {"partitionKey":"mailbox:INBOX","prefix":null,"start":"001892831","end":null,"limit":3,"reverse":false,"conflictsOnly":false,"tombstones":false,"singleItem":false,
   "items":[{"sk":"001892831","ct":"t321","v":["` + b64("x") + `"]}],"more":true,"nextStart":"001892898"},
  {"partitionKey":"keys","items":[],"more":false,"nextStart":null},
  {"partitionKey":"p","items":[],"more":false,"nextStart":null}]`))
	}
	res, err := c.ReadBatch(context.Background(), []BatchReadOp{
		{PartitionKey: "mailboxes"},
		{PartitionKey: "mailbox:INBOX", Filter: Filter{Start: "001892831", Limit: 3}},
		{PartitionKey: "keys", Filter: Filter{Start: "0"}, SingleItem: true},
		{PartitionKey: "p", Filter: Filter{Prefix: "a", End: "b", Reverse: true}, ConflictsOnly: true, Tombstones: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []BatchReadResult{
		{Items: []Item{{SK: "INBOX", Token: "t123", Values: [][]byte{[]byte("blob123"), []byte("blob'123")}}, {SK: "Trash", Token: "t456", Values: [][]byte{nil}}}},
		{Items: []Item{{SK: "001892831", Token: "t321", Values: [][]byte{[]byte("x")}}}, More: true, NextStart: "001892898"},
		{Items: []Item{}},
		{Items: []Item{}},
	}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("got %+v\nwant %+v", res, want)
	}
}

func TestReadBatchCountMismatchIsAnError(t *testing.T) {
	f, c := newFake(t)
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) { w.Write([]byte(`[]`)) }
	if _, err := c.ReadBatch(context.Background(), []BatchReadOp{{PartitionKey: "p"}}); err == nil {
		t.Fatal("zero results for one search must be an error")
	}
}

func TestDeleteBatch(t *testing.T) {
	f, c := newFake(t)
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		wantRequest(t, r, "POST", "/my_bucket")
		wantQuery(t, r, map[string]string{"delete": ""})
		jsonEqual(t, body, `[{"partitionKey":"mailbox:OldMailbox"},{"partitionKey":"mailbox:INBOX","start":"0018928321","singleItem":true},
			{"partitionKey":"x","prefix":"p","start":"s","end":"e"}]`)
		w.Write([]byte(`[
  {"partitionKey":"mailbox:OldMailbox","prefix":null,"start":null,"end":null,"singleItem":false,"deletedItems":35},
  {"partitionKey":"mailbox:INBOX","prefix":null,"start":"0018928321","end":null,"singleItem":true,"deletedItems":1},
  {"partitionKey":"x","prefix":"p","start":"s","end":"e","singleItem":false,"deletedItems":0}]`))
	}
	counts, err := c.DeleteBatch(context.Background(), []BatchDeleteOp{
		{PartitionKey: "mailbox:OldMailbox"},
		{PartitionKey: "mailbox:INBOX", Start: "0018928321", SingleItem: true},
		{PartitionKey: "x", Prefix: "p", Start: "s", End: "e"},
	})
	if err != nil || !reflect.DeepEqual(counts, []int{35, 1, 0}) {
		t.Fatalf("counts %v err %v", counts, err)
	}
}

func TestPollRange(t *testing.T) {
	f, c := newFake(t)
	ctx := context.Background()
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		wantRequest(t, r, "POST", trickyPath)
		wantQuery(t, r, map[string]string{"poll_range": ""})
		jsonEqual(t, body, `{"prefix":"a/","timeout":300}`)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"items":[{"sk":"a/1","ct":"t1","v":["` + b64("one") + `"]},{"sk":"a/2","ct":"t2","v":[null]}],"seenMarker":"m1"}`))
	}
	items, marker, changed, err := c.PollRange(ctx, trickyPK, PollRangeFilter{Prefix: "a/"}, "", 0)
	if err != nil || !changed || marker != "m1" {
		t.Fatalf("first poll: %v %q %v", changed, marker, err)
	}
	want := []Item{{SK: "a/1", Token: "t1", Values: [][]byte{[]byte("one")}}, {SK: "a/2", Token: "t2", Values: [][]byte{nil}}}
	if !reflect.DeepEqual(items, want) {
		t.Fatalf("items %+v", items)
	}

	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) {
		jsonEqual(t, body, `{"start":"a","end":"b","seenMarker":"m1","timeout":10}`)
		w.WriteHeader(http.StatusNotModified)
	}
	_, marker, changed, err = c.PollRange(ctx, "pk", PollRangeFilter{Start: "a", End: "b"}, "m1", 10*time.Second)
	if err != nil || changed || marker != "" {
		t.Fatalf("304: %v %q %v", changed, marker, err)
	}
}

func TestNewChecksConfig(t *testing.T) {
	good := Config{Endpoint: "http://127.0.0.1:3904", AccessKeyID: "k", SecretAccessKey: "s", Bucket: "b"}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*Config){
		"no endpoint":    func(c *Config) { c.Endpoint = "" },
		"no scheme":      func(c *Config) { c.Endpoint = "127.0.0.1:3904" },
		"query":          func(c *Config) { c.Endpoint = "http://h/?x=1" },
		"no bucket":      func(c *Config) { c.Bucket = "" },
		"no key":         func(c *Config) { c.AccessKeyID = "" },
		"no secret":      func(c *Config) { c.SecretAccessKey = "" },
		"ftp endpoint":   func(c *Config) { c.Endpoint = "ftp://h" },
		"unparsable url": func(c *Config) { c.Endpoint = "http://[::1" },
	} {
		cfg := good
		mut(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// AWS_* variables must not change who signs or where requests go.
func TestIgnoresAWSEnvironment(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAWRONG")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	f, c := newFake(t) // checkSignature requires testKeyID, region garage
	f.handler = func(w http.ResponseWriter, r *http.Request, body []byte) { w.WriteHeader(http.StatusNoContent) }
	if err := c.InsertItem(context.Background(), "pk", "sk", []byte("v"), ""); err != nil {
		t.Fatal(err)
	}
	if f.calls != 1 {
		t.Fatalf("%d calls reached the configured endpoint", f.calls)
	}
}

// A region other than the default is the one signed.
func TestRegionIsSigned(t *testing.T) {
	var scope string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := checkSignature(r, body, testKeyID, testSecret, "eu-west-7"); err != nil {
			t.Error(err)
		}
		scope = r.Header.Get("Authorization")
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, err := New(Config{Endpoint: srv.URL + "/", Region: "eu-west-7", AccessKeyID: testKeyID, SecretAccessKey: testSecret, Bucket: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.InsertItem(context.Background(), "pk", "sk", nil, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(scope, "/eu-west-7/k2v/aws4_request") {
		t.Errorf("authorization %q", scope)
	}
}

// The signature must be able to fail: a wrong secret is caught by the
// checker every other test relies on.
func TestSignatureCheckerCatchesAWrongSecret(t *testing.T) {
	var err error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err = checkSignature(r, body, testKeyID, testSecret, testRegion)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, _ := New(Config{Endpoint: srv.URL, AccessKeyID: testKeyID, SecretAccessKey: "not the secret", Bucket: "b"})
	c.InsertItem(context.Background(), trickyPK, trickySK, []byte("v"), "")
	if err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("checker said %v for a wrong secret", err)
	}
}

// The checker's canonical URI is Garage's for K2V: the escaped path
// escaped again, slashes kept.
func TestCanonicalPathEncodesTwice(t *testing.T) {
	if got, want := canonicalPath(trickyPath), "/my_bucket/mail%252Fbox%253A%2520INBOX%252B%25C3%25A9%2525"; got != want {
		t.Fatalf("canonical %s, want %s", got, want)
	}
}
