package bucketcfg

import (
	"encoding/xml"
	"strings"

	"github.com/garagego/garage/node/s3/s3xml"
)

// websiteDoc is the <WebsiteConfiguration> document of PutBucketWebsite and
// GetBucketWebsite. Pointers tell an element left out from one left empty.
type websiteDoc struct {
	XMLName               xml.Name          `xml:"http://s3.amazonaws.com/doc/2006-03-01/ WebsiteConfiguration"`
	RedirectAllRequestsTo *redirectAllDoc   `xml:"RedirectAllRequestsTo"`
	IndexDocument         *indexDocumentDoc `xml:"IndexDocument"`
	ErrorDocument         *errorDocumentDoc `xml:"ErrorDocument"`
	RoutingRules          *routingRulesDoc  `xml:"RoutingRules"`
	Unknown               []unknownElement  `xml:",any"`
}

type redirectAllDoc struct {
	HostName string           `xml:"HostName"`
	Protocol string           `xml:"Protocol,omitempty"`
	Unknown  []unknownElement `xml:",any"`
}

type indexDocumentDoc struct {
	Suffix  string           `xml:"Suffix"`
	Unknown []unknownElement `xml:",any"`
}

type errorDocumentDoc struct {
	Key     string           `xml:"Key"`
	Unknown []unknownElement `xml:",any"`
}

type routingRulesDoc struct {
	Rules   []routingRuleDoc `xml:"RoutingRule"`
	Unknown []unknownElement `xml:",any"`
}

type routingRuleDoc struct {
	Condition *conditionDoc    `xml:"Condition"`
	Redirect  *redirectDoc     `xml:"Redirect"`
	Unknown   []unknownElement `xml:",any"`
}

type conditionDoc struct {
	KeyPrefixEquals             *string          `xml:"KeyPrefixEquals"`
	HTTPErrorCodeReturnedEquals *string          `xml:"HttpErrorCodeReturnedEquals"`
	Unknown                     []unknownElement `xml:",any"`
}

type redirectDoc struct {
	HostName             string           `xml:"HostName,omitempty"`
	HTTPRedirectCode     string           `xml:"HttpRedirectCode,omitempty"`
	Protocol             string           `xml:"Protocol,omitempty"`
	ReplaceKeyPrefixWith *string          `xml:"ReplaceKeyPrefixWith"`
	ReplaceKeyWith       *string          `xml:"ReplaceKeyWith"`
	Unknown              []unknownElement `xml:",any"`
}

// ParseWebsite reads and validates the body of PutBucketWebsite.
func ParseWebsite(body []byte) (Website, error) {
	var doc websiteDoc
	if err := s3xml.Decode(body, MaxConfigSize, &doc); err != nil {
		return Website{}, err
	}
	w, err := doc.website()
	if err != nil {
		return Website{}, err
	}
	if err := w.validate(); err != nil {
		return Website{}, err
	}
	return w, nil
}

// website converts the document, refusing what validate cannot see once
// the document is gone: unknown elements, and elements present but empty.
func (doc websiteDoc) website() (Website, error) {
	var w Website
	if err := rejectUnknown("WebsiteConfiguration", doc.Unknown); err != nil {
		return w, err
	}
	if ra := doc.RedirectAllRequestsTo; ra != nil {
		if err := rejectUnknown("RedirectAllRequestsTo", ra.Unknown); err != nil {
			return w, err
		}
		w.RedirectAllRequestsTo = &RedirectAll{HostName: strings.TrimSpace(ra.HostName), Protocol: strings.TrimSpace(ra.Protocol)}
	}
	if ix := doc.IndexDocument; ix != nil {
		if err := rejectUnknown("IndexDocument", ix.Unknown); err != nil {
			return w, err
		}
		if ix.Suffix == "" {
			return w, invalidArgument("The IndexDocument Suffix is not well formed: it cannot be empty")
		}
		w.IndexDocument = ix.Suffix
	}
	if ed := doc.ErrorDocument; ed != nil {
		if err := rejectUnknown("ErrorDocument", ed.Unknown); err != nil {
			return w, err
		}
		if ed.Key == "" {
			return w, invalidArgument("The ErrorDocument Key is not well formed: it cannot be empty")
		}
		w.ErrorDocument = ed.Key
	}
	if rr := doc.RoutingRules; rr != nil {
		if err := rejectUnknown("RoutingRules", rr.Unknown); err != nil {
			return w, err
		}
		for _, rd := range rr.Rules {
			r, err := rd.rule()
			if err != nil {
				return w, err
			}
			w.RoutingRules = append(w.RoutingRules, r)
		}
	}
	return w, nil
}

