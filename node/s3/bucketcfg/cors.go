package bucketcfg

import (
	"math"
	"slices"
	"strings"

	"github.com/garagego/garage/node/s3/s3xml"
)

// CORS is a bucket's CORS configuration: rules tried in order.
type CORS struct {
	Rules []Rule
}

// Rule is one CORS rule: which origins may send which methods with which
// headers, and what the browser is told in return.
type Rule struct {
	ID             string
	AllowedOrigins []string // each with at most one '*'
	AllowedMethods []string // GET, PUT, POST, DELETE or HEAD
	AllowedHeaders []string // each with at most one '*'; matched without case
	ExposeHeaders  []string
	MaxAgeSeconds  *int // nil: no Access-Control-Max-Age
}

// MaxCORSRules is the most rules a CORS configuration may have.
const MaxCORSRules = 100

// corsMethods are the methods a CORS rule may allow.
var corsMethods = []string{"GET", "PUT", "POST", "DELETE", "HEAD"}

// validate applies S3's rules to a configuration, parsed or decoded.
func (c CORS) validate() error {
	if len(c.Rules) == 0 {
		return s3xml.Malformed("CORSConfiguration has no CORSRule")
	}
	if len(c.Rules) > MaxCORSRules {
		return invalidRequest("The CORS configuration must have no more than %d rules, it has %d", MaxCORSRules, len(c.Rules))
	}
	for _, r := range c.Rules {
		if err := r.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (r Rule) validate() error {
	if len(r.ID) > MaxRuleIDLen {
		return invalidArgument("The ID of a CORSRule cannot be longer than %d characters", MaxRuleIDLen)
	}
	if len(r.AllowedOrigins) == 0 {
		return s3xml.Malformed("CORSRule has no AllowedOrigin")
	}
	if len(r.AllowedMethods) == 0 {
		return s3xml.Malformed("CORSRule has no AllowedMethod")
	}
	for _, o := range r.AllowedOrigins {
		if o == "" {
			return invalidRequest("AllowedOrigin cannot be empty")
		}
		if strings.Count(o, "*") > 1 {
			return invalidRequest("AllowedOrigin %q can not have more than one wildcard.", o)
		}
	}
	for _, m := range r.AllowedMethods {
		if !slices.Contains(corsMethods, m) {
			return invalidRequest("Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
		}
	}
	for _, h := range r.AllowedHeaders {
		if h == "" {
			return invalidRequest("AllowedHeader cannot be empty")
		}
		if strings.Count(h, "*") > 1 {
			return invalidRequest("AllowedHeader %q can not have more than one wildcard.", h)
		}
	}
	for _, h := range r.ExposeHeaders {
		if h == "" {
			return invalidRequest("ExposeHeader cannot be empty")
		}
		if strings.Contains(h, "*") {
			return invalidRequest("ExposeHeader %q contains wildcard. We currently do not support wildcard for ExposeHeader.", h)
		}
	}
	if r.MaxAgeSeconds != nil && (*r.MaxAgeSeconds < 0 || *r.MaxAgeSeconds > math.MaxInt32) {
		return invalidArgument("MaxAgeSeconds must be between 0 and %d, not %d", math.MaxInt32, *r.MaxAgeSeconds)
	}
	return nil
}
