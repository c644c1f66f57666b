package acl

import (
	"bytes"
	"encoding/xml"
	"strings"

	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
)

// xsiNamespace is the namespace of the xsi:type attribute naming a
// grantee's kind.
const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// unknown catches elements a document does not define: they are refused
// rather than dropped.
type unknown struct{ XMLName xml.Name }

func rejectUnknown(parent string, found []unknown) error {
	if len(found) == 0 {
		return nil
	}
	return s3xml.Malformed("unexpected element <" + found[0].XMLName.Local + "> in <" + parent + ">")
}

type policyDoc struct {
	Owner *struct {
		ID          string    `xml:"ID"`
		DisplayName string    `xml:"DisplayName"`
		Unknown     []unknown `xml:",any"`
	} `xml:"Owner"`
	List *struct {
		Grants  []grantDoc `xml:"Grant"`
		Unknown []unknown  `xml:",any"`
	} `xml:"AccessControlList"`
	Unknown []unknown `xml:",any"`
}

type grantDoc struct {
	Grantee *struct {
		Attrs        []xml.Attr `xml:",any,attr"`
		ID           *string    `xml:"ID"`
		DisplayName  string     `xml:"DisplayName"`
		URI          *string    `xml:"URI"`
		EmailAddress *string    `xml:"EmailAddress"`
		Unknown      []unknown  `xml:",any"`
	} `xml:"Grantee"`
	Permission *string   `xml:"Permission"`
	Unknown    []unknown `xml:",any"`
}

// Document is a parsed AccessControlPolicy: the ACL it sets and the owner
// it names (which must be the resource's: an ACL cannot change owners).
type Document struct {
	OwnerID string
	Grants  []Grant
}

// ParsePolicy reads an AccessControlPolicy document (PutBucketAcl,
// PutObjectAcl). Every grant must be complete and name a key or a known
// group; grants to e-mail addresses are refused as S3 refuses unknown
// addresses.
func ParsePolicy(body []byte) (Document, error) {
	var doc policyDoc
	if err := s3xml.Decode(body, s3xml.MaxBodySize, &doc); err != nil {
		return Document{}, err
	}
	if err := rejectUnknown("AccessControlPolicy", doc.Unknown); err != nil {
		return Document{}, err
	}
	var out Document
	if doc.Owner != nil {
		if err := rejectUnknown("Owner", doc.Owner.Unknown); err != nil {
			return Document{}, err
		}
		out.OwnerID = strings.TrimSpace(doc.Owner.ID)
	}
	if doc.List == nil {
		return Document{}, s3xml.Malformed("an AccessControlPolicy needs an AccessControlList")
	}
	if err := rejectUnknown("AccessControlList", doc.List.Unknown); err != nil {
		return Document{}, err
	}
	if len(doc.List.Grants) > MaxGrants {
		return Document{}, s3err.New(s3err.MalformedACLError, "An ACL may hold at most %d grants.", MaxGrants)
	}
	for _, g := range doc.List.Grants {
		grant, err := g.parse()
		if err != nil {
			return Document{}, err
		}
		out.Grants = append(out.Grants, grant)
	}
	return out, nil
}

func (g grantDoc) parse() (Grant, error) {
	if err := rejectUnknown("Grant", g.Unknown); err != nil {
		return Grant{}, err
	}
	if g.Grantee == nil || g.Permission == nil {
		return Grant{}, s3err.New(s3err.MalformedACLError, "Each Grant needs a Grantee and a Permission.")
	}
	ge := g.Grantee
	if err := rejectUnknown("Grantee", ge.Unknown); err != nil {
		return Grant{}, err
	}
	perm, err := ParsePermission(strings.TrimSpace(*g.Permission))
	if err != nil {
		return Grant{}, err
	}
	kind := ""
	for _, a := range ge.Attrs {
		if a.Name.Local == "type" && (a.Name.Space == xsiNamespace || a.Name.Space == "xsi") {
			kind = a.Value
		}
	}
	var grantee Grantee
	present := func(p *string) bool { return p != nil }
	switch {
	case kind == "CanonicalUser" && present(ge.ID) && !present(ge.URI) && !present(ge.EmailAddress):
		grantee.ID = strings.TrimSpace(*ge.ID)
	case kind == "Group" && present(ge.URI) && !present(ge.ID) && !present(ge.EmailAddress):
		grantee.URI = strings.TrimSpace(*ge.URI)
	case kind == "AmazonCustomerByEmail" && present(ge.EmailAddress) && !present(ge.ID) && !present(ge.URI):
		return Grant{}, unresolvableEmail(strings.TrimSpace(*ge.EmailAddress))
	default:
		return Grant{}, s3err.New(s3err.MalformedACLError,
			"A Grantee needs xsi:type CanonicalUser with an ID, or Group with a URI (got type %q).", kind)
	}
	if err := grantee.validate(); err != nil {
		return Grant{}, err
	}
	return Grant{grantee, perm}, nil
}

