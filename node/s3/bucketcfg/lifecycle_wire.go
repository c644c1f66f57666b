package bucketcfg

import (
	"time"

	"github.com/garagego/garage/node/s3/tagging"
	"github.com/garagego/garage/node/wire"
)

// lifecycleFormat is the layout Encode writes: formatVersion's, followed
// in each rule by its tags, ExpiredObjectDeleteMarker and noncurrent
// expiration. DecodeLifecycle still reads formatVersion's, which has none.
const lifecycleFormat = formatVersion + 1

// Encode writes l canonically for the bucket table.
func (l Lifecycle) Encode(e *wire.Encoder) {
	e.Uint8(lifecycleFormat)
	e.Uvarint(uint64(len(l.Rules)))
	for _, r := range l.Rules {
		e.String(r.ID)
		e.Bool(r.Enabled)
		e.Bool(r.LegacyPrefix)
		e.String(r.Filter.Prefix)
		encodeOptionalUint(e, r.Filter.ObjectSizeGreaterThan)
		encodeOptionalUint(e, r.Filter.ObjectSizeLessThan)
		e.Varint(int64(r.ExpirationDays))
		e.Bool(!r.ExpirationDate.IsZero())
		if !r.ExpirationDate.IsZero() {
			e.Varint(r.ExpirationDate.Unix())
		}
		e.Varint(int64(r.AbortIncompleteUploadDays))
		e.Uvarint(uint64(len(r.Filter.Tags)))
		for _, t := range r.Filter.Tags {
			e.String(t.Key)
			e.String(t.Value)
		}
		e.Bool(r.ExpiredObjectDeleteMarker)
		e.Varint(int64(r.NoncurrentDays))
		e.Varint(int64(r.NewerNoncurrentVersions))
	}
}

// DecodeLifecycle reads a lifecycle configuration written by Encode,
// refusing one that would not pass ParseLifecycle.
func DecodeLifecycle(d *wire.Decoder) Lifecycle {
	format := d.Uint8()
	if d.Err() == nil && format != formatVersion && format != lifecycleFormat {
		d.Failf("lifecycle configuration: unknown format version %d", format)
	}
	var l Lifecycle
	for range d.Len(9) { // a rule takes at least nine bytes
		r := LifecycleRule{
			ID:           d.String(),
			Enabled:      d.Bool(),
			LegacyPrefix: d.Bool(),
		}
		r.Filter.Prefix = d.String()
		r.Filter.ObjectSizeGreaterThan = decodeOptionalUint(d)
		r.Filter.ObjectSizeLessThan = decodeOptionalUint(d)
		r.ExpirationDays = int(d.Varint())
		if d.Bool() {
			r.ExpirationDate = time.Unix(d.Varint(), 0).UTC()
		}
		r.AbortIncompleteUploadDays = int(d.Varint())
		if format == lifecycleFormat {
			for range d.Len(2) {
				r.Filter.Tags = append(r.Filter.Tags, tagging.Tag{Key: d.String(), Value: d.String()})
			}
			r.ExpiredObjectDeleteMarker = d.Bool()
			r.NoncurrentDays = int(d.Varint())
			r.NewerNoncurrentVersions = int(d.Varint())
		}
		l.Rules = append(l.Rules, r)
	}
	if !checkDecoded(d, "lifecycle", l.validate) {
		return Lifecycle{}
	}
	return l
}

func encodeOptionalUint(e *wire.Encoder, v *uint64) {
	e.Bool(v != nil)
	if v != nil {
		e.Uvarint(*v)
	}
}

func decodeOptionalUint(d *wire.Decoder) *uint64 {
	if !d.Bool() {
		return nil
	}
	v := d.Uvarint()
	return &v
}
