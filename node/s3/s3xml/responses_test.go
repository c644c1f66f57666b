package s3xml

import (
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
	"time"
)

const ns = `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`

var modified = Time(time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.FixedZone("CET", 3600)))

// responseCases pair each response document with the XML AWS documents for
// it. ETags come out quoted: &#34; is how encoding/xml escapes '"'.
var responseCases = []struct {
	name string
	v    any
	want string
}{
	{"ListAllMyBucketsResult",
		&ListAllMyBucketsResult{Owner: Owner{ID: "GK1", DisplayName: "alice"}, Buckets: []Bucket{{Name: "photos", CreationDate: modified}}},
		`<ListAllMyBucketsResult ` + ns + `><Owner><ID>GK1</ID><DisplayName>alice</DisplayName></Owner>` +
			`<Buckets><Bucket><Name>photos</Name><CreationDate>2026-03-04T04:06:07.891Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>`},
	{"LocationConstraint", &LocationConstraint{Region: "garage"},
		`<LocationConstraint ` + ns + `>garage</LocationConstraint>`},
	{"VersioningConfiguration", &VersioningConfiguration{},
		`<VersioningConfiguration ` + ns + `></VersioningConfiguration>`},
	{"ListBucketResultV1",
		&ListBucketResultV1{Name: "photos", Prefix: "2026/", NextMarker: "2026/b", MaxKeys: 2, Delimiter: "/", IsTruncated: true,
			Contents:       []Object{{Key: "2026/a.jpg", LastModified: modified, ETag: "abc", Size: 42, StorageClass: StorageClassStandard, Owner: &Owner{ID: "GK1", DisplayName: "alice"}}},
			CommonPrefixes: []CommonPrefix{{Prefix: "2026/b/"}}},
		`<ListBucketResult ` + ns + `><Name>photos</Name><Prefix>2026/</Prefix><Marker></Marker><NextMarker>2026/b</NextMarker>` +
			`<MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>` +
			`<Contents><Key>2026/a.jpg</Key><LastModified>2026-03-04T04:06:07.891Z</LastModified><ETag>&#34;abc&#34;</ETag><Size>42</Size>` +
			`<StorageClass>STANDARD</StorageClass><Owner><ID>GK1</ID><DisplayName>alice</DisplayName></Owner></Contents>` +
			`<CommonPrefixes><Prefix>2026/b/</Prefix></CommonPrefixes></ListBucketResult>`},
	{"ListBucketResultV2",
		&ListBucketResultV2{Name: "photos", KeyCount: 1, MaxKeys: 1000, ContinuationToken: "t1", NextContinuationToken: "t2", StartAfter: "a", EncodingType: "url",
			Contents: []Object{{Key: "b", LastModified: modified, ETag: `"abc"`, Size: 1, StorageClass: StorageClassStandard}}},
		`<ListBucketResult ` + ns + `><Name>photos</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>` +
			`<IsTruncated>false</IsTruncated><ContinuationToken>t1</ContinuationToken><NextContinuationToken>t2</NextContinuationToken>` +
			`<StartAfter>a</StartAfter><EncodingType>url</EncodingType>` +
			`<Contents><Key>b</Key><LastModified>2026-03-04T04:06:07.891Z</LastModified><ETag>&#34;abc&#34;</ETag><Size>1</Size>` +
			`<StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>`},
	{"InitiateMultipartUploadResult", &InitiateMultipartUploadResult{Bucket: "b", Key: "k", UploadID: "u1"},
		`<InitiateMultipartUploadResult ` + ns + `><Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>`},
	{"CompleteMultipartUploadResult",
		&CompleteMultipartUploadResult{Location: "http://h/b/k", Bucket: "b", Key: "k", ETag: "abc-2", Checksums: Checksums{ChecksumCRC32C: "c32c"}},
		`<CompleteMultipartUploadResult ` + ns + `><Location>http://h/b/k</Location><Bucket>b</Bucket><Key>k</Key>` +
			`<ETag>&#34;abc-2&#34;</ETag><ChecksumCRC32C>c32c</ChecksumCRC32C></CompleteMultipartUploadResult>`},
	{"ListPartsResult",
		&ListPartsResult{Bucket: "b", Key: "k", UploadID: "u1", Initiator: Owner{ID: "GK1", DisplayName: "alice"}, Owner: Owner{ID: "GK1", DisplayName: "alice"},
			StorageClass: StorageClassStandard, PartNumberMarker: 1, NextPartNumberMarker: 2, MaxParts: 1, IsTruncated: true,
			Parts: []Part{{PartNumber: 2, LastModified: modified, ETag: "e2", Size: 5 << 20, Checksums: Checksums{ChecksumSHA1: "s1"}}}},
		`<ListPartsResult ` + ns + `><Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId>` +
			`<Initiator><ID>GK1</ID><DisplayName>alice</DisplayName></Initiator><Owner><ID>GK1</ID><DisplayName>alice</DisplayName></Owner>` +
			`<StorageClass>STANDARD</StorageClass><PartNumberMarker>1</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker>` +
			`<MaxParts>1</MaxParts><IsTruncated>true</IsTruncated>` +
			`<Part><PartNumber>2</PartNumber><LastModified>2026-03-04T04:06:07.891Z</LastModified><ETag>&#34;e2&#34;</ETag>` +
			`<Size>5242880</Size><ChecksumSHA1>s1</ChecksumSHA1></Part></ListPartsResult>`},
	{"ListMultipartUploadsResult",
		&ListMultipartUploadsResult{Bucket: "b", NextKeyMarker: "k", NextUploadIDMarker: "u1", Delimiter: "/", MaxUploads: 1000,
			Uploads:        []Upload{{Key: "k", UploadID: "u1", Initiator: Owner{ID: "GK1"}, Owner: Owner{ID: "GK1"}, StorageClass: StorageClassStandard, Initiated: modified}},
			CommonPrefixes: []CommonPrefix{{Prefix: "dir/"}}},
		`<ListMultipartUploadsResult ` + ns + `><Bucket>b</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>` +
			`<NextKeyMarker>k</NextKeyMarker><NextUploadIdMarker>u1</NextUploadIdMarker><Prefix></Prefix><Delimiter>/</Delimiter>` +
			`<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>` +
			`<Upload><Key>k</Key><UploadId>u1</UploadId><Initiator><ID>GK1</ID><DisplayName></DisplayName></Initiator>` +
			`<Owner><ID>GK1</ID><DisplayName></DisplayName></Owner><StorageClass>STANDARD</StorageClass>` +
			`<Initiated>2026-03-04T04:06:07.891Z</Initiated></Upload><CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListMultipartUploadsResult>`},
	{"CopyObjectResult", &CopyObjectResult{ETag: "abc", LastModified: modified},
		`<CopyObjectResult ` + ns + `><ETag>&#34;abc&#34;</ETag><LastModified>2026-03-04T04:06:07.891Z</LastModified></CopyObjectResult>`},
	{"CopyPartResult", &CopyPartResult{ETag: "abc", LastModified: modified},
		`<CopyPartResult ` + ns + `><ETag>&#34;abc&#34;</ETag><LastModified>2026-03-04T04:06:07.891Z</LastModified></CopyPartResult>`},
	{"DeleteResult",
		&DeleteResult{Deleted: []DeletedObject{{Key: "a"}, {Key: "b", VersionID: "v"}}, Errors: []DeleteError{{Key: "c", Code: "AccessDenied", Message: "Access Denied"}}},
		`<DeleteResult ` + ns + `><Deleted><Key>a</Key></Deleted><Deleted><Key>b</Key><VersionId>v</VersionId></Deleted>` +
			`<Error><Key>c</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>`},
	{"PostResponse", &PostResponse{Location: "http://h/b/k", Bucket: "b", Key: "k", ETag: "abc"},
		`<PostResponse ` + ns + `><Location>http://h/b/k</Location><Bucket>b</Bucket><Key>k</Key><ETag>&#34;abc&#34;</ETag></PostResponse>`},
}

