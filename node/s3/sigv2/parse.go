package sigv2

import (
	"strings"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// The scheme of a V2 Authorization header and the query parameters of a
// V2 presigned URL.
const (
	scheme         = "AWS"
	queryAccessKey = "AWSAccessKeyId"
	querySignature = "Signature"
	queryExpires   = "Expires"
)

// v4QueryParams mark a SigV4 presigned URL.
var v4QueryParams = []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"}

// Messages AWS answers with, so that clients and their users recognise them.
const (
	msgMalformedHeader = "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"
	msgNoDate          = "AWS authentication requires a valid Date or x-amz-date header"
	msgQueryParams     = "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"
	msgOneMechanism    = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
)

// Auth is the V2 authentication a request claims, before it is verified.
type Auth struct {
	AccessKey string
	Signature string // base64, as sent
	Presigned bool
	// Date is when a header-signed request was signed (x-amz-date, else
	// Date); Expires is when a presigned URL stops working.
	Date    time.Time
	Expires time.Time
	// dateLine is the string to sign's date line: the Date header as
	// sent, empty beside an x-amz-date (which is signed among the x-amz-*
	// headers instead), or a presigned URL's Expires as sent.
	dateLine string
	// rawDate is the date as sent, for RequestTimeTooSkewed.
	rawDate string
}

// Claims reports whether req is Signature Version 2's to authenticate: it
// has one Authorization header in the "AWS" scheme, or, without an
// Authorization header, a V2 presigned URL's parameters and none of
// SigV4's. Everything else (SigV4, unsigned requests, and the mixtures
// sigv4.Parse refuses) is not.
func Claims(req Request) bool {
	auth := req.headerValues("Authorization")
	switch len(auth) {
	case 0:
		return hasV2Query(req) && !hasV4Query(req)
	case 1:
		s, _ := splitScheme(auth[0])
		return s == scheme
	}
	return false
}

func hasV2Query(req Request) bool {
	return req.Query.Has(queryAccessKey) || req.Query.Has(querySignature) || req.Query.Has(queryExpires)
}

func hasV4Query(req Request) bool {
	for _, p := range v4QueryParams {
		if req.Query.Has(p) {
			return true
		}
	}
	return false
}

// splitScheme splits an Authorization value at its first blank.
func splitScheme(v string) (scheme, rest string) {
	v = strings.TrimLeft(v, " \t")
	if i := strings.IndexAny(v, " \t"); i >= 0 {
		return v[:i], v[i+1:]
	}
	return v, ""
}

// Parse reads the V2 authentication of a request that Claims. It checks
// the form of what it finds and that the date can be read; Verify checks
// the time and the signature.
func Parse(req Request) (Auth, error) {
	if auth := req.headerValues("Authorization"); len(auth) == 1 {
		return parseHeader(req, auth[0])
	}
	return parseQuery(req)
}

// parseHeader reads "AWS AKID:signature" and the request's date.
func parseHeader(req Request, value string) (Auth, error) {
	if hasV2Query(req) || hasV4Query(req) {
		return Auth{}, s3err.New(s3err.InvalidArgument, "%s", msgOneMechanism)
	}
	_, rest := splitScheme(value)
	key, signature, ok := strings.Cut(rest, ":")
	if !ok || key == "" || signature == "" || strings.ContainsAny(rest, " \t") || strings.Contains(signature, ":") {
		return Auth{}, s3err.New(s3err.InvalidArgument, "%s", msgMalformedHeader).
			With("ArgumentName", "Authorization").With("ArgumentValue", value)
	}
	a := Auth{AccessKey: key, Signature: signature}
	switch {
	case req.hasHeader("X-Amz-Date"):
		a.rawDate = req.headerLine("X-Amz-Date")
	case req.hasHeader("Date"):
		a.rawDate = req.headerLine("Date")
		a.dateLine = a.rawDate
	default:
		return Auth{}, s3err.New(s3err.AccessDenied, "%s", msgNoDate)
	}
	if a.Date, ok = parseDate(a.rawDate); !ok {
		return Auth{}, s3err.New(s3err.AccessDenied, "%s", msgNoDate)
	}
	return a, nil
}

// parseQuery reads a V2 presigned URL's AWSAccessKeyId, Signature and
// Expires.
func parseQuery(req Request) (Auth, error) {
	param := make(map[string]string, 3)
	for _, name := range []string{queryAccessKey, querySignature, queryExpires} {
		values := req.Query[name]
		// Two values would leave it ambiguous which one was signed.
		if len(values) != 1 || values[0] == "" {
			return Auth{}, s3err.New(s3err.AccessDenied, "%s", msgQueryParams)
		}
		param[name] = values[0]
	}
	expires, ok := parseExpires(param[queryExpires])
	if !ok {
		return Auth{}, s3err.New(s3err.AccessDenied, "Invalid date (should be seconds since epoch): %s", param[queryExpires])
	}
	// botocore copies the x-amz-* headers, Content-Type and Content-MD5 it
	// signs into a V2 URL's query. The signature covers the headers sent,
	// as in S3, so a Content-Type or Content-MD5 there is just an unknown
	// parameter; but an x-amz-* one asks for something (an ACL, metadata)
	// this store does not take from a query, and is refused rather than
	// dropped.
	for _, name := range sortedKeys(req.Query) {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-") {
			return Auth{}, s3err.New(s3err.NotImplemented, "Headers carried as query parameters (%s) of a Signature Version 2 presigned URL are not implemented by this store: send them as headers.", name)
		}
	}
	// A '+' the URL left unencoded arrives as a blank, which base64 never
	// contains.
	signature := strings.ReplaceAll(param[querySignature], " ", "+")
	return Auth{
		AccessKey: param[queryAccessKey],
		Signature: signature,
		Presigned: true,
		Expires:   expires,
		dateLine:  param[queryExpires],
	}, nil
}
