package bucketcfg

import (
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/wire"
)

const corsExample = `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <CORSRule>
    <ID>uploads</ID>
    <AllowedOrigin>https://*.example.com</AllowedOrigin>
    <AllowedOrigin>http://localhost:3000</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedHeader>Content-Type</AllowedHeader>
    <AllowedHeader>x-amz-*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
  </CORSRule>
</CORSConfiguration>`

var corsExampleValue = CORS{Rules: []Rule{
	{
		ID:             "uploads",
		AllowedOrigins: []string{"https://*.example.com", "http://localhost:3000"},
		AllowedMethods: []string{"PUT", "POST"},
		AllowedHeaders: []string{"Content-Type", "x-amz-*"},
		ExposeHeaders:  []string{"ETag"},
		MaxAgeSeconds:  ptr(3000),
	},
	{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "HEAD"}},
}}

func TestParseCORS(t *testing.T) {
	c, err := ParseCORS([]byte(corsExample))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, corsExampleValue) {
		t.Fatalf("got %#v", c)
	}
	bare := strings.Replace(corsExample, ` xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`, "", 1)
	if c2, err := ParseCORS([]byte(bare)); err != nil || !reflect.DeepEqual(c2, c) {
		t.Fatalf("without namespace: %#v, %v", c2, err)
	}
	roundTrip(t, c, ParseCORS, DecodeCORS)
}

