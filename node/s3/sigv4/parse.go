package sigv4

import (
	"strconv"
	"strings"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// UnsignedPayload is the x-amz-content-sha256 value of a request whose body
// is not covered by the signature; presigned URLs imply it.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// MaxPresignExpiry is the longest validity a presigned URL may ask for.
const MaxPresignExpiry = 7 * 24 * time.Hour

// The query parameters of a presigned URL.
const (
	queryAlgorithm     = "X-Amz-Algorithm"
	queryCredential    = "X-Amz-Credential"
	queryDate          = "X-Amz-Date"
	queryExpires       = "X-Amz-Expires"
	querySignedHeaders = "X-Amz-SignedHeaders"
	querySignature     = "X-Amz-Signature"
	queryContentSHA256 = "X-Amz-Content-Sha256"
)

// Auth is the authentication a request claims, before it is verified.
type Auth struct {
	AccessKey     string
	Date          time.Time // when the client signed, from X-Amz-Date (or Date)
	Scope         string    // date/region/service/aws4_request
	Region        string
	Service       string
	SignedHeaders []string // lowercase names, in the order the client listed them
	Signature     string
	Presigned     bool          // true for query authentication
	Expires       time.Duration // validity of a presigned URL
	ContentSHA256 string        // the payload hash the signature covers
}

// Parse finds the authentication a request carries: an Authorization header
// or presigned-URL query parameters. It returns false and no error for an
// anonymous request. It checks only the form of what it finds; Verify
// checks the signature.
func Parse(req Request) (Auth, bool, error) {
	authorization := req.headerValues("Authorization")
	presigned := req.Query.Has(queryAlgorithm) || req.Query.Has(queryCredential) || req.Query.Has(querySignature)
	presignedV2 := req.Query.Has("AWSAccessKeyId") && req.Query.Has("Signature")
	switch {
	case len(authorization) > 0 && (presigned || presignedV2):
		return Auth{}, false, s3err.New(s3err.InvalidArgument, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	case len(authorization) > 1:
		return Auth{}, false, errMalformed(false, "more than one Authorization header was sent.")
	case len(authorization) == 1:
		a, err := parseHeaderAuth(req, authorization[0])
		return a, err == nil, err
	case presigned:
		a, err := parseQueryAuth(req)
		return a, err == nil, err
	case presignedV2:
		return Auth{}, false, s3err.New(s3err.InvalidRequest, "%s", msgUseV4)
	}
	return Auth{}, false, nil
}

// parseHeaderAuth parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...". Clients differ in the separators they put between the
// three fields, so commas and blanks are all accepted there.
func parseHeaderAuth(req Request, value string) (Auth, error) {
	value = strings.TrimSpace(value)
	scheme, rest := value, ""
	if i := strings.IndexAny(value, " \t"); i >= 0 {
		scheme, rest = value[:i], value[i+1:]
	}
	if scheme != algorithm {
		// "AWS AKID:signature" is Signature Version 2: package sigv2's, for
		// a caller that accepts it (it asks sigv2.Claims first); SigV4
		// alone refuses it, as every region AWS opened since 2014 does.
		return Auth{}, s3err.New(s3err.InvalidRequest, "%s", msgUseV4)
	}
	components := make(map[string]string, 3)
	for _, f := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		name, v, ok := strings.Cut(f, "=")
		switch {
		case !ok:
			return Auth{}, errMalformed(false, "the authorization component %q is malformed.", f)
		case name != "Credential" && name != "SignedHeaders" && name != "Signature":
			return Auth{}, errMalformed(false, "the authorization component %q is not recognised.", name)
		}
		if _, repeated := components[name]; repeated {
			return Auth{}, errMalformed(false, "the authorization component %q is repeated.", name)
		}
		components[name] = v
	}
	credential, signedHeaders, signature := components["Credential"], components["SignedHeaders"], components["Signature"]
	if credential == "" || signedHeaders == "" || signature == "" {
		return Auth{}, errMalformed(false, "it must contain Credential, SignedHeaders and Signature.")
	}
	cred, problem := parseCredential(credential)
	if problem != "" {
		return Auth{}, errMalformed(false, "%s", problem)
	}
	headers, ok := parseSignedHeaders(signedHeaders)
	if !ok {
		return Auth{}, errMalformed(false, "the SignedHeaders component %q is malformed.", signedHeaders)
	}
	date, ok := headerDate(req)
	if !ok {
		return Auth{}, s3err.New(s3err.AccessDenied, "AWS authentication requires a valid Date or x-amz-date header")
	}
	return Auth{
		AccessKey:     cred.AccessKey,
		Date:          date,
		Scope:         cred.Scope(),
		Region:        cred.Region,
		Service:       cred.Service,
		SignedHeaders: headers,
		Signature:     signature,
		ContentSHA256: req.header("X-Amz-Content-Sha256"),
	}, nil
}

// headerDate is the signing time of a header-authenticated request:
// X-Amz-Date, or the Date header when there is none.
func headerDate(req Request) (time.Time, bool) {
	if req.hasHeader("X-Amz-Date") {
		return parseAmzDate(strings.TrimSpace(req.header("X-Amz-Date")))
	}
	if req.hasHeader("Date") {
		return parseHTTPDate(strings.TrimSpace(req.header("Date")))
	}
	return time.Time{}, false
}

// parseQueryAuth parses the X-Amz-* parameters of a presigned URL.
func parseQueryAuth(req Request) (Auth, error) {
	param := make(map[string]string, 6)
	for _, name := range []string{queryAlgorithm, queryCredential, queryDate, queryExpires, querySignedHeaders, querySignature} {
		values := req.Query[name]
		if len(values) == 0 || values[0] == "" {
			return Auth{}, errMalformed(true, "%s", msgQueryParamsNeeded)
		}
		if len(values) > 1 {
			// Two values would leave it ambiguous which one was signed.
			return Auth{}, errMalformed(true, "The %s parameter is repeated.", name)
		}
		param[name] = values[0]
	}
	if param[queryAlgorithm] != algorithm {
		return Auth{}, errMalformed(true, "X-Amz-Algorithm only supports \"%s\"", algorithm)
	}
	cred, problem := parseCredential(param[queryCredential])
	if problem != "" {
		return Auth{}, errMalformed(true, "Error parsing the X-Amz-Credential parameter; %s", problem)
	}
	date, ok := parseAmzDate(param[queryDate])
	if !ok {
		return Auth{}, errMalformed(true, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	expires, err := parseExpires(param[queryExpires])
	if err != nil {
		return Auth{}, err
	}
	headers, ok := parseSignedHeaders(param[querySignedHeaders])
	if !ok {
		return Auth{}, errMalformed(true, "X-Amz-SignedHeaders %q is malformed.", param[querySignedHeaders])
	}
	payload := UnsignedPayload
	if req.hasHeader("X-Amz-Content-Sha256") {
		payload = req.header("X-Amz-Content-Sha256")
	} else if req.Query.Has(queryContentSHA256) {
		payload = req.Query.Get(queryContentSHA256)
	}
	return Auth{
		AccessKey:     cred.AccessKey,
		Date:          date,
		Scope:         cred.Scope(),
		Region:        cred.Region,
		Service:       cred.Service,
		SignedHeaders: headers,
		Signature:     param[querySignature],
		Presigned:     true,
		Expires:       expires,
		ContentSHA256: payload,
	}, nil
}

func parseExpires(s string) (time.Duration, error) {
	seconds, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return 0, errMalformed(true, "X-Amz-Expires should be a number")
	case seconds <= 0:
		return 0, errMalformed(true, "X-Amz-Expires must be positive")
	case seconds > int64(MaxPresignExpiry/time.Second):
		return 0, errMalformed(true, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	return time.Duration(seconds) * time.Second, nil
}

// parseSignedHeaders splits "host;x-amz-date" into lowercase names.
func parseSignedHeaders(s string) ([]string, bool) {
	if s == "" {
		return nil, false
	}
	names := strings.Split(s, ";")
	for i, n := range names {
		if n == "" || strings.ContainsAny(n, " \t:") {
			return nil, false
		}
		names[i] = strings.ToLower(n)
	}
	return names, true
}
