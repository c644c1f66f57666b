package k2v

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// checkSignature recomputes r's SigV4 signature from scratch (AWS's
// published algorithm, independent of the SDK signer the client uses) and
// reports why it does not hold: a wrong service, scope, header set or
// canonical form all show here.
func checkSignature(r *http.Request, body []byte, keyID, secret, region string) error {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return fmt.Errorf("authorization %q is not SigV4", auth)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ", ") {
		name, value, _ := strings.Cut(part, "=")
		fields[name] = value
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 5 || cred[0] != keyID || cred[2] != region || cred[3] != "k2v" || cred[4] != "aws4_request" {
		return fmt.Errorf("credential %q: want %s/<day>/%s/k2v/aws4_request", fields["Credential"], keyID, region)
	}
	date := r.Header.Get("X-Amz-Date")
	if !strings.HasPrefix(date, cred[1]) {
		return fmt.Errorf("x-amz-date %q is not of day %s", date, cred[1])
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	if got := r.Header.Get("X-Amz-Content-Sha256"); got != payload {
		return fmt.Errorf("x-amz-content-sha256 %q, body hashes to %s", got, payload)
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	for _, must := range []string{"host", "x-amz-date", "x-amz-content-sha256"} {
		if !contains(signed, must) {
			return fmt.Errorf("signed headers %v lack %s", signed, must)
		}
	}
	var canon strings.Builder
	canon.WriteString(r.Method + "\n")
	canon.WriteString(canonicalPath(r.URL.EscapedPath()) + "\n")
	canon.WriteString(canonicalQuery(r.URL.Query()) + "\n")
	for _, h := range signed {
		v := r.Header.Get(h)
		switch h {
		case "host":
			v = r.Host
		case "content-length":
			v = fmt.Sprint(r.ContentLength)
		}
		canon.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
	}
	canon.WriteString("\n" + fields["SignedHeaders"] + "\n" + payload)
	hash := sha256.Sum256([]byte(canon.String()))
	scope := strings.Join(cred[1:], "/")
	toSign := "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + hex.EncodeToString(hash[:])
	key := []byte("AWS4" + secret)
	for _, s := range cred[1:] {
		key = hmacSHA256(key, s)
	}
	if want := hex.EncodeToString(hmacSHA256(key, toSign)); want != fields["Signature"] {
		return fmt.Errorf("signature %s, want %s over\n%s", fields["Signature"], want, canon.String())
	}
	return nil
}

func hmacSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// canonicalPath is the path as sent, encoded once more by the AWS rules
// ('/' kept, so "%2F" inside a key becomes "%252F"): the canonical URI of
// SigV4 for every service but S3, which Garage verifies for K2V.
func canonicalPath(escaped string) string {
	segs := strings.Split(escaped, "/")
	for i, s := range segs {
		segs[i] = awsEncode(s)
	}
	return strings.Join(segs, "/")
}

func canonicalQuery(q url.Values) string {
	type pair struct{ k, v string }
	var pairs []pair
	for name, values := range q {
		for _, v := range values {
			pairs = append(pairs, pair{awsEncode(name), awsEncode(v)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

func awsEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