// Named gives a key's display name, for the documents this package writes.
type Named func(keyID string) string

// XML is the AccessControlPolicy answering GetBucketAcl and GetObjectAcl:
// the owner, its FULL_CONTROL, then the grants. owners lists every key
// with the owner's rights (owners[0] is shown as the owner when Owner is
// the bucket owner): each has full control.
func (a ACL) XML(owners []string, name Named) []byte {
	owner := a.Owner
	list := owners
	if owner != "" {
		list = []string{owner}
	} else if len(owners) > 0 {
		owner = owners[0]
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<AccessControlPolicy xmlns="` + s3xml.Namespace + `"><Owner>`)
	writeElement(&b, "ID", owner)
	writeElement(&b, "DisplayName", name(owner))
	b.WriteString(`</Owner><AccessControlList>`)
	for _, id := range list {
		writeGrant(&b, Grant{Grantee{ID: id}, FullControl}, name)
	}
	for _, g := range a.Grants {
		writeGrant(&b, g, name)
	}
	b.WriteString(`</AccessControlList></AccessControlPolicy>`)
	return b.Bytes()
}

func writeGrant(b *bytes.Buffer, g Grant, name Named) {
	b.WriteString(`<Grant><Grantee xmlns:xsi="` + xsiNamespace + `" xsi:type="`)
	if g.Grantee.URI != "" {
		b.WriteString(`Group">`)
		writeElement(b, "URI", g.Grantee.URI)
	} else {
		b.WriteString(`CanonicalUser">`)
		writeElement(b, "ID", g.Grantee.ID)
		writeElement(b, "DisplayName", name(g.Grantee.ID))
	}
	b.WriteString(`</Grantee>`)
	writeElement(b, "Permission", string(g.Permission))
	b.WriteString(`</Grant>`)
}

func writeElement(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + ">")
	xml.EscapeText(b, []byte(value)) //nolint:errcheck // a bytes.Buffer does not fail
	b.WriteString("</" + name + ">")
}

// Ownership is a bucket's object ownership setting.
type Ownership string

// The three settings of S3 Object Ownership, and NoOwnershipControls: the
// state DeleteBucketOwnershipControls leaves, which behaves as
// ObjectWriter (ACLs on), as in S3.
const (
	BucketOwnerEnforced  Ownership = "BucketOwnerEnforced"
	BucketOwnerPreferred Ownership = "BucketOwnerPreferred"
	ObjectWriter         Ownership = "ObjectWriter"
	NoOwnershipControls  Ownership = ""
)

// ParseOwnership reads an ownership setting's name (the value of
// x-amz-object-ownership, or of ObjectOwnership in a document).
func ParseOwnership(s string) (Ownership, error) {
	switch o := Ownership(strings.TrimSpace(s)); o {
	case BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter:
		return o, nil
	}
	return "", s3err.New(s3err.InvalidArgument, "Invalid object ownership %q: use BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter.", s)
}

// ACLsEnabled reports whether ACLs count for anything under o.
func (o Ownership) ACLsEnabled() bool { return o != BucketOwnerEnforced }

// Writer reports whether o gives an object to the key that wrote it
// (ObjectWriter, and NoOwnershipControls which behaves so).
func (o Ownership) Writer() bool { return o == ObjectWriter || o == NoOwnershipControls }

type ownershipDoc struct {
	Rules []struct {
		ObjectOwnership *string   `xml:"ObjectOwnership"`
		Unknown         []unknown `xml:",any"`
	} `xml:"Rule"`
	Unknown []unknown `xml:",any"`
}

