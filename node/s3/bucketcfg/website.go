package bucketcfg

import (
	"strconv"
	"strings"
)

// Website is a bucket's static website configuration. Either every request
// is redirected (RedirectAllRequestsTo), or the bucket serves its objects
// with IndexDocument appended to "directory" requests, ErrorDocument on
// errors, and RoutingRules applied. It is stored and returned as given;
// serving it is the web endpoint's job.
type Website struct {
	IndexDocument         string // the index suffix; "" when redirecting all
	ErrorDocument         string // the error page's key; "" for none
	RedirectAllRequestsTo *RedirectAll
	RoutingRules          []RoutingRule
}

// RedirectAll sends every request of the website elsewhere.
type RedirectAll struct {
	HostName string
	Protocol string // "http", "https" or "" for the request's own
}

// RoutingRule redirects the requests meeting Condition.
type RoutingRule struct {
	Condition RoutingCondition // the zero condition holds for every request
	Redirect  Redirect
}

// RoutingCondition selects requests by key prefix, by the error they would
// get, or by both; an empty field does not restrict.
type RoutingCondition struct {
	KeyPrefixEquals             string
	HTTPErrorCodeReturnedEquals string
}

// Redirect says where a matching request goes. Empty fields keep the
// request's own host and protocol and the code 301. The key replacements
// are pointers because an empty replacement (strip the prefix, go to the
// root) differs from none.
type Redirect struct {
	HostName             string
	HTTPRedirectCode     string
	Protocol             string
	ReplaceKeyPrefixWith *string
	ReplaceKeyWith       *string
}

// MaxRoutingRules is the most routing rules a website may have.
const MaxRoutingRules = 50

// validate applies S3's rules to a configuration, parsed or decoded.
func (w Website) validate() error {
	if w.RedirectAllRequestsTo != nil {
		if w.IndexDocument != "" || w.ErrorDocument != "" || len(w.RoutingRules) > 0 {
			return invalidArgument("RedirectAllRequestsTo cannot be provided in conjunction with IndexDocument, ErrorDocument or RoutingRules")
		}
		if w.RedirectAllRequestsTo.HostName == "" {
			return invalidArgument("RedirectAllRequestsTo requires a HostName")
		}
		return checkProtocol(w.RedirectAllRequestsTo.Protocol)
	}
	if w.IndexDocument == "" {
		return invalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty")
	}
	if strings.Contains(w.IndexDocument, "/") {
		return invalidArgument("The IndexDocument Suffix is not well formed: it cannot contain '/'")
	}
	if len(w.RoutingRules) > MaxRoutingRules {
		return invalidArgument("A website configuration can have at most %d routing rules, it has %d", MaxRoutingRules, len(w.RoutingRules))
	}
	for _, r := range w.RoutingRules {
		if err := r.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (r RoutingRule) validate() error {
	if code := r.Condition.HTTPErrorCodeReturnedEquals; code != "" && !httpCodeIn(code, 400, 599) {
		return invalidArgument("The provided HTTP error code (%s) is not valid. Valid codes are 4XX or 5XX.", code)
	}
	d := r.Redirect
	if d == (Redirect{}) {
		return invalidArgument("A Redirect must name at least one of HostName, HttpRedirectCode, Protocol, ReplaceKeyPrefixWith or ReplaceKeyWith")
	}
	if d.ReplaceKeyPrefixWith != nil && d.ReplaceKeyWith != nil {
		return invalidArgument("You can only define ReplaceKeyPrefix or ReplaceKey but not both.")
	}
	if d.HTTPRedirectCode != "" && !httpCodeIn(d.HTTPRedirectCode, 301, 399) {
		return invalidArgument("The provided HTTP redirect code (%s) is not valid. Valid codes are 3XX except 300.", d.HTTPRedirectCode)
	}
	return checkProtocol(d.Protocol)
}

func checkProtocol(p string) error {
	if p != "" && p != "http" && p != "https" {
		return invalidArgument("Invalid protocol %q, protocol can be http or https. If not defined the protocol will be selected automatically.", p)
	}
	return nil
}

// httpCodeIn reports whether code is a three-digit status in [lo, hi].
func httpCodeIn(code string, lo, hi int) bool {
	n, err := strconv.Atoi(code)
	return err == nil && len(code) == 3 && n >= lo && n <= hi
}
