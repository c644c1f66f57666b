package sigv4

import (
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// VerifyPostSignature checks the SigV4 signature of a browser POST form:
// x-amz-signature must be the HMAC of the base64 policy text, as sent,
// under the signing key of the x-amz-credential scope. credential and
// amzDate are the x-amz-credential and x-amz-date fields; the caller has
// already checked x-amz-algorithm and looked up the secret of the
// credential's access key (see ParseCredential). The policy's own
// conditions and expiration are package postpolicy's business.
func VerifyPostSignature(policyBase64, credential, amzDate, signature, secret, region string, now time.Time) error {
	c, err := ParseCredential(credential)
	if err != nil {
		return err
	}
	if c.Service != serviceS3 {
		return s3err.New(s3err.InvalidArgument, "Error parsing the X-Amz-Credential parameter; incorrect service %q. This endpoint belongs to %q.", c.Service, serviceS3)
	}
	if c.Region != region {
		return s3err.New(s3err.InvalidArgument, "Error parsing the X-Amz-Credential parameter; the region '%s' is wrong; expecting '%s'", c.Region, region)
	}
	date, ok := parseAmzDate(amzDate)
	if !ok {
		return s3err.New(s3err.InvalidArgument, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	if date.Format(scopeDayLayout) != c.Date {
		return s3err.New(s3err.InvalidArgument, "Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	// A SigV4 signing key is valid for seven days, so a signature is too;
	// the policy's expiration may only shorten that.
	if date.After(now.Add(MaxClockSkew)) {
		return s3err.New(s3err.AccessDenied, "Request is not valid yet")
	}
	if now.Sub(date) > MaxPresignExpiry {
		return s3err.New(s3err.AccessDenied, "Request has expired")
	}
	expected := sign(signingKey(secret, c.Date, c.Region, c.Service), policyBase64)
	if !signaturesEqual(expected, signature) {
		return errSignatureMismatch()
	}
	return nil
}
