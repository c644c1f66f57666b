package sigv4

import (
	"testing"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
)

func TestVerifyPostSignatureFailures(t *testing.T) {
	const credential = "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"
	const amzDate = "20151229T000000Z"
	signedAt := time.Date(2015, 12, 29, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name                                  string
		policy, credential, date, sig, region string
		now                                   time.Time
		code                                  s3err.Code
		want                                  string
	}{
		{"tampered signature", examplePolicy, credential, amzDate, tamper(examplePolicySignature, 5), "us-east-1", signedAt, s3err.SignatureDoesNotMatch, "does not match"},
		{"tampered policy", examplePolicy[:len(examplePolicy)-2], credential, amzDate, examplePolicySignature, "us-east-1", signedAt, s3err.SignatureDoesNotMatch, "does not match"},
		{"wrong region", examplePolicy, credential, amzDate, examplePolicySignature, "eu-west-1", signedAt, s3err.InvalidArgument, "expecting 'eu-west-1'"},
		{"wrong service", examplePolicy, "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/ec2/aws4_request", amzDate, examplePolicySignature, "us-east-1", signedAt, s3err.InvalidArgument, "incorrect service"},
		{"malformed credential", examplePolicy, "AKIAIOSFODNN7EXAMPLE/20151229", amzDate, examplePolicySignature, "us-east-1", signedAt, s3err.InvalidArgument, "X-Amz-Credential"},
		{"malformed date", examplePolicy, credential, "2015-12-29", examplePolicySignature, "us-east-1", signedAt, s3err.InvalidArgument, "ISO8601"},
		{"date of another day", examplePolicy, credential, "20151230T000000Z", examplePolicySignature, "us-east-1", signedAt, s3err.InvalidArgument, "Invalid credential date"},
		{"signed in the future", examplePolicy, credential, amzDate, examplePolicySignature, "us-east-1", signedAt.Add(-time.Hour), s3err.AccessDenied, "not valid yet"},
		{"signing key too old", examplePolicy, credential, amzDate, examplePolicySignature, "us-east-1", signedAt.Add(MaxPresignExpiry + time.Second), s3err.AccessDenied, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyPostSignature(tc.policy, tc.credential, tc.date, tc.sig, exampleCreds.Secret, tc.region, tc.now)
			wantCode(t, err, tc.code, tc.want)
		})
	}
}
