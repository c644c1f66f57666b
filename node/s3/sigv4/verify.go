package sigv4

import (
	"slices"
	"strings"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// MaxClockSkew is how far a signing time may be from the server's clock.
const MaxClockSkew = 15 * time.Minute

// Verified is what a checked signature establishes, and what the body
// readers need to check the rest of the request.
type Verified struct {
	SigningKey    []byte    // the key for the request's scope
	Signature     string    // the request's signature, lowercase hex: the seed of a chunk chain
	Date          time.Time // the signing time
	Scope         string    // date/region/service/aws4_request
	ContentSHA256 string    // the payload hash the signature covers
}

// Verify checks the signature a against the request, with the secret of
// a.AccessKey, the region this store is configured for, and the current
// time.
func (a Auth) Verify(req Request, secret, region string, now time.Time) (Verified, error) {
	return a.VerifyService(req, secret, region, serviceS3, now)
}

// VerifyService is Verify for the API of another service than S3 (Garage's
// K2V API is "k2v"): the scope must name that service, and the canonical
// URI is built as AWS builds it for services other than S3 (serviceURI).
func (a Auth) VerifyService(req Request, secret, region, wantService string, now time.Time) (Verified, error) {
	day, scopeRegion, service, ok := splitScope(a.Scope)
	if !ok {
		return Verified{}, errMalformed(a.Presigned, "the credential scope %q is malformed.", a.Scope)
	}
	if service != wantService {
		return Verified{}, errMalformed(a.Presigned, "incorrect service %q. This endpoint belongs to %q.", service, wantService)
	}
	if scopeRegion != region {
		if a.Presigned {
			return Verified{}, errMalformed(true, "Error parsing the X-Amz-Credential parameter; the region '%s' is wrong; expecting '%s'", scopeRegion, region)
		}
		return Verified{}, errMalformed(false, "the region '%s' is wrong; expecting '%s'", scopeRegion, region)
	}
	if err := checkSignedHeaders(req, a); err != nil {
		return Verified{}, err
	}
	if day != a.Date.UTC().Format(scopeDayLayout) {
		return Verified{}, errMalformed(a.Presigned, "Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	if err := checkTime(a, now); err != nil {
		return Verified{}, err
	}
	if !a.Presigned && a.ContentSHA256 == "" {
		return Verified{}, s3err.New(s3err.InvalidRequest, "Missing required header for this request: x-amz-content-sha256")
	}
	if _, err := ParseContentSHA256(a.ContentSHA256); err != nil {
		return Verified{}, err
	}

	key := signingKey(secret, day, scopeRegion, service)
	uri := canonicalURI(req.EscapedPath)
	if service != serviceS3 {
		uri = serviceURI(req.EscapedPath)
	}
	canonical := canonicalRequestWith(req, uri, a.SignedHeaders, a.ContentSHA256, a.Presigned)
	expected := sign(key, requestStringToSign(a.Date, a.Scope, canonical))
	if !signaturesEqual(expected, a.Signature) {
		return Verified{}, errSignatureMismatch()
	}
	return Verified{
		SigningKey:    key,
		Signature:     expected,
		Date:          a.Date,
		Scope:         a.Scope,
		ContentSHA256: a.ContentSHA256,
	}, nil
}

// splitScope splits date/region/service/aws4_request.
func splitScope(scope string) (day, region, service string, ok bool) {
	parts := strings.Split(scope, "/")
	if len(parts) != 4 || parts[3] != scopeTerminal || !validScopeDay(parts[0]) {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// checkSignedHeaders refuses a signature that leaves out the host, which
// would let it be replayed against another endpoint, and a presigned URL
// used with x-amz-* headers it did not sign: whoever holds the URL must not
// be able to add, say, x-amz-copy-source or x-amz-acl to it.
func checkSignedHeaders(req Request, a Auth) error {
	if !slices.Contains(a.SignedHeaders, "host") {
		return s3err.New(s3err.AccessDenied, "There were headers present in the request which were not signed: host")
	}
	if !a.Presigned {
		return nil
	}
	var unsigned []string
	for name := range req.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-") && lower != "x-amz-content-sha256" && !slices.Contains(a.SignedHeaders, lower) {
			unsigned = append(unsigned, lower)
		}
	}
	if len(unsigned) > 0 {
		slices.Sort(unsigned)
		return s3err.New(s3err.AccessDenied, "There were headers present in the request which were not signed: %s", strings.Join(slices.Compact(unsigned), ", "))
	}
	return nil
}

// checkTime bounds replay: a header signature is good within MaxClockSkew
// of its signing time, a presigned URL from its signing time (give or take
// the skew) until it expires.
func checkTime(a Auth, now time.Time) error {
	if a.Presigned {
		if a.Date.After(now.Add(MaxClockSkew)) {
			return s3err.New(s3err.AccessDenied, "Request is not valid yet")
		}
		if now.After(a.Date.Add(a.Expires)) {
			return s3err.New(s3err.AccessDenied, "Request has expired")
		}
		return nil
	}
	if skew := now.Sub(a.Date); skew > MaxClockSkew || skew < -MaxClockSkew {
		return s3err.New(s3err.RequestTimeTooSkewed, "The difference between the request time and the current time is too large.")
	}
	return nil
}
