package s3xml

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

func TestParseCreateBucket(t *testing.T) {
	for _, body := range []string{"", "  \n\t"} {
		c, err := ParseCreateBucket([]byte(body))
		if err != nil || c != (CreateBucketConfiguration{}) {
			t.Fatalf("%q: %+v, %v", body, c, err)
		}
	}
	c, err := ParseCreateBucket([]byte(`<CreateBucketConfiguration><LocationConstraint> eu-west-1 </LocationConstraint></CreateBucketConfiguration>`))
	if err != nil || c.LocationConstraint != "eu-west-1" {
		t.Fatalf("%+v, %v", c, err)
	}
	if err := c.CheckRegion("eu-west-1"); err != nil {
		t.Fatal(err)
	}
	if err := (CreateBucketConfiguration{}).CheckRegion("garage"); err != nil {
		t.Fatal("no constraint must mean the server's region:", err)
	}
	for _, tc := range []struct {
		lc, region string
		want       s3err.Code // "" accepted
	}{
		{"garage", "garage", ""},
		{"eu-west-1", "garage", s3err.IllegalLocationConstraintExcept}, // AWS's region, not this one
		{"us-east-1", "garage", s3err.IllegalLocationConstraintExcept},
		{"us-west-2", "eu-west-1", s3err.IllegalLocationConstraintExcept},
		{"EU", "eu-west-1", ""},
		{"EU", "garage", s3err.IllegalLocationConstraintExcept},
		{"garage2", "garage", s3err.InvalidLocationConstraint}, // no region at all
		{"Garage", "garage", s3err.InvalidLocationConstraint},
		{"us-east-1", "us-east-1", s3err.InvalidLocationConstraint}, // AWS's own quirk
		{"eu-west-1", "us-east-1", s3err.IllegalLocationConstraintExcept},
	} {
		err := CreateBucketConfiguration{LocationConstraint: tc.lc}.CheckRegion(tc.region)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%q in %q: %v", tc.lc, tc.region, err)
			}
			continue
		}
		wantCode(t, err, tc.want)
	}
	if !RegionlessCreate("us-east-1") || RegionlessCreate("garage") || RegionlessCreate("us-east-2") {
		t.Errorf("RegionlessCreate is us-east-1 alone")
	}
}

