package bucketcfg

import "github.com/garagego/garage/node/wire"

func decodeVersion(d *wire.Decoder, what string) {
	if v := d.Uint8(); d.Err() == nil && v != formatVersion {
		d.Failf("%s configuration: unknown format version %d", what, v)
	}
}

// checkDecoded validates a decoded configuration, recording why it is
// refused in d. It reports whether the value is good.
func checkDecoded(d *wire.Decoder, what string, validate func() error) bool {
	if d.Err() != nil {
		return false
	}
	if err := validate(); err != nil {
		d.Failf("%s configuration: %v", what, err)
		return false
	}
	return true
}

func encodeStrings(e *wire.Encoder, values []string) {
	e.Uvarint(uint64(len(values)))
	for _, v := range values {
		e.String(v)
	}
}

// decodeStrings reads a list written by encodeStrings; an empty list is
// nil, as parsing leaves it, so decoded values compare equal to parsed ones.
func decodeStrings(d *wire.Decoder) []string {
	var out []string
	for range d.Len(1) {
		out = append(out, d.String())
	}
	return out
}

func encodeOptionalInt(e *wire.Encoder, v *int) {
	e.Bool(v != nil)
	if v != nil {
		e.Varint(int64(*v))
	}
}

func decodeOptionalInt(d *wire.Decoder) *int {
	if !d.Bool() {
		return nil
	}
	v := int(d.Varint())
	return &v
}

func encodeOptionalString(e *wire.Encoder, v *string) {
	e.Bool(v != nil)
	if v != nil {
		e.String(*v)
	}
}

func decodeOptionalString(d *wire.Decoder) *string {
	if !d.Bool() {
		return nil
	}
	v := d.String()
	return &v
}
