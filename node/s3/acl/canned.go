package acl

import (
	"strings"

	"github.com/garagego/garage/node/s3/s3err"
)

// The canned ACLs this store knows.
const (
	Private                = "private"
	PublicRead             = "public-read"
	PublicReadWrite        = "public-read-write"
	AuthenticatedRead      = "authenticated-read"
	BucketOwnerRead        = "bucket-owner-read"
	BucketOwnerFullControl = "bucket-owner-full-control"
)

// Canned expands a canned ACL for a resource owned by owner ("" for the
// bucket owner), in a bucket owned by bucketOwner (the key id the grants
// to the bucket owner name). On a bucket, bucket-owner-read and
// bucket-owner-full-control grant nothing beyond the owner's own rights,
// as in S3.
func Canned(name, owner, bucketOwner string) (ACL, error) {
	a := ACL{Owner: owner}
	everyone := Grantee{URI: AllUsers}
	switch name {
	case Private:
	case PublicRead:
		a.Grants = []Grant{{everyone, Read}}
	case PublicReadWrite:
		a.Grants = []Grant{{everyone, Read}, {everyone, Write}}
	case AuthenticatedRead:
		a.Grants = []Grant{{Grantee{URI: AuthenticatedUsers}, Read}}
	case BucketOwnerRead, BucketOwnerFullControl:
		perm := Read
		if name == BucketOwnerFullControl {
			perm = FullControl
		}
		if owner != "" && bucketOwner != "" && owner != bucketOwner {
			a.Grants = []Grant{{Grantee{ID: bucketOwner}, perm}}
		}
	case "log-delivery-write", "aws-exec-read":
		return ACL{}, s3err.New(s3err.NotImplemented, "The canned ACL %q is not implemented: this store has no log delivery nor EC2 principals.", name)
	default:
		return ACL{}, s3err.New(s3err.InvalidArgument, "The canned ACL %q is not valid: use private, public-read, public-read-write, authenticated-read, bucket-owner-read or bucket-owner-full-control.", name)
	}
	return a, nil
}

// GrantHeaders maps each x-amz-grant-* request header to its permission.
var GrantHeaders = []struct {
	Name       string
	Permission Permission
}{
	{"x-amz-grant-read", Read},
	{"x-amz-grant-write", Write},
	{"x-amz-grant-read-acp", ReadACP},
	{"x-amz-grant-write-acp", WriteACP},
	{"x-amz-grant-full-control", FullControl},
}

// Requested is the ACL a request asks for in its headers: a canned ACL
// (x-amz-acl) or explicit grants (x-amz-grant-*), never both.
type Requested struct {
	Canned string
	Grants []Grant
}

// Present reports whether the request asked for an ACL at all.
func (r Requested) Present() bool { return r.Canned != "" || len(r.Grants) > 0 }

// OnlyOwner reports whether the request asks for nothing beyond the
// owners' rights: no ACL, private, or bucket-owner-full-control (the ACLs
// BucketOwnerEnforced accepts).
func (r Requested) OnlyOwner() bool {
	return len(r.Grants) == 0 && (r.Canned == "" || r.Canned == Private || r.Canned == BucketOwnerFullControl)
}

// ACL is the requested ACL for a resource owned by owner in a bucket owned
// by bucketOwner.
func (r Requested) ACL(owner, bucketOwner string) (ACL, error) {
	if r.Canned != "" {
		return Canned(r.Canned, owner, bucketOwner)
	}
	a := ACL{Owner: owner, Grants: r.Grants}.normalize()
	return a, a.validate()
}

// ParseHeaders reads the ACL headers of a request; get returns a header's
// values. The values of x-amz-acl are checked here; the grants name keys
// by id="<key id>" or groups by uri="<group uri>".
func ParseHeaders(get func(name string) []string) (Requested, error) {
	var r Requested
	if values := get("x-amz-acl"); len(values) > 0 {
		if len(values) > 1 {
			return r, s3err.New(s3err.InvalidArgument, "x-amz-acl may be given once.")
		}
		r.Canned = strings.TrimSpace(values[0])
		if _, err := Canned(r.Canned, "", ""); err != nil {
			return Requested{}, err
		}
	}
	for _, h := range GrantHeaders {
		for _, v := range get(h.Name) {
			grantees, err := parseGrantees(v)
			if err != nil {
				return Requested{}, err
			}
			for _, g := range grantees {
				r.Grants = append(r.Grants, Grant{g, h.Permission})
			}
		}
	}
	if r.Canned != "" && len(r.Grants) > 0 {
		return Requested{}, s3err.New(s3err.InvalidRequest, "Specifying both Canned ACLs and Header Grants is not allowed.")
	}
	if len(r.Grants) > MaxGrants {
		return Requested{}, s3err.New(s3err.MalformedACLError, "An ACL may hold at most %d grants.", MaxGrants)
	}
	return r, nil
}

// parseGrantees reads a grant header's value: a comma-separated list of
// type=value, the value optionally in double quotes.
func parseGrantees(v string) ([]Grantee, error) {
	var out []Grantee
	for len(strings.TrimSpace(v)) > 0 {
		v = strings.TrimLeft(v, " \t")
		kind, rest, ok := strings.Cut(v, "=")
		if !ok {
			return nil, s3err.New(s3err.InvalidArgument, "A grant header lists type=value grantees (id, uri or emailAddress), not %q.", v)
		}
		rest = strings.TrimLeft(rest, " \t")
		var value string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return nil, s3err.New(s3err.InvalidArgument, "Unterminated quoted grantee in a grant header.")
			}
			value, rest = rest[1:1+end], rest[2+end:]
		} else {
			value, rest, _ = strings.Cut(rest, ",")
			rest = "," + rest
		}
		rest = strings.TrimLeft(rest, " \t")
		if rest != "" && !strings.HasPrefix(rest, ",") {
			return nil, s3err.New(s3err.InvalidArgument, "Grantees in a grant header are separated by commas.")
		}
		v = strings.TrimPrefix(rest, ",")
		value = strings.TrimSpace(value)
		var g Grantee
		switch strings.ToLower(strings.TrimSpace(kind)) {
		case "id":
			g.ID = value
		case "uri":
			g.URI = value
		case "emailaddress":
			return nil, unresolvableEmail(value)
		default:
			return nil, s3err.New(s3err.InvalidArgument, "Unknown grantee type %q: use id or uri.", kind)
		}
		if err := g.validate(); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

func unresolvableEmail(address string) *s3err.Error {
	return s3err.New(s3err.UnresolvableGrantByEmailAddress, "The email address you provided (%q) does not match any account on record: this store's grantees are key ids.", address)
}
