package s3xml

import (
	"reflect"
	"testing"
)

// fuzzParser checks the properties every request parser keeps on any
// input: no panic, every error an *s3err.Error, and whatever parses reads
// back equal once marshalled.
func fuzzParser[T any](t *testing.T, parse func([]byte) (T, error), body []byte) {
	v, err := parse(body)
	if err != nil {
		mustBeS3Error(t, err)
		return
	}
	out := Marshal(v)
	back, err := parse(out)
	if err != nil {
		t.Fatalf("re-parsing %s: %v", out, err)
	}
	if !reflect.DeepEqual(v, back) {
		t.Fatalf("round trip changed the value:\n%+v\n%+v\nvia %s", v, back, out)
	}
}

func FuzzParseDelete(f *testing.F) {
	f.Add([]byte(`<Delete><Object><Key>a</Key></Object></Delete>`))
	f.Add([]byte(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key>a&amp;b</Key><VersionId>v1</VersionId></Object><Object><Key> c </Key></Object></Delete>`))
	f.Add([]byte(`<Delete><Object><Key><![CDATA[x<y]]></Key></Object></Delete>`))
	f.Add([]byte(`<Delete><Object><Key>a</Key><ETag>"e"</ETag><LastModifiedTime>2026-01-02T03:04:05Z</LastModifiedTime><Size>7</Size></Object></Delete>`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzParser(t, ParseDelete, body) })
}

func FuzzParseCompleteMultipart(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e1"</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part><Part><PartNumber>3</PartNumber><ETag>e3</ETag><ChecksumCRC64NVME>x</ChecksumCRC64NVME></Part></CompleteMultipartUpload>`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzParser(t, ParseCompleteMultipart, body) })
}

func FuzzParseCreateBucket(f *testing.F) {
	f.Add([]byte(``))
	f.Add([]byte(`<CreateBucketConfiguration><LocationConstraint>garage</LocationConstraint></CreateBucketConfiguration>`))
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzParser(t, ParseCreateBucket, body) })
}
