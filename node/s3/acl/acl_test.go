package acl

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/wire"
)

const (
	keyA = "GK000000000000000000000001"
	keyB = "GK000000000000000000000002"
)

func wantCode(t *testing.T, err error, code s3err.Code) {
	t.Helper()
	e, ok := err.(*s3err.Error)
	if !ok {
		t.Fatalf("want %s, got %v (%T)", code, err, err)
	}
	if e.Code != code {
		t.Fatalf("want %s, got %s: %s", code, e.Code, e.Message)
	}
}

func TestCanned(t *testing.T) {
	for _, tc := range []struct {
		name       string
		owner      string
		wantPublic bool
		want       []Grant
	}{
		{Private, "", false, nil},
		{PublicRead, "", true, []Grant{{Grantee{URI: AllUsers}, Read}}},
		{PublicReadWrite, "", true, []Grant{{Grantee{URI: AllUsers}, Read}, {Grantee{URI: AllUsers}, Write}}},
		{AuthenticatedRead, "", true, []Grant{{Grantee{URI: AuthenticatedUsers}, Read}}},
		{BucketOwnerRead, keyB, false, []Grant{{Grantee{ID: keyA}, Read}}},
		{BucketOwnerFullControl, keyB, false, []Grant{{Grantee{ID: keyA}, FullControl}}},
		{BucketOwnerFullControl, "", false, nil}, // the bucket owner owns it already
	} {
		a, err := Canned(tc.name, tc.owner, keyA)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !reflect.DeepEqual(a.Grants, tc.want) || a.Public() != tc.wantPublic {
			t.Errorf("%s: grants %v public %v, want %v %v", tc.name, a.Grants, a.Public(), tc.want, tc.wantPublic)
		}
	}
	_, err := Canned("world-writable", "", keyA)
	wantCode(t, err, s3err.InvalidArgument)
	_, err = Canned("log-delivery-write", "", keyA)
	wantCode(t, err, s3err.NotImplemented)
}

func headers(kv ...string) func(string) []string {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return func(name string) []string { return h.Values(name) }
}

