package acl

import (
	"reflect"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

// FuzzParseACL: on any AccessControlPolicy body the parser answers an ACL or an
// *s3err.Error, never panics, and what it accepts, written back as the
// document GetObjectAcl answers, parses to the same grants after the
// owner's.
func FuzzParseACL(f *testing.F) {
	f.Add([]byte(`<AccessControlPolicy><Owner><ID>GK000000000000000000000001</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := ParsePolicy(body)
		if err != nil {
			if _, ok := err.(*s3err.Error); !ok {
				t.Fatalf("error %v (%T) is not an *s3err.Error", err, err)
			}
			return
		}
		a := ACL{Grants: doc.Grants}.normalize()
		if err := a.validate(); err != nil {
			t.Fatalf("accepted grants that do not validate: %v", err)
		}
		owner := "GK000000000000000000000009"
		out := a.XML([]string{owner}, func(string) string { return "" })
		back, err := ParsePolicy(out)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", out, err)
		}
		if back.OwnerID != owner || len(back.Grants) == 0 || !reflect.DeepEqual(ACL{Grants: back.Grants[1:]}.normalize(), a) {
			t.Fatalf("round trip changed the ACL: %+v then %+v via %s", a, back, out)
		}
	})
}
