package webapi

import (
	"net/http"
	"testing"

	"github.com/garagego/garage/node/s3/bucketcfg"
)

func TestAuthorityToHost(t *testing.T) {
	for in, want := range map[string]string{
		"[::1]:3902":          "[::1]",
		"[::1]":               "[::1]",
		"Garage.TLD:65200":    "garage.tld",
		"garage.tld":          "garage.tld",
		"127.0.0.1:80":        "127.0.0.1",
		"site.web.localhost":  "site.web.localhost",
		"site.web.localhost:": "site.web.localhost",
	} {
		got, err := authorityToHost(in)
		if err != nil || got != want {
			t.Errorf("authorityToHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "[", "[hello", "[::1]x"} {
		if got, err := authorityToHost(bad); err == nil {
			t.Errorf("authorityToHost(%q) = %q, want an error", bad, got)
		}
	}
}

func TestHostBucket(t *testing.T) {
	for _, tc := range []struct{ host, root, want string }{
		{"john.doe.garage.tld", ".garage.tld", "john.doe"},
		{"john.doe.garage.tld", "garage.tld", "john.doe"},
		{"site.web.localhost", ".web.localhost", "site"},
		{"site.web.localhost", ".WEB.localhost", "site"},
		// Outside the root domain, the whole host is the bucket's name.
		{"john.doe.com", ".garage.tld", "john.doe.com"},
		{"garage.tld", ".garage.tld", "garage.tld"},
		{"not-garage.tld", "garage.tld", "not-garage.tld"},
		{"example.com", "", "example.com"},
	} {
		if got := hostBucket(tc.host, tc.root); got != tc.want {
			t.Errorf("hostBucket(%q, %q) = %q, want %q", tc.host, tc.root, got, tc.want)
		}
	}
}

func TestObjectKey(t *testing.T) {
	for _, tc := range []struct{ path, key string }{
		{"/", "index.html"},
		{"/docs/", "docs/index.html"},
		{"/a b/", "a b/index.html"},
		{"/docs", "docs"},
		{"/file.jpg", "file.jpg"},
	} {
		base, err := requestKey(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := objectKey(base, "index.html"); got != tc.key {
			t.Errorf("%q: key %q, want %q", tc.path, got, tc.key)
		}
	}
	if _, err := requestKey("relative"); err == nil {
		t.Error("a path without its leading slash must be refused")
	}
	if got := directoryRedirect("a b"); got.location != "/a%20b/" || got.code != http.StatusFound {
		t.Errorf("directory redirect = %+v", got)
	}
}

func str(s string) *string { return &s }

func TestRoutingRules(t *testing.T) {
	rules := []bucketcfg.RoutingRule{
		{Condition: bucketcfg.RoutingCondition{KeyPrefixEquals: "docs/"},
			Redirect: bucketcfg.Redirect{ReplaceKeyPrefixWith: str("documents/")}},
		{Condition: bucketcfg.RoutingCondition{KeyPrefixEquals: "old/", HTTPErrorCodeReturnedEquals: "404"},
			Redirect: bucketcfg.Redirect{HostName: "archive.example.com", Protocol: "https", HTTPRedirectCode: "307"}},
		{Condition: bucketcfg.RoutingCondition{HTTPErrorCodeReturnedEquals: "404"},
			Redirect: bucketcfg.Redirect{ReplaceKeyWith: str("missing.html"), HTTPRedirectCode: "302"}},
		{Condition: bucketcfg.RoutingCondition{KeyPrefixEquals: "gone"},
			Redirect: bucketcfg.Redirect{ReplaceKeyPrefixWith: str("")}},
		{Condition: bucketcfg.RoutingCondition{KeyPrefixEquals: "secure/"},
			Redirect: bucketcfg.Redirect{Protocol: "https"}},
	}
	o := origin{proto: "http", host: "site.web.localhost:3902"}
	for _, tc := range []struct {
		base   string
		status int // 0: before the read
		match  bool
		loc    string
		code   int
	}{
		{"docs/a b.html", 0, true, "/documents/a%20b.html", 301},
		{"docs/", 0, true, "/documents/", 301},
		{"doc", 0, false, "", 0},
		// Error-code rules wait for the error; the first matching wins.
		{"old/page.html", 0, false, "", 0},
		{"old/page.html", 404, true, "https://archive.example.com/old/page.html", 307},
		{"other.html", 404, true, "/missing.html", 302},
		{"other.html", 403, false, "", 0},
		{"gone/x", 0, true, "http://site.web.localhost:3902//x", 301},
		{"gonex", 0, true, "/x", 301},
		{"secure/x", 0, true, "https://site.web.localhost:3902/secure/x", 301},
	} {
		rule, ok := matchRule(rules, tc.base, tc.status)
		if ok != tc.match {
			t.Errorf("%q (status %d): matched %v, want %v", tc.base, tc.status, ok, tc.match)
			continue
		}
		if !ok {
			continue
		}
		if got := redirectFor(rule, tc.base, o); got.location != tc.loc || got.code != tc.code {
			t.Errorf("%q (status %d): redirect %+v, want %s %d", tc.base, tc.status, got, tc.loc, tc.code)
		}
	}
	ra := redirectAll(&bucketcfg.RedirectAll{HostName: "www.example.com"}, "/a/b?c=d", o)
	if ra.location != "http://www.example.com/a/b?c=d" || ra.code != http.StatusMovedPermanently {
		t.Errorf("redirect all = %+v", ra)
	}
	ra = redirectAll(&bucketcfg.RedirectAll{HostName: "www.example.com", Protocol: "https"}, "/", o)
	if ra.location != "https://www.example.com/" {
		t.Errorf("redirect all with https = %+v", ra)
	}
}
