package sigv2

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

// MaxClockSkew is how far a header-signed request's date may be from the
// server's clock, as for SigV4.
const MaxClockSkew = 15 * time.Minute

// MaxPresignExpiry is the longest a presigned URL may still have to live.
// S3 puts no bound on a V2 URL's Expires; this store holds it to SigV4's
// week (give or take the clock skew), so that no signature outlives what
// SigV4 allows.
const MaxPresignExpiry = 7 * 24 * time.Hour

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your key and signing method."

// Verify checks a against the request, with the secret of a.AccessKey and
// the current time: the date's skew or the URL's expiry, then the
// signature, compared in constant time.
func (a Auth) Verify(req Request, secret string, now time.Time) error {
	if err := a.checkTime(now); err != nil {
		return err
	}
	resources := canonicalResources(req)
	for _, resource := range resources {
		if signatureMatches(secret, stringToSign(req, a.dateLine, resource), a.Signature) {
			return nil
		}
	}
	return errMismatch(a.AccessKey, a.Signature, stringToSign(req, a.dateLine, resources[0]))
}

// StringToSign is what a correct signature of the request signs (for a
// bucket addressed as "/bucket", the first of the two forms Verify
// accepts).
func (a Auth) StringToSign(req Request) string {
	return stringToSign(req, a.dateLine, canonicalResources(req)[0])
}

// checkTime bounds replay: a header signature is good within MaxClockSkew
// of its date, a presigned URL until it expires.
func (a Auth) checkTime(now time.Time) error {
	if a.Presigned {
		switch {
		case now.After(a.Expires):
			return s3err.New(s3err.AccessDenied, "Request has expired").
				With("Expires", a.Expires.UTC().Format(serverTimeLayout)).With("ServerTime", now.UTC().Format(serverTimeLayout))
		case a.Expires.Sub(now) > MaxPresignExpiry+MaxClockSkew:
			return s3err.New(s3err.AuthorizationQueryParamsError,
				"Expires must be less than a week (604800 seconds) from now: this store holds Signature Version 2 URLs to Signature Version 4's limit").
				With("Expires", a.Expires.UTC().Format(serverTimeLayout)).With("ServerTime", now.UTC().Format(serverTimeLayout))
		}
		return nil
	}
	if skew := now.Sub(a.Date); skew > MaxClockSkew || skew < -MaxClockSkew {
		return s3err.New(s3err.RequestTimeTooSkewed, "The difference between the request time and the current time is too large.").
			With("RequestTime", a.rawDate).With("ServerTime", now.UTC().Format(serverTimeLayout)).
			With("MaxAllowedSkewMilliseconds", strconv.FormatInt(MaxClockSkew.Milliseconds(), 10))
	}
	return nil
}

// signatureMatches compares in constant time, so that a client cannot find
// a valid signature byte by byte from response times. A signature that is
// not base64 matches nothing.
func signatureMatches(secret, stringToSign, provided string) bool {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(stringToSign))
	want := m.Sum(nil)
	got, err := base64.StdEncoding.DecodeString(provided)
	return err == nil && hmac.Equal(want, got)
}

// errMismatch is SignatureDoesNotMatch with what AWS adds to it, so that a
// client's developer sees the canonicalization the server used.
func errMismatch(accessKey, provided, stringToSign string) error {
	return s3err.New(s3err.SignatureDoesNotMatch, "%s", msgSignatureMismatch).
		With("AWSAccessKeyId", accessKey).With("StringToSign", stringToSign).
		With("SignatureProvided", provided).With("StringToSignBytes", hexBytes(stringToSign))
}

// hexBytes writes s as AWS's StringToSignBytes does: each byte in hex,
// separated by blanks.
func hexBytes(s string) string {
	parts := make([]string, len(s))
	for i := range len(s) {
		parts[i] = fmt.Sprintf("%02x", s[i])
	}
	return strings.Join(parts, " ")
}
