package k2v_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/garagego/garage/client/k2v"
)

// Two writers that did not see each other's value leave siblings; a
// reader merges them and writes the merge back with the token of its
// read, which supersedes both.
func Example() {
	srv := httptest.NewServer(newToyK2V())
	defer srv.Close()

	ctx := context.Background()
	c, err := k2v.New(k2v.Config{
		Endpoint:        srv.URL, // a Garage node's K2V API, e.g. http://127.0.0.1:3904
		AccessKeyID:     "GK31c2f218a2e44f485b94239e",
		SecretAccessKey: "b892c0665f0ada8a4755dae98baa3b133590e11dae3bcc1f9d769d67f16c3835",
		Bucket:          "shopping",
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Two writes without a token: neither knew of the other.
	c.InsertItem(ctx, "list:groceries", "milk", []byte("2 bottles"), "")
	c.InsertItem(ctx, "list:groceries", "milk", []byte("1 bottle, oat"), "")

	values, token, _ := c.ReadItem(ctx, "list:groceries", "milk")
	fmt.Printf("%d siblings: %q\n", len(values), values)

	// Merge them (here: keep every distinct wish) and write with the token.
	var wishes []string
	for _, v := range values {
		wishes = append(wishes, string(v))
	}
	sort.Strings(wishes)
	c.InsertItem(ctx, "list:groceries", "milk", []byte(strings.Join(wishes, " + ")), token)

	values, _, _ = c.ReadItem(ctx, "list:groceries", "milk")
	fmt.Printf("%d value: %q\n", len(values), values)

	_, _, err = c.ReadItem(ctx, "list:groceries", "bread")
	fmt.Println(err == k2v.ErrNotFound)
	// Output:
	// 2 siblings: ["2 bottles" "1 bottle, oat"]
	// 1 value: ["1 bottle, oat + 2 bottles"]
	// true
}

// toyK2V is a single-node stand-in for ReadItem and InsertItem, enough for
// the example: each value gets a sequence number, a token is the highest
// number a read saw, and a write with a token drops the values it covers.
type toyK2V struct {
	mu    sync.Mutex
	seq   int
	items map[string][]toyValue
}

type toyValue struct {
	seq int
	v   []byte
}

func newToyK2V() *toyK2V { return &toyK2V{items: map[string][]toyValue{}} }

func (s *toyK2V) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := r.URL.Path + "\x00" + r.URL.Query().Get("sort_key")
	switch r.Method {
	case http.MethodGet:
		vals := s.items[key]
		if len(vals) == 0 {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"code":"NoSuchKey","message":"Key not found","region":"garage","path":"`+r.URL.Path+`"}`)
			return
		}
		w.Header().Set(k2v.CausalityTokenHeader, strconv.Itoa(vals[len(vals)-1].seq))
		w.Header().Set("Content-Type", "application/json")
		var parts []string
		for _, v := range vals {
			parts = append(parts, strconv.Quote(b64(v.v)))
		}
		io.WriteString(w, "["+strings.Join(parts, ",")+"]")
	case http.MethodPut:
		body, _ := io.ReadAll(r.Body)
		if t := r.Header.Get(k2v.CausalityTokenHeader); t != "" {
			seen, _ := strconv.Atoi(t)
			kept := s.items[key][:0]
			for _, v := range s.items[key] {
				if v.seq > seen {
					kept = append(kept, v)
				}
			}
			s.items[key] = kept
		}
		s.seq++
		s.items[key] = append(s.items[key], toyValue{s.seq, body})
		w.WriteHeader(http.StatusNoContent)
	}
}

func b64(v []byte) string { return base64.StdEncoding.EncodeToString(v) }