func TestParseHeaders(t *testing.T) {
	r, err := ParseHeaders(headers(
		"x-amz-grant-read", `id="`+keyA+`", uri="`+AllUsers+`"`,
		"x-amz-grant-write-acp", "id="+keyB,
		"x-amz-grant-full-control", `id="`+keyB+`"`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Grant{{Grantee{ID: keyA}, Read}, {Grantee{URI: AllUsers}, Read}, {Grantee{ID: keyB}, WriteACP}, {Grantee{ID: keyB}, FullControl}}
	if !reflect.DeepEqual(r.Grants, want) {
		t.Fatalf("grants %v, want %v", r.Grants, want)
	}
	if r.OnlyOwner() {
		t.Error("explicit grants reported as owner-only")
	}
	a, err := r.ACL("", keyA)
	if err != nil || !a.Public() {
		t.Fatalf("ACL %v %v: want a public ACL", a, err)
	}

	r, err = ParseHeaders(headers("x-amz-acl", "bucket-owner-full-control"))
	if err != nil || !r.OnlyOwner() || !r.Present() {
		t.Fatalf("bucket-owner-full-control: %v %v", r, err)
	}
	r, err = ParseHeaders(headers())
	if err != nil || r.Present() {
		t.Fatalf("no headers: %v %v", r, err)
	}

	for _, tc := range []struct {
		kv   []string
		code s3err.Code
	}{
		{[]string{"x-amz-grant-read", `emailAddress="a@example.com"`}, s3err.UnresolvableGrantByEmailAddress},
		{[]string{"x-amz-grant-read", `uri="http://acs.amazonaws.com/groups/s3/LogDelivery"`}, s3err.InvalidArgument},
		{[]string{"x-amz-grant-read", `id="not-a-key"`}, s3err.InvalidArgument},
		{[]string{"x-amz-grant-read", `name="x"`}, s3err.InvalidArgument},
		{[]string{"x-amz-grant-read", `id="` + keyA}, s3err.InvalidArgument},
		{[]string{"x-amz-grant-read", `id`}, s3err.InvalidArgument},
		{[]string{"x-amz-acl", "public-read", "x-amz-grant-read", "id=" + keyA}, s3err.InvalidRequest},
		{[]string{"x-amz-acl", "everyone"}, s3err.InvalidArgument},
	} {
		_, err := ParseHeaders(headers(tc.kv...))
		wantCode(t, err, tc.code)
	}
}

func TestPermissionsAndActions(t *testing.T) {
	a := ACL{Grants: []Grant{{Grantee{URI: AllUsers}, Read}, {Grantee{URI: AuthenticatedUsers}, Write}, {Grantee{ID: keyB}, WriteACP}}}
	if got := a.Permissions("", false); !reflect.DeepEqual(got, []Permission{Read}) {
		t.Errorf("anonymous: %v", got)
	}
	if got := a.Permissions(keyB, false); !reflect.DeepEqual(got, []Permission{Read, Write, WriteACP}) {
		t.Errorf("key B: %v", got)
	}
	if got := a.Permissions(keyB, true); !reflect.DeepEqual(got, []Permission{WriteACP}) {
		t.Errorf("key B ignoring public grants: %v", got)
	}
	for _, tc := range []struct {
		p      Permission
		action string
		bucket bool
		object bool
	}{
		{Read, "s3:ListBucket", true, false},
		{Read, "s3:GetObject", false, true},
		{Write, "s3:PutObject", true, false},
		{Write, "s3:DeleteObject", true, false},
		{ReadACP, "s3:GetBucketAcl", true, false},
		{ReadACP, "s3:GetObjectAcl", false, true},
		{WriteACP, "s3:PutObjectAcl", false, true},
		{FullControl, "s3:PutBucketAcl", true, false},
		{FullControl, "s3:GetObject", false, true},
		{FullControl, "s3:PutBucketPolicy", false, false},
		{Read, "s3:PutObject", false, false},
	} {
		if got := BucketAllows(tc.p, tc.action); got != tc.bucket {
			t.Errorf("bucket grant %s allows %s: %v", tc.p, tc.action, got)
		}
		if got := ObjectAllows(tc.p, tc.action); got != tc.object {
			t.Errorf("object grant %s allows %s: %v", tc.p, tc.action, got)
		}
	}
	if !(ACL{Owner: keyB, Grants: []Grant{{Grantee{ID: keyB}, Read}}}).OnlyOwner(keyA) {
		t.Error("a grant to the owner itself is owner-only")
	}
	if (ACL{Grants: []Grant{{Grantee{ID: keyB}, Read}}}).OnlyOwner(keyA) {
		t.Error("a grant to another key is not owner-only")
	}
}

func TestPolicyDocumentRoundTrip(t *testing.T) {
	a := ACL{Owner: keyB, Grants: []Grant{{Grantee{URI: AllUsers}, Read}, {Grantee{ID: keyA}, ReadACP}}}
	body := a.XML(nil, func(id string) string { return "name<" + id + ">" })
	doc, err := ParsePolicy(body)
	if err != nil {
		t.Fatalf("parse our own document %s: %v", body, err)
	}
	want := append([]Grant{{Grantee{ID: keyB}, FullControl}}, a.Grants...)
	if doc.OwnerID != keyB || !reflect.DeepEqual(doc.Grants, want) {
		t.Fatalf("parsed %+v, want owner %s grants %v", doc, keyB, want)
	}
	if !strings.Contains(string(body), "name&lt;") {
		t.Errorf("display names not escaped: %s", body)
	}
	// The bucket owner's ACL lists every owner key.
	body = ACL{}.XML([]string{keyA, keyB}, func(string) string { return "" })
	doc, err = ParsePolicy(body)
	if err != nil || doc.OwnerID != keyA || len(doc.Grants) != 2 {
		t.Fatalf("owners' ACL %s: %+v %v", body, doc, err)
	}
}

func TestParsePolicyRefusals(t *testing.T) {
	grant := func(grantee, perm string) string {
		return `<AccessControlPolicy><Owner><ID>` + keyA + `</ID></Owner><AccessControlList><Grant>` + grantee + perm + `</Grant></AccessControlList></AccessControlPolicy>`
	}
	user := `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>` + keyB + `</ID></Grantee>`
	for _, tc := range []struct {
		body string
		code s3err.Code
	}{
		{grant(user, `<Permission>READ</Permission>`), ""},
		{grant(`<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>`+AuthenticatedUsers+`</URI></Grantee>`, `<Permission>WRITE</Permission>`), ""},
		{grant(user, `<Permission>EVERYTHING</Permission>`), s3err.MalformedACLError},
		{grant(user, ``), s3err.MalformedACLError},
		{grant(`<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="AmazonCustomerByEmail"><EmailAddress>a@b.c</EmailAddress></Grantee>`, `<Permission>READ</Permission>`), s3err.UnresolvableGrantByEmailAddress},
		{grant(`<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/s3/LogDelivery</URI></Grantee>`, `<Permission>READ</Permission>`), s3err.InvalidArgument},
		{grant(`<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><ID>`+keyB+`</ID></Grantee>`, `<Permission>READ</Permission>`), s3err.MalformedACLError},
		{grant(`<Grantee><ID>`+keyB+`</ID></Grantee>`, `<Permission>READ</Permission>`), s3err.MalformedACLError},
		{grant(user, `<Permission>READ</Permission><Extra/>`), s3err.MalformedXML},
		{`<AccessControlPolicy><Owner><ID>` + keyA + `</ID></Owner></AccessControlPolicy>`, s3err.MalformedXML},
		{`<AccessControlPolicy>`, s3err.MalformedXML},
		{`<!DOCTYPE x><AccessControlPolicy><AccessControlList/></AccessControlPolicy>`, s3err.MalformedXML},
	} {
		_, err := ParsePolicy([]byte(tc.body))
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.body, err)
			}
			continue
		}
		wantCode(t, err, tc.code)
	}
	many := `<AccessControlPolicy><AccessControlList>` + strings.Repeat(`<Grant>`+`<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>`+AllUsers+`</URI></Grantee><Permission>READ</Permission></Grant>`, MaxGrants+1) + `</AccessControlList></AccessControlPolicy>`
	_, err := ParsePolicy([]byte(many))
	wantCode(t, err, s3err.MalformedACLError)
}

