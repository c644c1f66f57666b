package s3err

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
)

func TestEveryCodeHasAClientOrServerStatus(t *testing.T) {
	for code, status := range statuses {
		if status < 300 || status > 599 {
			t.Errorf("%s: status %d", code, status)
		}
		if code != InternalError && code != ServiceUnavailable && code != NotImplemented && status >= 500 {
			t.Errorf("%s is a client's mistake but answers %d", code, status)
		}
	}
	if Code("NoSuchThing").Status() != 500 {
		t.Error("an unknown code must be an internal error")
	}
}

func TestXMLDocument(t *testing.T) {
	e := New(NoSuchKey, "The key %q does not exist.", "a<b")
	doc := string(e.XML("/bucket/a<b", "REQ1"))
	if !strings.HasPrefix(doc, xml.Header) {
		t.Fatalf("no XML header: %s", doc)
	}
	var parsed struct {
		Code      string
		Message   string
		Resource  string
		RequestID string `xml:"RequestId"`
	}
	if err := xml.Unmarshal([]byte(doc), &parsed); err != nil {
		t.Fatal(err)
	}
	if parsed.Code != "NoSuchKey" || parsed.Message != `The key "a<b" does not exist.` || parsed.Resource != "/bucket/a<b" || parsed.RequestID != "REQ1" {
		t.Fatalf("parsed %+v from %s", parsed, doc)
	}
	if e.Status() != 404 {
		t.Fatalf("status %d", e.Status())
	}
	wrapped := fmt.Errorf("context: %w", e)
	if got, ok := As(wrapped); !ok || got != e {
		t.Fatal("As does not unwrap")
	}
}

func TestXMLDetails(t *testing.T) {
	e := New(SignatureDoesNotMatch, "mismatch").With("StringToSign", "GET\n\n\n1175139620\n/b/k<").With("SignatureProvided", "abc=")
	doc := string(e.XML("/b/k", "REQ2"))
	var parsed struct {
		Code              string
		StringToSign      string
		SignatureProvided string
		RequestID         string `xml:"RequestId"`
	}
	if err := xml.Unmarshal([]byte(doc), &parsed); err != nil {
		t.Fatal(err)
	}
	if parsed.Code != "SignatureDoesNotMatch" || parsed.StringToSign != "GET\n\n\n1175139620\n/b/k<" || parsed.SignatureProvided != "abc=" || parsed.RequestID != "REQ2" {
		t.Fatalf("parsed %+v from %s", parsed, doc)
	}
	if i, j := strings.Index(doc, "<Message>"), strings.Index(doc, "<StringToSign>"); i < 0 || j < i {
		t.Fatalf("details must follow the message: %s", doc)
	}
}
