package acl

import (
	"slices"
	"strings"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/s3/s3err"
)

// Permission is what a grant gives its grantee.
type Permission string

// The five permissions of S3's ACLs.
const (
	FullControl Permission = "FULL_CONTROL"
	Read        Permission = "READ"
	Write       Permission = "WRITE"
	ReadACP     Permission = "READ_ACP"
	WriteACP    Permission = "WRITE_ACP"
)

var permissions = []Permission{FullControl, Read, Write, ReadACP, WriteACP}

// ParsePermission reads a permission name.
func ParsePermission(s string) (Permission, error) {
	if p := Permission(s); slices.Contains(permissions, p) {
		return p, nil
	}
	return "", s3err.New(s3err.MalformedACLError, "The permission %q is not one of FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP.", s)
}

// The URIs of the two groups this store knows. (S3's LogDelivery group has
// no members here and is refused.)
const (
	AllUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
)

// Grantee is who a grant is for: a key (ID, its canonical user id) or a
// group (URI). Exactly one is set.
type Grantee struct {
	ID  string
	URI string
}

// Public reports whether the grantee is one of the groups S3 counts as
// public: everyone, or every authenticated principal.
func (g Grantee) Public() bool { return g.URI == AllUsers || g.URI == AuthenticatedUsers }

// Matches reports whether the grantee includes the principal: key (""
// for an anonymous request).
func (g Grantee) Matches(key string) bool {
	switch g.URI {
	case AllUsers:
		return true
	case AuthenticatedUsers:
		return key != ""
	}
	return g.ID != "" && g.ID == key
}

// Grant gives a grantee a permission.
type Grant struct {
	Grantee    Grantee
	Permission Permission
}

// MaxGrants is S3's limit on the grants of one ACL.
const MaxGrants = 100

// ACL is the access control list of a bucket or an object. The owner has
// FULL_CONTROL implicitly: Grants lists what else is granted. Owner "" is
// the bucket's owner (the key with the owner right), which owns the bucket
// itself and every object not written under ObjectWriter ownership by
// another key.
type ACL struct {
	Owner  string
	Grants []Grant
}

// Public reports whether the ACL grants anything to a public group.
func (a ACL) Public() bool {
	return slices.ContainsFunc(a.Grants, func(g Grant) bool { return g.Grantee.Public() })
}

// OnlyOwner reports whether the ACL grants nothing but to the owner
// (ownerID resolving Owner ""): the only ACL BucketOwnerEnforced allows.
func (a ACL) OnlyOwner(ownerID string) bool {
	owner := a.Owner
	if owner == "" {
		owner = ownerID
	}
	for _, g := range a.Grants {
		if g.Grantee.ID == "" || g.Grantee.ID != owner {
			return false
		}
	}
	return true
}

// Permissions returns what the ACL grants the principal key ("" when
// anonymous), the owner's FULL_CONTROL aside. ignorePublic drops the
// grants to public groups (PublicAccessBlock's IgnorePublicAcls).
func (a ACL) Permissions(key string, ignorePublic bool) []Permission {
	var out []Permission
	for _, g := range a.Grants {
		if ignorePublic && g.Grantee.Public() {
			continue
		}
		if g.Grantee.Matches(key) && !slices.Contains(out, g.Permission) {
			out = append(out, g.Permission)
		}
	}
	return out
}

// validate checks the invariants every ACL keeps, parsed or decoded.
func (a ACL) validate() error {
	if len(a.Grants) > MaxGrants {
		return s3err.New(s3err.MalformedACLError, "An ACL may hold at most %d grants, not %d.", MaxGrants, len(a.Grants))
	}
	if a.Owner != "" {
		if err := model.ValidKeyID(a.Owner); err != nil {
			return s3err.New(s3err.InvalidArgument, "Invalid id: the owner %q is not an access key id.", a.Owner)
		}
	}
	for _, g := range a.Grants {
		if _, err := ParsePermission(string(g.Permission)); err != nil {
			return err
		}
		if err := g.Grantee.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (g Grantee) validate() error {
	switch {
	case g.ID != "" && g.URI != "":
		return s3err.New(s3err.MalformedACLError, "A grantee is a canonical user or a group, not both.")
	case g.ID != "":
		if model.ValidKeyID(g.ID) != nil {
			return s3err.New(s3err.InvalidArgument, "Invalid id: %q is not an access key id (the canonical user id of a key is its id).", g.ID)
		}
	case g.URI != "":
		if g.URI != AllUsers && g.URI != AuthenticatedUsers {
			return s3err.New(s3err.InvalidArgument, "Invalid group uri: %q (this store knows %s and %s).", g.URI, AllUsers, AuthenticatedUsers)
		}
	default:
		return s3err.New(s3err.MalformedACLError, "A grantee needs an ID or a URI.")
	}
	return nil
}

// normalize sorts and deduplicates the grants, so that equal ACLs encode
// equally.
func (a ACL) normalize() ACL {
	out := ACL{Owner: a.Owner, Grants: slices.Clone(a.Grants)}
	slices.SortFunc(out.Grants, func(x, y Grant) int {
		if c := strings.Compare(x.Grantee.URI, y.Grantee.URI); c != 0 {
			return c
		}
		if c := strings.Compare(x.Grantee.ID, y.Grantee.ID); c != 0 {
			return c
		}
		return strings.Compare(string(x.Permission), string(y.Permission))
	})
	out.Grants = slices.Compact(out.Grants)
	if len(out.Grants) == 0 {
		out.Grants = nil
	}
	return out
}