func TestOwnershipAndPublicAccessBlock(t *testing.T) {
	for _, o := range []Ownership{BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter} {
		got, err := ParseOwnershipControls(o.XML())
		if err != nil || got != o {
			t.Errorf("%s: %s %v", o, got, err)
		}
	}
	for _, body := range []string{
		`<OwnershipControls></OwnershipControls>`,
		`<OwnershipControls><Rule><ObjectOwnership>Nobody</ObjectOwnership></Rule></OwnershipControls>`,
		`<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>`,
	} {
		_, err := ParseOwnershipControls([]byte(body))
		wantCode(t, err, s3err.MalformedXML)
	}
	p := PublicAccessBlock{BlockPublicAcls: true, RestrictPublicBuckets: true}
	got, err := ParsePublicAccessBlock(p.XML())
	if err != nil || got != p {
		t.Fatalf("PAB round trip: %+v %v", got, err)
	}
	got, err = ParsePublicAccessBlock([]byte(`<PublicAccessBlockConfiguration><IgnorePublicAcls>true</IgnorePublicAcls></PublicAccessBlockConfiguration>`))
	if err != nil || got != (PublicAccessBlock{IgnorePublicAcls: true}) {
		t.Fatalf("partial PAB: %+v %v", got, err)
	}
	_, err = ParsePublicAccessBlock([]byte(`<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>`))
	wantCode(t, err, s3err.MalformedXML)
}

func TestWireRoundTrip(t *testing.T) {
	a := ACL{Owner: keyA, Grants: []Grant{{Grantee{ID: keyB}, Read}, {Grantee{URI: AllUsers}, Read}, {Grantee{ID: keyB}, Read}}}
	e := wire.NewEncoder(nil)
	a.Encode(e)
	d := wire.NewDecoder(e.Bytes())
	back := DecodeACL(d)
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, a.normalize()) || len(back.Grants) != 2 {
		t.Fatalf("decoded %+v from %+v", back, a)
	}
	for _, v := range []interface{ Encode(*wire.Encoder) }{BucketOwnerPreferred, NoOwnershipControls, PublicAccessBlock{true, false, true, false}} {
		e := wire.NewEncoder(nil)
		v.Encode(e)
		d := wire.NewDecoder(e.Bytes())
		var back any
		switch v.(type) {
		case Ownership:
			back = DecodeOwnership(d)
		default:
			back = DecodePublicAccessBlock(d)
		}
		if d.Finish() != nil || back != v {
			t.Errorf("%v decoded as %v", v, back)
		}
	}
}