func TestResponsesMarshalToDocumentedElements(t *testing.T) {
	for _, c := range responseCases {
		t.Run(c.name, func(t *testing.T) {
			got := string(Marshal(c.v))
			if !strings.HasPrefix(got, `<?xml version="1.0" encoding="UTF-8"?>`+"\n") {
				t.Fatalf("no XML header: %s", got)
			}
			if got = strings.TrimPrefix(got, xml.Header); got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestResponsesRoundTrip reads each marshalled document back: what a client
// parses is what the server meant (ETags without their quotes).
func TestResponsesRoundTrip(t *testing.T) {
	for _, c := range responseCases {
		t.Run(c.name, func(t *testing.T) {
			back := reflect.New(reflect.TypeOf(c.v).Elem())
			if err := Decode(Marshal(c.v), MaxBodySize, back.Interface()); err != nil {
				t.Fatal(err)
			}
			want := reflect.ValueOf(c.v).Elem()
			clearXMLName(back.Elem())
			if !reflect.DeepEqual(back.Elem().Interface(), unquoted(want).Interface()) {
				t.Fatalf("got %+v\nwant %+v", back.Elem().Interface(), want.Interface())
			}
		})
	}
}

func clearXMLName(v reflect.Value) {
	if f := v.FieldByName("XMLName"); f.IsValid() {
		f.Set(reflect.ValueOf(xml.Name{}))
	}
}

// unquoted copies v with every ETag stripped of quotes, as a reader sees it.
func unquoted(v reflect.Value) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	out.Set(v)
	stripETags(out)
	return out
}

func stripETags(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			stripETags(v.Field(i))
		}
	case reflect.Slice:
		copied := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(copied, v)
		if !v.IsNil() {
			v.Set(copied)
		}
		for i := range v.Len() {
			stripETags(v.Index(i))
		}
	case reflect.String:
		if v.Type() == reflect.TypeOf(ETag("")) {
			v.SetString(bareETag(v.String()))
		}
	}
}

func TestTime(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6_789_000, time.FixedZone("X", -7200))
	if got := Time(at); got != "2026-01-02T05:04:05.006Z" {
		t.Fatal(got)
	}
}

func TestETagQuotesOnce(t *testing.T) {
	for _, e := range []ETag{"abc", `"abc"`} {
		out, _ := e.MarshalText()
		if string(out) != `"abc"` {
			t.Fatalf("%q marshals to %s", e, out)
		}
	}
	var e ETag
	_ = e.UnmarshalText([]byte(` "abc" `))
	if e != "abc" {
		t.Fatalf("unmarshalled %q", e)
	}
}