func TestCORSXML(t *testing.T) {
	want := `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<CORSRule><ID>uploads</ID><AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedOrigin>http://localhost:3000</AllowedOrigin>` +
		`<AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedHeader>Content-Type</AllowedHeader>` +
		`<AllowedHeader>x-amz-*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>` +
		`<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod></CORSRule>` +
		`</CORSConfiguration>`
	if got := stripHeader(corsExampleValue.XML()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func corsRules(n int) string {
	var b strings.Builder
	b.WriteString("<CORSConfiguration>")
	for i := range n {
		fmt.Fprintf(&b, "<CORSRule><AllowedOrigin>https://%d.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>", i)
	}
	b.WriteString("</CORSConfiguration>")
	return b.String()
}

func TestParseCORSRefusals(t *testing.T) {
	rule := func(inner string) string {
		return "<CORSConfiguration><CORSRule>" + inner + "</CORSRule></CORSConfiguration>"
	}
	const ok = "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
	for _, c := range []struct {
		name, body string
		code       s3err.Code
		mention    string
	}{
		{"no rule", "<CORSConfiguration></CORSConfiguration>", s3err.MalformedXML, "CORSRule"},
		{"101 rules", corsRules(MaxCORSRules + 1), s3err.InvalidRequest, "100"},
		{"no origin", rule("<AllowedMethod>GET</AllowedMethod>"), s3err.MalformedXML, "AllowedOrigin"},
		{"no method", rule("<AllowedOrigin>*</AllowedOrigin>"), s3err.MalformedXML, "AllowedMethod"},
		{"bad method", rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>"), s3err.InvalidRequest, "PATCH"},
		{"lowercase method", rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>get</AllowedMethod>"), s3err.InvalidRequest, "get"},
		{"two origin wildcards", rule("<AllowedOrigin>https://*.*.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"), s3err.InvalidRequest, "wildcard"},
		{"empty origin", rule("<AllowedOrigin> </AllowedOrigin><AllowedMethod>GET</AllowedMethod>"), s3err.InvalidRequest, "AllowedOrigin"},
		{"two header wildcards", rule(ok + "<AllowedHeader>*-*</AllowedHeader>"), s3err.InvalidRequest, "wildcard"},
		{"expose wildcard", rule(ok + "<ExposeHeader>x-amz-*</ExposeHeader>"), s3err.InvalidRequest, "ExposeHeader"},
		{"negative max age", rule(ok + "<MaxAgeSeconds>-1</MaxAgeSeconds>"), s3err.InvalidArgument, "MaxAgeSeconds"},
		{"huge max age", rule(ok + "<MaxAgeSeconds>99999999999</MaxAgeSeconds>"), s3err.MalformedXML, ""},
		{"long ID", rule(ok + "<ID>" + strings.Repeat("i", 256) + "</ID>"), s3err.InvalidArgument, "ID"},
		{"unknown element", rule(ok + "<AllowedHost>x</AllowedHost>"), s3err.MalformedXML, "AllowedHost"},
		{"unknown top element", "<CORSConfiguration><Rule/></CORSConfiguration>", s3err.MalformedXML, "Rule"},
		{"wrong root", "<CORS><CORSRule>" + ok + "</CORSRule></CORS>", s3err.MalformedXML, ""},
		{"too large", "<CORSConfiguration>" + strings.Repeat(" ", MaxConfigSize) + "</CORSConfiguration>", s3err.EntityTooLarge, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCORS([]byte(c.body))
			wantCode(t, err, c.code, c.mention)
		})
	}
	if _, err := ParseCORS([]byte(corsRules(MaxCORSRules))); err != nil {
		t.Fatalf("100 rules: %v", err)
	}
	if _, err := ParseCORS([]byte(rule(ok + "<ID>" + strings.Repeat("i", 255) + "</ID>"))); err != nil {
		t.Fatalf("255-character ID: %v", err)
	}
}

func TestCORSMatch(t *testing.T) {
	c := corsExampleValue
	for _, m := range []struct {
		origin, method string
		headers        []string
		wantRule       int // -1: no match
	}{
		{"https://a.example.com", "PUT", nil, 0},
		{"https://a.b.example.com", "POST", []string{"content-type", "X-Amz-Date"}, 0},
		{"https://a.example.com", "PUT", []string{"Content-Type, x-amz-meta-colour"}, 0},
		{"http://localhost:3000", "PUT", nil, 0},
		{"https://example.org", "GET", nil, 1},
		{"https://example.org", "PUT", nil, -1},
		{"https://a.example.com", "GET", nil, 1},                        // the first rule does not allow GET
		{"https://a.example.com", "PUT", []string{"Authorization"}, -1}, // a header no rule allows
		{"https://a.example.com", "DELETE", nil, -1},
		{"", "GET", nil, -1},
	} {
		r, ok := c.Match(m.origin, m.method, m.headers)
		switch {
		case m.wantRule < 0 && ok:
			t.Errorf("%s %s %v matched %#v", m.method, m.origin, m.headers, r)
		case m.wantRule >= 0 && (!ok || !reflect.DeepEqual(r, c.Rules[m.wantRule])):
			t.Errorf("%s %s %v: got %#v, %v; want rule %d", m.method, m.origin, m.headers, r, ok, m.wantRule)
		}
	}
}

func TestWildcardOrigin(t *testing.T) {
	c := CORS{Rules: []Rule{{AllowedOrigins: []string{"https://*.example.com"}, AllowedMethods: []string{"GET"}}}}
	for origin, want := range map[string]bool{
		"https://a.example.com":     true,
		"https://x.y.example.com":   true,
		"https://example.org":       false,
		"https://example.com":       false, // the wildcard sits between "https://" and ".example.com"
		"http://a.example.com":      false,
		"https://a.example.com.org": false,
	} {
		if _, ok := c.Match(origin, "GET", nil); ok != want {
			t.Errorf("%s: match %v, want %v", origin, ok, want)
		}
	}
}

func TestCORSResponseHeaders(t *testing.T) {
	r := corsExampleValue.Rules[0]
	got := r.ResponseHeaders("https://a.example.com", true, []string{"content-type, x-amz-date", "authorization"})
	want := map[string]string{
		"Access-Control-Allow-Origin":      "https://a.example.com",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "PUT, POST",
		"Access-Control-Allow-Headers":     "content-type, x-amz-date",
		"Access-Control-Expose-Headers":    "ETag",
		"Access-Control-Max-Age":           "3000",
		"Vary":                             "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
	}
	if !maps.Equal(got, want) {
		t.Fatalf("preflight:\n got %v\nwant %v", got, want)
	}

	got = corsExampleValue.Rules[1].ResponseHeaders("https://example.org", false, nil)
	want = map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "GET, HEAD",
		"Vary":                         "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
	}
	if !maps.Equal(got, want) {
		t.Fatalf("actual request:\n got %v\nwant %v", got, want)
	}
}

func TestDecodeCORSRefusals(t *testing.T) {
	e := wire.NewEncoder(nil)
	corsExampleValue.Encode(e)
	mustNotDecode(t, e.Bytes(), DecodeCORS)

	future := append([]byte{formatVersion + 1}, e.Bytes()[1:]...)
	if d := wire.NewDecoder(future); DecodeCORS(d).Rules != nil || d.Finish() == nil {
		t.Error("an unknown format version decoded")
	}

	// Values that ParseCORS would refuse are refused from storage too.
	for name, c := range map[string]CORS{
		"no rules":      {},
		"bad method":    {Rules: []Rule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"TRACE"}}}},
		"two wildcards": {Rules: []Rule{{AllowedOrigins: []string{"**"}, AllowedMethods: []string{"GET"}}}},
		"negative age":  {Rules: []Rule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, MaxAgeSeconds: ptr(-5)}}},
	} {
		e := wire.NewEncoder(nil)
		c.Encode(e)
		d := wire.NewDecoder(e.Bytes())
		if got := DecodeCORS(d); d.Finish() == nil {
			t.Errorf("%s: decoded %#v", name, got)
		}
	}
}
