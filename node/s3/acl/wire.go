package acl

import (
	"fmt"
	"slices"

	"github.com/garagego/garage/node/wire"
)

// formatVersion heads every encoding, so that a later format can be told
// apart.
const formatVersion = 1

// Encode writes a canonically (normalized) for storage.
func (a ACL) Encode(e *wire.Encoder) {
	n := a.normalize()
	e.Uint8(formatVersion)
	e.String(n.Owner)
	e.Uvarint(uint64(len(n.Grants)))
	for _, g := range n.Grants {
		e.String(g.Grantee.ID)
		e.String(g.Grantee.URI)
		e.String(string(g.Permission))
	}
}

// DecodeACL reads an ACL written by Encode; one that would not validate
// fails the decoder.
func DecodeACL(d *wire.Decoder) ACL {
	if v := d.Uint8(); d.Err() == nil && v != formatVersion {
		d.Failf("acl: unknown format %d", v)
		return ACL{}
	}
	a := ACL{Owner: d.String()}
	for range d.Len(3) {
		a.Grants = append(a.Grants, Grant{Grantee{ID: d.String(), URI: d.String()}, Permission(d.String())})
	}
	if d.Err() != nil {
		return ACL{}
	}
	if err := a.validate(); err != nil {
		d.Fail(fmt.Errorf("acl: %w", err))
		return ACL{}
	}
	if n := a.normalize(); !slices.Equal(n.Grants, a.Grants) {
		d.Failf("acl: grants not in canonical order")
		return ACL{}
	}
	return a
}

// Encode writes o for storage.
func (o Ownership) Encode(e *wire.Encoder) {
	e.Uint8(formatVersion)
	e.String(string(o))
}

// DecodeOwnership reads an Ownership written by Encode
// (NoOwnershipControls included).
func DecodeOwnership(d *wire.Decoder) Ownership {
	if v := d.Uint8(); d.Err() == nil && v != formatVersion {
		d.Failf("ownership: unknown format %d", v)
		return ""
	}
	s := d.String()
	if s == "" {
		return NoOwnershipControls
	}
	o, err := ParseOwnership(s)
	if d.Err() == nil && err != nil {
		d.Fail(fmt.Errorf("ownership: %w", err))
	}
	return o
}

// Encode writes p for storage.
func (p PublicAccessBlock) Encode(e *wire.Encoder) {
	e.Uint8(formatVersion)
	e.Bool(p.BlockPublicAcls)
	e.Bool(p.IgnorePublicAcls)
	e.Bool(p.BlockPublicPolicy)
	e.Bool(p.RestrictPublicBuckets)
}

// DecodePublicAccessBlock reads a PublicAccessBlock written by Encode.
func DecodePublicAccessBlock(d *wire.Decoder) PublicAccessBlock {
	if v := d.Uint8(); d.Err() == nil && v != formatVersion {
		d.Failf("public access block: unknown format %d", v)
		return PublicAccessBlock{}
	}
	return PublicAccessBlock{d.Bool(), d.Bool(), d.Bool(), d.Bool()}
}
