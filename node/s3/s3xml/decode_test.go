package s3xml

import (
	"strings"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

func TestDecodeAcceptsAnyNamespaceSpelling(t *testing.T) {
	for _, body := range []string{
		`<CreateBucketConfiguration><LocationConstraint>garage</LocationConstraint></CreateBucketConfiguration>`,
		`<?xml version="1.0" encoding="UTF-8"?>
<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <LocationConstraint>garage</LocationConstraint>
</CreateBucketConfiguration>
`,
		`<s3:CreateBucketConfiguration xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:LocationConstraint>garage</s3:LocationConstraint></s3:CreateBucketConfiguration>`,
		`<!-- a comment --><CreateBucketConfiguration><LocationConstraint>garage</LocationConstraint></CreateBucketConfiguration><!-- another -->`,
	} {
		c, err := ParseCreateBucket([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if c.LocationConstraint != "garage" {
			t.Fatalf("%s: location %q", body, c.LocationConstraint)
		}
	}
}

func TestDecodeNamespacedResponseTypeWithoutNamespace(t *testing.T) {
	c, err := ParseVersioning([]byte(`<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>`))
	if err != nil || c.Status != "Suspended" {
		t.Fatalf("got %+v, %v", c, err)
	}
}

func TestDecodeRefusals(t *testing.T) {
	for name, body := range map[string]string{
		"not xml":          `hello`,
		"unclosed":         `<CreateBucketConfiguration><LocationConstraint>x</LocationConstraint>`,
		"wrong root":       `<Delete><Object><Key>a</Key></Object></Delete>`,
		"two roots":        `<CreateBucketConfiguration/><CreateBucketConfiguration/>`,
		"text before root": `junk<CreateBucketConfiguration/>`,
		"text after root":  `<CreateBucketConfiguration/>junk`,
		"doctype":          `<!DOCTYPE x [<!ENTITY a "b">]><CreateBucketConfiguration/>`,
		"foreign charset":  `<?xml version="1.0" encoding="ISO-8859-1"?><CreateBucketConfiguration/>`,
		"bad utf8":         "<CreateBucketConfiguration><LocationConstraint>\xff</LocationConstraint></CreateBucketConfiguration>",
		"control char":     "<CreateBucketConfiguration><LocationConstraint>\x01</LocationConstraint></CreateBucketConfiguration>",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCreateBucket([]byte(body))
			wantCode(t, err, s3err.MalformedXML)
			mustBeS3Error(t, err)
		})
	}
}

func TestDecodeSizeLimit(t *testing.T) {
	body := `<CreateBucketConfiguration><LocationConstraint>` + strings.Repeat("a", MaxBodySize) + `</LocationConstraint></CreateBucketConfiguration>`
	_, err := ParseCreateBucket([]byte(body))
	wantCode(t, err, s3err.EntityTooLarge)
}