func (rd routingRuleDoc) rule() (RoutingRule, error) {
	var r RoutingRule
	if err := rejectUnknown("RoutingRule", rd.Unknown); err != nil {
		return r, err
	}
	if c := rd.Condition; c != nil {
		if err := rejectUnknown("Condition", c.Unknown); err != nil {
			return r, err
		}
		if c.KeyPrefixEquals == nil && c.HTTPErrorCodeReturnedEquals == nil {
			return r, invalidArgument("Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.")
		}
		r.Condition = RoutingCondition{KeyPrefixEquals: deref(c.KeyPrefixEquals), HTTPErrorCodeReturnedEquals: strings.TrimSpace(deref(c.HTTPErrorCodeReturnedEquals))}
	}
	d := rd.Redirect
	if d == nil {
		return r, s3xml.Malformed("RoutingRule has no Redirect")
	}
	if err := rejectUnknown("Redirect", d.Unknown); err != nil {
		return r, err
	}
	r.Redirect = Redirect{
		HostName:             strings.TrimSpace(d.HostName),
		HTTPRedirectCode:     strings.TrimSpace(d.HTTPRedirectCode),
		Protocol:             strings.TrimSpace(d.Protocol),
		ReplaceKeyPrefixWith: d.ReplaceKeyPrefixWith,
		ReplaceKeyWith:       d.ReplaceKeyWith,
	}
	return r, nil
}

// XML renders w as the body of GetBucketWebsite.
func (w Website) XML() []byte {
	var doc websiteDoc
	if ra := w.RedirectAllRequestsTo; ra != nil {
		doc.RedirectAllRequestsTo = &redirectAllDoc{HostName: ra.HostName, Protocol: ra.Protocol}
	}
	if w.IndexDocument != "" {
		doc.IndexDocument = &indexDocumentDoc{Suffix: w.IndexDocument}
	}
	if w.ErrorDocument != "" {
		doc.ErrorDocument = &errorDocumentDoc{Key: w.ErrorDocument}
	}
	if len(w.RoutingRules) > 0 {
		doc.RoutingRules = &routingRulesDoc{}
		for _, r := range w.RoutingRules {
			rd := routingRuleDoc{Redirect: &redirectDoc{
				HostName:             r.Redirect.HostName,
				HTTPRedirectCode:     r.Redirect.HTTPRedirectCode,
				Protocol:             r.Redirect.Protocol,
				ReplaceKeyPrefixWith: r.Redirect.ReplaceKeyPrefixWith,
				ReplaceKeyWith:       r.Redirect.ReplaceKeyWith,
			}}
			if c := r.Condition; c != (RoutingCondition{}) {
				rd.Condition = &conditionDoc{KeyPrefixEquals: nonEmpty(c.KeyPrefixEquals), HTTPErrorCodeReturnedEquals: nonEmpty(c.HTTPErrorCodeReturnedEquals)}
			}
			doc.RoutingRules.Rules = append(doc.RoutingRules.Rules, rd)
		}
	}
	return s3xml.Marshal(doc)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// nonEmpty points to s, or is nil for "" so the element is left out.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