func deleteBody(n int) string {
	var b strings.Builder
	b.WriteString(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>`)
	for i := range n {
		fmt.Fprintf(&b, "<Object><Key>key-%d</Key></Object>", i)
	}
	b.WriteString(`</Delete>`)
	return b.String()
}

func TestParseDelete(t *testing.T) {
	d, err := ParseDelete([]byte(`<Delete>
  <Object><Key>a/b &amp; c</Key></Object>
  <Object><Key> spaced </Key><VersionId>v1</VersionId></Object>
</Delete>`))
	if err != nil {
		t.Fatal(err)
	}
	want := []ObjectIdentifier{{Key: "a/b & c"}, {Key: " spaced ", VersionID: "v1"}}
	if d.Quiet || !reflect.DeepEqual(d.Objects, want) {
		t.Fatalf("got %+v", d)
	}

	d, err = ParseDelete([]byte(deleteBody(MaxDeleteKeys)))
	if err != nil || len(d.Objects) != MaxDeleteKeys || !d.Quiet {
		t.Fatalf("1000 keys: %d objects, quiet %v, %v", len(d.Objects), d.Quiet, err)
	}
	_, err = ParseDelete([]byte(deleteBody(MaxDeleteKeys + 1)))
	wantCode(t, err, s3err.MalformedXML)
	_, err = ParseDelete([]byte(deleteBody(0)))
	wantCode(t, err, s3err.MalformedXML)
	_, err = ParseDelete([]byte(`<Delete><Object><Key></Key></Object></Delete>`))
	wantCode(t, err, s3err.MalformedXML)
	_, err = ParseDelete([]byte(`<Delete><Object><VersionId>v</VersionId></Object></Delete>`))
	wantCode(t, err, s3err.MalformedXML)
	_, err = ParseDelete([]byte(`<Delete><Quiet>maybe</Quiet><Object><Key>a</Key></Object></Delete>`))
	wantCode(t, err, s3err.MalformedXML)

	// The conditions of an entry.
	d, err = ParseDelete([]byte(`<Delete><Object><Key>a</Key><ETag>"abc"</ETag><LastModifiedTime>2026-11-01T12:00:00.500Z</LastModifiedTime>` +
		`<Size>42</Size></Object></Delete>`))
	if err != nil {
		t.Fatal(err)
	}
	o := d.Objects[0]
	if o.ETag != `"abc"` || o.Modified == nil || !o.Modified.Equal(time.Date(2026, 11, 1, 12, 0, 0, 500e6, time.UTC)) || o.SizeIs == nil || *o.SizeIs != 42 {
		t.Fatalf("conditions %+v", o)
	}
	for _, bad := range []string{`<LastModifiedTime>yesterday</LastModifiedTime>`, `<Size>-1</Size>`, `<Size>big</Size>`} {
		_, err = ParseDelete([]byte(`<Delete><Object><Key>a</Key>` + bad + `</Object></Delete>`))
		wantCode(t, err, s3err.MalformedXML)
	}
}

func TestParseCompleteMultipart(t *testing.T) {
	c, err := ParseCompleteMultipart([]byte(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Part><PartNumber>1</PartNumber><ETag>"a54357aff0632cce46d942af68356b38"</ETag></Part>
  <Part><PartNumber>2</PartNumber><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;</ETag>
    <ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumSHA256> c2hhMjU2 </ChecksumSHA256></Part>
  <Part><PartNumber>5</PartNumber><ETag>acbd18db4cc2f85cedef654fccc4a4d8</ETag></Part>
</CompleteMultipartUpload>`))
	if err != nil {
		t.Fatal(err)
	}
	want := []CompletedPart{
		{PartNumber: 1, ETag: "a54357aff0632cce46d942af68356b38"},
		{PartNumber: 2, ETag: "0c78aef83f66abc1fa1e8477f296d394", Checksums: Checksums{ChecksumCRC32: "AAAAAA==", ChecksumSHA256: "c2hhMjU2"}},
		{PartNumber: 5, ETag: "acbd18db4cc2f85cedef654fccc4a4d8"},
	}
	if !reflect.DeepEqual(c.Parts, want) {
		t.Fatalf("got %+v", c.Parts)
	}

	for body, code := range map[string]s3err.Code{
		`<CompleteMultipartUpload></CompleteMultipartUpload>`:                                                                                                           s3err.MalformedXML,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`:                                                                    s3err.MalformedXML,
		`<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>`:                                                      s3err.MalformedXML,
		`<CompleteMultipartUpload><Part><PartNumber>99999999999999999999</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>`:                                   s3err.MalformedXML,
		`<CompleteMultipartUpload><Part><ETag>e</ETag></Part></CompleteMultipartUpload>`:                                                                                s3err.InvalidArgument,
		`<CompleteMultipartUpload><Part><PartNumber>10001</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>`:                                                  s3err.InvalidArgument,
		`<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>`:                                                     s3err.InvalidArgument,
		`<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>e</ETag></Part><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>`: s3err.InvalidPartOrder,
		`<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>e</ETag></Part><Part><PartNumber>2</PartNumber><ETag>f</ETag></Part></CompleteMultipartUpload>`: s3err.InvalidPartOrder,
	} {
		_, err := ParseCompleteMultipart([]byte(body))
		wantCode(t, err, code)
	}
}

func TestParseVersioning(t *testing.T) {
	for body, want := range map[string]VersioningConfiguration{
		`<VersioningConfiguration/>`: {},
		`<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status></VersioningConfiguration>`: {Status: "Suspended"},
		`<VersioningConfiguration><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>`:                  {Status: "Suspended", MfaDelete: "Disabled"},
		`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`:                                                   {Status: "Enabled"},
	} {
		got, err := ParseVersioning([]byte(body))
		if err != nil || got != want {
			t.Fatalf("%s: %+v, %v", body, got, err)
		}
	}
	for body, code := range map[string]s3err.Code{
		`<VersioningConfiguration><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>`: s3err.NotImplemented,
		`<VersioningConfiguration><Status>On</Status></VersioningConfiguration>`:            s3err.MalformedXML,
		`<VersioningConfiguration><MfaDelete>Yes</MfaDelete></VersioningConfiguration>`:     s3err.MalformedXML,
		``: s3err.MalformedXML,
	} {
		_, err := ParseVersioning([]byte(body))
		wantCode(t, err, code)
	}
}