// ParseOwnershipControls reads an OwnershipControls document: exactly one
// rule with an ObjectOwnership.
func ParseOwnershipControls(body []byte) (Ownership, error) {
	var doc ownershipDoc
	if err := s3xml.Decode(body, s3xml.MaxBodySize, &doc); err != nil {
		return "", err
	}
	if err := rejectUnknown("OwnershipControls", doc.Unknown); err != nil {
		return "", err
	}
	if len(doc.Rules) != 1 || doc.Rules[0].ObjectOwnership == nil {
		return "", s3xml.Malformed("OwnershipControls needs exactly one Rule with an ObjectOwnership")
	}
	if err := rejectUnknown("Rule", doc.Rules[0].Unknown); err != nil {
		return "", err
	}
	o, err := ParseOwnership(*doc.Rules[0].ObjectOwnership)
	if err != nil {
		return "", s3xml.Malformed(err.(*s3err.Error).Message)
	}
	return o, nil
}

// XML is the OwnershipControls document answering GetBucketOwnershipControls.
func (o Ownership) XML() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header + `<OwnershipControls xmlns="` + s3xml.Namespace + `"><Rule>`)
	writeElement(&b, "ObjectOwnership", string(o))
	b.WriteString(`</Rule></OwnershipControls>`)
	return b.Bytes()
}

// PublicAccessBlock is a bucket's four public access switches.
type PublicAccessBlock struct {
	// BlockPublicAcls refuses requests that set a public ACL.
	BlockPublicAcls bool
	// IgnorePublicAcls makes grants to public groups count for nothing.
	IgnorePublicAcls bool
	// BlockPublicPolicy refuses a public bucket policy.
	BlockPublicPolicy bool
	// RestrictPublicBuckets limits a public policy to keys with rights on
	// the bucket.
	RestrictPublicBuckets bool
}

type pabDoc struct {
	BlockPublicAcls       *string   `xml:"BlockPublicAcls"`
	IgnorePublicAcls      *string   `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     *string   `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets *string   `xml:"RestrictPublicBuckets"`
	Unknown               []unknown `xml:",any"`
}

// ParsePublicAccessBlock reads a PublicAccessBlockConfiguration document;
// a switch it leaves out is off.
func ParsePublicAccessBlock(body []byte) (PublicAccessBlock, error) {
	var doc pabDoc
	if err := s3xml.Decode(body, s3xml.MaxBodySize, &doc); err != nil {
		return PublicAccessBlock{}, err
	}
	if err := rejectUnknown("PublicAccessBlockConfiguration", doc.Unknown); err != nil {
		return PublicAccessBlock{}, err
	}
	var p PublicAccessBlock
	for _, f := range []struct {
		name string
		v    *string
		dst  *bool
	}{
		{"BlockPublicAcls", doc.BlockPublicAcls, &p.BlockPublicAcls},
		{"IgnorePublicAcls", doc.IgnorePublicAcls, &p.IgnorePublicAcls},
		{"BlockPublicPolicy", doc.BlockPublicPolicy, &p.BlockPublicPolicy},
		{"RestrictPublicBuckets", doc.RestrictPublicBuckets, &p.RestrictPublicBuckets},
	} {
		if f.v == nil {
			continue
		}
		switch strings.TrimSpace(*f.v) {
		case "true":
			*f.dst = true
		case "false":
		default:
			return PublicAccessBlock{}, s3xml.Malformed(f.name + " must be true or false")
		}
	}
	return p, nil
}

// XML is the PublicAccessBlockConfiguration answering GetPublicAccessBlock.
func (p PublicAccessBlock) XML() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header + `<PublicAccessBlockConfiguration xmlns="` + s3xml.Namespace + `">`)
	for _, f := range []struct {
		name string
		on   bool
	}{
		{"BlockPublicAcls", p.BlockPublicAcls}, {"IgnorePublicAcls", p.IgnorePublicAcls},
		{"BlockPublicPolicy", p.BlockPublicPolicy}, {"RestrictPublicBuckets", p.RestrictPublicBuckets},
	} {
		v := "false"
		if f.on {
			v = "true"
		}
		writeElement(&b, f.name, v)
	}
	b.WriteString(`</PublicAccessBlockConfiguration>`)
	return b.Bytes()
}
