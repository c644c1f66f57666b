package bucketcfg

import "github.com/garagego/garage/node/wire"

// Encode writes w canonically for the bucket table.
func (w Website) Encode(e *wire.Encoder) {
	e.Uint8(formatVersion)
	e.String(w.IndexDocument)
	e.String(w.ErrorDocument)
	e.Bool(w.RedirectAllRequestsTo != nil)
	if ra := w.RedirectAllRequestsTo; ra != nil {
		e.String(ra.HostName)
		e.String(ra.Protocol)
	}
	e.Uvarint(uint64(len(w.RoutingRules)))
	for _, r := range w.RoutingRules {
		e.String(r.Condition.KeyPrefixEquals)
		e.String(r.Condition.HTTPErrorCodeReturnedEquals)
		e.String(r.Redirect.HostName)
		e.String(r.Redirect.HTTPRedirectCode)
		e.String(r.Redirect.Protocol)
		encodeOptionalString(e, r.Redirect.ReplaceKeyPrefixWith)
		encodeOptionalString(e, r.Redirect.ReplaceKeyWith)
	}
}

// DecodeWebsite reads a website configuration written by Encode, refusing
// one that would not pass ParseWebsite.
func DecodeWebsite(d *wire.Decoder) Website {
	decodeVersion(d, "website")
	var w Website
	w.IndexDocument = d.String()
	w.ErrorDocument = d.String()
	if d.Bool() {
		w.RedirectAllRequestsTo = &RedirectAll{HostName: d.String(), Protocol: d.String()}
	}
	for range d.Len(7) { // a rule takes at least seven bytes
		var r RoutingRule
		r.Condition.KeyPrefixEquals = d.String()
		r.Condition.HTTPErrorCodeReturnedEquals = d.String()
		r.Redirect.HostName = d.String()
		r.Redirect.HTTPRedirectCode = d.String()
		r.Redirect.Protocol = d.String()
		r.Redirect.ReplaceKeyPrefixWith = decodeOptionalString(d)
		r.Redirect.ReplaceKeyWith = decodeOptionalString(d)
		w.RoutingRules = append(w.RoutingRules, r)
	}
	if !checkDecoded(d, "website", w.validate) {
		return Website{}
	}
	return w
}
