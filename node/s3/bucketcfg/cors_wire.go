package bucketcfg

import "github.com/garagego/garage/node/wire"

// Encode writes c canonically for the bucket table.
func (c CORS) Encode(e *wire.Encoder) {
	e.Uint8(formatVersion)
	e.Uvarint(uint64(len(c.Rules)))
	for _, r := range c.Rules {
		e.String(r.ID)
		encodeStrings(e, r.AllowedOrigins)
		encodeStrings(e, r.AllowedMethods)
		encodeStrings(e, r.AllowedHeaders)
		encodeStrings(e, r.ExposeHeaders)
		encodeOptionalInt(e, r.MaxAgeSeconds)
	}
}

// DecodeCORS reads a CORS configuration written by Encode. A configuration
// that would not pass ParseCORS is refused, so stored rules keep the
// invariants matching relies on.
func DecodeCORS(d *wire.Decoder) CORS {
	decodeVersion(d, "CORS")
	var c CORS
	for range d.Len(6) { // a rule takes at least six bytes
		c.Rules = append(c.Rules, Rule{
			ID:             d.String(),
			AllowedOrigins: decodeStrings(d),
			AllowedMethods: decodeStrings(d),
			AllowedHeaders: decodeStrings(d),
			ExposeHeaders:  decodeStrings(d),
			MaxAgeSeconds:  decodeOptionalInt(d),
		})
	}
	if !checkDecoded(d, "CORS", c.validate) {
		return CORS{}
	}
	return c
}
