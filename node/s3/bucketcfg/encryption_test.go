package bucketcfg

import (
	"strings"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/wire"
)

func TestParseEncryption(t *testing.T) {
	doc := `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>
<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>
<BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`
	c, err := ParseEncryption([]byte(doc))
	if err != nil || !c.BucketKeyEnabled {
		t.Fatalf("parse: %+v, %v", c, err)
	}
	e := wire.NewEncoder(nil)
	c.Encode(e)
	d := wire.NewDecoder(e.Bytes())
	if back := DecodeEncryption(d); d.Finish() != nil || back != c {
		t.Fatalf("does not round-trip: %+v, %v", back, d.Err())
	}
	if x := string(c.XML()); !strings.Contains(x, "<SSEAlgorithm>AES256</SSEAlgorithm>") || !strings.Contains(x, "<BucketKeyEnabled>true</BucketKeyEnabled>") {
		t.Fatalf("XML: %s", x)
	}
	if back, err := ParseEncryption(c.XML()); err != nil || back != c {
		t.Fatalf("the answer does not parse back: %+v, %v", back, err)
	}
}

func TestParseEncryptionRefuses(t *testing.T) {
	rule := func(inner string) string {
		return `<ServerSideEncryptionConfiguration><Rule>` + inner + `</Rule></ServerSideEncryptionConfiguration>`
	}
	def := func(algo string) string {
		return `<ApplyServerSideEncryptionByDefault><SSEAlgorithm>` + algo + `</SSEAlgorithm></ApplyServerSideEncryptionByDefault>`
	}
	for name, c := range map[string]struct {
		doc  string
		code s3err.Code
	}{
		"kms":           {rule(def("aws:kms")), s3err.NotImplemented},
		"dsse":          {rule(def("aws:kms:dsse")), s3err.NotImplemented},
		"unknown":       {rule(def("AES128")), s3err.InvalidArgument},
		"kms key id":    {rule(`<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>`), s3err.InvalidArgument},
		"no default":    {rule(`<BucketKeyEnabled>true</BucketKeyEnabled>`), s3err.MalformedXML},
		"no rule":       {`<ServerSideEncryptionConfiguration></ServerSideEncryptionConfiguration>`, s3err.MalformedXML},
		"two rules":     {`<ServerSideEncryptionConfiguration><Rule>` + def("AES256") + `</Rule><Rule>` + def("AES256") + `</Rule></ServerSideEncryptionConfiguration>`, s3err.MalformedXML},
		"unknown field": {rule(def("AES256") + `<Foo/>`), s3err.MalformedXML},
		"blocks SSE-C":  {rule(def("AES256") + `<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>`), s3err.NotImplemented},
		"not XML":       {`{"json": true}`, s3err.MalformedXML},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseEncryption([]byte(c.doc))
			e, ok := s3err.As(err)
			if !ok || e.Code != c.code {
				t.Fatalf("want %s, got %v", c.code, err)
			}
		})
	}
	if _, err := ParseEncryption([]byte(rule(def("AES256") + `<BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes>`))); err != nil {
		t.Fatalf("blocking NONE is blocking nothing: %v", err)
	}
}

func FuzzParseEncryption(f *testing.F) {
	f.Add([]byte(`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzConfig(t, body, ParseEncryption, DecodeEncryption)
		fuzzDecode(t, body, DecodeEncryption)
	})
}
