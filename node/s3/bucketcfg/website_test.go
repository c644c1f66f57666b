package bucketcfg

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/wire"
)

const websiteExample = `<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <IndexDocument><Suffix>index.html</Suffix></IndexDocument>
  <ErrorDocument><Key>errors/404.html</Key></ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition>
      <Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect>
    </RoutingRule>
    <RoutingRule>
      <Condition><KeyPrefixEquals>old/</KeyPrefixEquals></Condition>
      <Redirect><ReplaceKeyPrefixWith></ReplaceKeyPrefixWith></Redirect>
    </RoutingRule>
    <RoutingRule>
      <Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>
      <Redirect>
        <Protocol>https</Protocol>
        <HostName>errors.example.com</HostName>
        <HttpRedirectCode>302</HttpRedirectCode>
        <ReplaceKeyWith>missing.html</ReplaceKeyWith>
      </Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>`

var websiteExampleValue = Website{
	IndexDocument: "index.html",
	ErrorDocument: "errors/404.html",
	RoutingRules: []RoutingRule{
		{Condition: RoutingCondition{KeyPrefixEquals: "docs/"}, Redirect: Redirect{ReplaceKeyPrefixWith: ptr("documents/")}},
		{Condition: RoutingCondition{KeyPrefixEquals: "old/"}, Redirect: Redirect{ReplaceKeyPrefixWith: ptr("")}},
		{
			Condition: RoutingCondition{HTTPErrorCodeReturnedEquals: "404"},
			Redirect:  Redirect{HostName: "errors.example.com", HTTPRedirectCode: "302", Protocol: "https", ReplaceKeyWith: ptr("missing.html")},
		},
	},
}

func TestParseWebsite(t *testing.T) {
	w, err := ParseWebsite([]byte(websiteExample))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w, websiteExampleValue) {
		t.Fatalf("got %#v", w)
	}
	roundTrip(t, w, ParseWebsite, DecodeWebsite)

	w, err = ParseWebsite([]byte(`<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>`))
	if err != nil || !reflect.DeepEqual(w, Website{IndexDocument: "index.html"}) {
		t.Fatalf("index only: %#v, %v", w, err)
	}
	roundTrip(t, w, ParseWebsite, DecodeWebsite)

	w, err = ParseWebsite([]byte(`<WebsiteConfiguration><RedirectAllRequestsTo><HostName>www.example.com</HostName><Protocol>https</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>`))
	if err != nil || !reflect.DeepEqual(w, Website{RedirectAllRequestsTo: &RedirectAll{HostName: "www.example.com", Protocol: "https"}}) {
		t.Fatalf("redirect all: %#v, %v", w, err)
	}
	roundTrip(t, w, ParseWebsite, DecodeWebsite)
}

