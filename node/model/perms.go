package model

import "strings"

// Perms are an access key's rights on a bucket.
type Perms struct {
	Read, Write, Owner bool
}

// Any reports whether p grants anything.
func (p Perms) Any() bool { return p.Read || p.Write || p.Owner }

// Or grants what either grants.
func (p Perms) Or(o Perms) Perms {
	return Perms{p.Read || o.Read, p.Write || o.Write, p.Owner || o.Owner}
}

// AndNot removes what o grants.
func (p Perms) AndNot(o Perms) Perms {
	return Perms{p.Read && !o.Read, p.Write && !o.Write, p.Owner && !o.Owner}
}

func (p Perms) String() string {
	var s []string
	if p.Read {
		s = append(s, "read")
	}
	if p.Write {
		s = append(s, "write")
	}
	if p.Owner {
		s = append(s, "owner")
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}

// Byte packs p into the byte tables store.
func (p Perms) Byte() byte {
	var b byte
	if p.Read {
		b |= 1
	}
	if p.Write {
		b |= 2
	}
	if p.Owner {
		b |= 4
	}
	return b
}

func permsOf(b []byte) Perms {
	if len(b) != 1 {
		return Perms{}
	}
	return Perms{Read: b[0]&1 != 0, Write: b[0]&2 != 0, Owner: b[0]&4 != 0}
}
