package sigv4

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Credentials are what a client signs with.
type Credentials struct {
	AccessKey string
	Secret    string
	Region    string
}

func (c Credentials) credential(date time.Time) Credential {
	return Credential{AccessKey: c.AccessKey, Date: date.Format(scopeDayLayout), Region: c.Region, Service: serviceS3}
}

// Sign authenticates req with an Authorization header, as an S3 client
// would: it sets X-Amz-Date and X-Amz-Content-Sha256 (payloadHash) and signs
// the host and every header req has. It returns what the server's Verify
// returns, whose Signature seeds the chain of an aws-chunked body.
func Sign(req *Request, c Credentials, date time.Time, payloadHash string) Verified {
	date = date.UTC().Truncate(time.Second)
	if req.Header == nil {
		req.Header = make(map[string][]string)
	}
	deleteHeader(req.Header, "Authorization")
	setHeader(req.Header, "X-Amz-Date", date.Format(iso8601Layout))
	setHeader(req.Header, "X-Amz-Content-Sha256", payloadHash)

	cred := c.credential(date)
	key := signingKey(c.Secret, cred.Date, cred.Region, cred.Service)
	names := headersToSign(req.Header)
	signature := sign(key, requestStringToSign(date, cred.Scope(), canonicalRequest(*req, names, payloadHash, false)))
	req.Header["Authorization"] = []string{algorithm + " Credential=" + c.AccessKey + "/" + cred.Scope() +
		", SignedHeaders=" + strings.Join(names, ";") + ", Signature=" + signature}
	return Verified{SigningKey: key, Signature: signature, Date: date, Scope: cred.Scope(), ContentSHA256: payloadHash}
}

// Presign authenticates req with query parameters valid for expires from
// date, as a presigned URL: it signs the host and every header req has, and
// the payload as UNSIGNED-PAYLOAD unless req has an X-Amz-Content-Sha256
// header.
func Presign(req *Request, c Credentials, date time.Time, expires time.Duration) Verified {
	date = date.UTC().Truncate(time.Second)
	if req.Query == nil {
		req.Query = make(url.Values)
	}
	payload := UnsignedPayload
	if req.hasHeader("X-Amz-Content-Sha256") {
		payload = req.header("X-Amz-Content-Sha256")
	}
	cred := c.credential(date)
	key := signingKey(c.Secret, cred.Date, cred.Region, cred.Service)
	names := headersToSign(req.Header)
	req.Query.Del(querySignature)
	req.Query.Set(queryAlgorithm, algorithm)
	req.Query.Set(queryCredential, c.AccessKey+"/"+cred.Scope())
	req.Query.Set(queryDate, date.Format(iso8601Layout))
	req.Query.Set(queryExpires, strconv.FormatInt(int64(expires/time.Second), 10))
	req.Query.Set(querySignedHeaders, strings.Join(names, ";"))
	signature := sign(key, requestStringToSign(date, cred.Scope(), canonicalRequest(*req, names, payload, true)))
	req.Query.Set(querySignature, signature)
	return Verified{SigningKey: key, Signature: signature, Date: date, Scope: cred.Scope(), ContentSHA256: payload}
}

// SignChunk returns the signature of an aws-chunked chunk holding data,
// chained from the previous chunk's signature (v.Signature for the first
// chunk). The last, empty chunk is signed with empty data.
func (v Verified) SignChunk(previous string, data []byte) string {
	dataHash := emptySHA256
	if len(data) > 0 {
		dataHash = sha256Hex(data)
	}
	return sign(v.SigningKey, chunkStringToSign(v, previous, dataHash))
}

// SignTrailer returns the x-amz-trailer-signature of trailer lines, each
// "name:value\n", chained from the last (empty) chunk's signature.
func (v Verified) SignTrailer(previous string, trailerLines []byte) string {
	return sign(v.SigningKey, trailerStringToSign(v, previous, sha256Hex(trailerLines)))
}

// headersToSign is "host" and every header present, lowercase and sorted.
func headersToSign(header map[string][]string) []string {
	names := []string{"host"}
	for name := range header {
		if lower := strings.ToLower(name); lower != "authorization" {
			names = append(names, lower)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func deleteHeader(header map[string][]string, name string) {
	for k := range header {
		if strings.EqualFold(k, name) {
			delete(header, k)
		}
	}
}

func setHeader(header map[string][]string, name, value string) {
	deleteHeader(header, name)
	header[name] = []string{value}
}