func TestWebsiteXML(t *testing.T) {
	want := `<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>errors/404.html</Key></ErrorDocument>` +
		`<RoutingRules>` +
		`<RoutingRule><Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect></RoutingRule>` +
		`<RoutingRule><Condition><KeyPrefixEquals>old/</KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith></ReplaceKeyPrefixWith></Redirect></RoutingRule>` +
		`<RoutingRule><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>` +
		`<Redirect><HostName>errors.example.com</HostName><HttpRedirectCode>302</HttpRedirectCode><Protocol>https</Protocol><ReplaceKeyWith>missing.html</ReplaceKeyWith></Redirect></RoutingRule>` +
		`</RoutingRules></WebsiteConfiguration>`
	if got := stripHeader(websiteExampleValue.XML()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	want = `<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><RedirectAllRequestsTo><HostName>example.com</HostName></RedirectAllRequestsTo></WebsiteConfiguration>`
	if got := stripHeader(Website{RedirectAllRequestsTo: &RedirectAll{HostName: "example.com"}}.XML()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func routingRules(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "<RoutingRule><Condition><KeyPrefixEquals>p%d/</KeyPrefixEquals></Condition><Redirect><HostName>h</HostName></Redirect></RoutingRule>", i)
	}
	return b.String()
}

func TestParseWebsiteRefusals(t *testing.T) {
	doc := func(inner string) string { return "<WebsiteConfiguration>" + inner + "</WebsiteConfiguration>" }
	const index = "<IndexDocument><Suffix>index.html</Suffix></IndexDocument>"
	rules := func(inner string) string { return doc(index + "<RoutingRules>" + inner + "</RoutingRules>") }
	for _, c := range []struct {
		name, body string
		code       s3err.Code
		mention    string
	}{
		{"nothing", doc(""), s3err.InvalidArgument, "IndexDocument"},
		{"error document only", doc("<ErrorDocument><Key>e.html</Key></ErrorDocument>"), s3err.InvalidArgument, "IndexDocument"},
		{"empty suffix", doc("<IndexDocument><Suffix></Suffix></IndexDocument>"), s3err.InvalidArgument, "Suffix"},
		{"slash in suffix", doc("<IndexDocument><Suffix>a/index.html</Suffix></IndexDocument>"), s3err.InvalidArgument, "Suffix"},
		{"empty error key", doc(index + "<ErrorDocument><Key></Key></ErrorDocument>"), s3err.InvalidArgument, "ErrorDocument"},
		{"redirect all and index", doc(index + "<RedirectAllRequestsTo><HostName>h</HostName></RedirectAllRequestsTo>"), s3err.InvalidArgument, "RedirectAllRequestsTo"},
		{"redirect all without host", doc("<RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo>"), s3err.InvalidArgument, "HostName"},
		{"redirect all bad protocol", doc("<RedirectAllRequestsTo><HostName>h</HostName><Protocol>ftp</Protocol></RedirectAllRequestsTo>"), s3err.InvalidArgument, "protocol"},
		{"51 rules", rules(routingRules(MaxRoutingRules + 1)), s3err.InvalidArgument, "50"},
		{"no redirect", rules("<RoutingRule><Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition></RoutingRule>"), s3err.MalformedXML, "Redirect"},
		{"empty redirect", rules("<RoutingRule><Redirect></Redirect></RoutingRule>"), s3err.InvalidArgument, "Redirect"},
		{"empty condition", rules("<RoutingRule><Condition></Condition><Redirect><HostName>h</HostName></Redirect></RoutingRule>"), s3err.InvalidArgument, "Condition"},
		{"both replacements", rules("<RoutingRule><Redirect><ReplaceKeyWith>a</ReplaceKeyWith><ReplaceKeyPrefixWith>b</ReplaceKeyPrefixWith></Redirect></RoutingRule>"), s3err.InvalidArgument, "ReplaceKey"},
		{"redirect code 300", rules("<RoutingRule><Redirect><HttpRedirectCode>300</HttpRedirectCode></Redirect></RoutingRule>"), s3err.InvalidArgument, "300"},
		{"redirect code 200", rules("<RoutingRule><Redirect><HttpRedirectCode>200</HttpRedirectCode></Redirect></RoutingRule>"), s3err.InvalidArgument, "200"},
		{"error code 302", rules("<RoutingRule><Condition><HttpErrorCodeReturnedEquals>302</HttpErrorCodeReturnedEquals></Condition><Redirect><HostName>h</HostName></Redirect></RoutingRule>"), s3err.InvalidArgument, "302"},
		{"redirect bad protocol", rules("<RoutingRule><Redirect><Protocol>gopher</Protocol></Redirect></RoutingRule>"), s3err.InvalidArgument, "gopher"},
		{"unknown element", doc(index + "<IndexDocuments/>"), s3err.MalformedXML, "IndexDocuments"},
		{"unknown redirect element", rules("<RoutingRule><Redirect><Host>h</Host></Redirect></RoutingRule>"), s3err.MalformedXML, "Host"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseWebsite([]byte(c.body))
			wantCode(t, err, c.code, c.mention)
		})
	}
	if _, err := ParseWebsite([]byte(rules(routingRules(MaxRoutingRules)))); err != nil {
		t.Fatalf("50 rules: %v", err)
	}
}

func TestDecodeWebsiteRefusals(t *testing.T) {
	e := wire.NewEncoder(nil)
	websiteExampleValue.Encode(e)
	mustNotDecode(t, e.Bytes(), DecodeWebsite)

	for name, w := range map[string]Website{
		"empty":          {},
		"slash suffix":   {IndexDocument: "a/b"},
		"redirect mixed": {IndexDocument: "i", RedirectAllRequestsTo: &RedirectAll{HostName: "h"}},
	} {
		e := wire.NewEncoder(nil)
		w.Encode(e)
		d := wire.NewDecoder(e.Bytes())
		if got := DecodeWebsite(d); d.Finish() == nil {
			t.Errorf("%s: decoded %#v", name, got)
		}
	}
}
