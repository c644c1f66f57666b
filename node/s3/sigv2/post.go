package sigv2

import "github.com/garagego/garage/node/s3/s3err"

// The form fields of a V2-signed browser POST, as the HTTP layer keys them
// (lowercased: S3's form field names are case-insensitive).
const (
	postAccessKey = "awsaccesskeyid"
	postSignature = "signature"
	postV4        = "x-amz-algorithm"
)

// IsPostForm reports whether a POST form's fields are signed with V2: it
// carries AWSAccessKeyId or Signature, and not SigV4's x-amz-algorithm,
// which makes it SigV4's whatever else it has.
func IsPostForm(fields map[string]string) bool {
	_, key := fields[postAccessKey]
	_, sig := fields[postSignature]
	_, v4 := fields[postV4]
	return (key || sig) && !v4
}

// PostCredentials returns the access key and the signature of a V2 form.
func PostCredentials(fields map[string]string) (accessKey, signature string, err error) {
	accessKey, signature = fields[postAccessKey], fields[postSignature]
	switch {
	case accessKey == "":
		return "", "", s3err.New(s3err.InvalidArgument, "Bucket POST must contain a field named 'AWSAccessKeyId'.  If it is specified, please check the order of the fields.")
	case signature == "":
		return "", "", s3err.New(s3err.InvalidArgument, "Bucket POST must contain a field named 'Signature'.  If it is specified, please check the order of the fields.")
	}
	return accessKey, signature, nil
}

// VerifyPost checks the V2 signature of a browser POST form: signature
// must be the base64 HMAC-SHA1, under the secret, of the policy exactly as
// the form sent it (base64). The policy's conditions and expiration are
// package postpolicy's business.
func VerifyPost(policyBase64, accessKey, signature, secret string) error {
	if !signatureMatches(secret, policyBase64, signature) {
		return errMismatch(accessKey, signature, policyBase64)
	}
	return nil
}
