package sigv4

import "github.com/garagego/garage/node/s3/s3err"

// The messages AWS answers with, so that clients and their users recognise
// them.
const (
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgUseV4             = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
	msgQueryParamsNeeded = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)

func errSignatureMismatch() error {
	return s3err.New(s3err.SignatureDoesNotMatch, "%s", msgSignatureMismatch)
}

// errMalformed reports a problem with the authentication fields themselves,
// under the code that matches where they came from.
func errMalformed(presigned bool, format string, args ...any) error {
	if presigned {
		return s3err.New(s3err.AuthorizationQueryParamsError, format, args...)
	}
	return s3err.New(s3err.AuthorizationHeaderMalformed, "The authorization header is malformed; "+format, args...)
}

// errFraming reports an aws-chunked body that does not follow the format.
func errFraming(format string, args ...any) error {
	return s3err.New(s3err.InvalidRequest, "Malformed aws-chunked body: "+format, args...)
}

func errIncompleteBody(format string, args ...any) error {
	return s3err.New(s3err.IncompleteBody, format, args...)
}
