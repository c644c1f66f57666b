package k2v

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Service is the SigV4 service name of K2V requests.
const Service = "k2v"

// DefaultRegion is Garage's default region, used when Config.Region is
// empty.
const DefaultRegion = "garage"

// CausalityTokenHeader carries an item's causality token.
const CausalityTokenHeader = "X-Garage-Causality-Token"

// DefaultPollTimeout is the server's wait when a poll gives no timeout.
const DefaultPollTimeout = 300 * time.Second

// CausalityToken is the opaque token a read returns with an item's values;
// a write carrying it supersedes those values. The empty token means none.
type CausalityToken string

// Config tells a client where and as whom to talk.
type Config struct {
	// Endpoint is the K2V API's base URL, e.g. "http://127.0.0.1:3904".
	Endpoint string
	// Region signs the requests (default "garage").
	Region string
	// AccessKeyID and SecretAccessKey are a Garage access key.
	AccessKeyID     string
	SecretAccessKey string
	// Bucket is the bucket every call addresses.
	Bucket string
	// HTTPClient sends the requests (default: a new http.Client without a
	// timeout; bound calls with their context instead, since polls wait
	// up to ten minutes).
	HTTPClient *http.Client
}

// Client is a K2V client bound to one bucket. It is safe for concurrent
// use.
type Client struct {
	base   *url.URL
	region string
	bucket string
	creds  aws.Credentials
	http   *http.Client
	signer *v4.Signer
	now    func() time.Time // the signing clock; tests fix it
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("k2v: Config.Endpoint is required")
	}
	base, err := url.Parse(cfg.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("k2v: endpoint %q: %w", cfg.Endpoint, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("k2v: endpoint %q: want http(s)://host[:port]", cfg.Endpoint)
	}
	if base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("k2v: endpoint %q: no query or fragment allowed", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return nil, errors.New("k2v: Config.Bucket is required")
	}
	if cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		return nil, errors.New("k2v: Config.AccessKeyID and Config.SecretAccessKey are required")
	}
	region := cfg.Region
	if region == "" {
		region = DefaultRegion
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{
		base:   base,
		region: region,
		bucket: cfg.Bucket,
		// An explicit static value: the SDK's credential chain (AWS_*
		// variables, shared files) is never consulted.
		creds: aws.Credentials{AccessKeyID: cfg.AccessKeyID, SecretAccessKey: cfg.SecretAccessKey, Source: "k2v.Config"},
		http:  hc,
		// The signer escapes the path as sent (escapePath's) a second
		// time for the canonical request, as AWS signers do for every
		// service but S3, and as Garage verifies K2V signatures
		// (canonical_request in src/api/common/signature/payload.rs).
		signer: v4.NewSigner(),
		now:    time.Now,
	}, nil
}

// Bucket is the bucket the client addresses.
func (c *Client) Bucket() string { return c.bucket }

// request is one call before signing.
type request struct {
	method    string
	partition *string // nil: the bucket itself
	keyword   string  // a query flag without value: "search", "delete", "poll_range"
	query     url.Values
	header    http.Header
	body      []byte
}

// response is a call's answer once its status was accepted.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do signs and sends req. Statuses 200, 204 and 304 are answers; 404
// NoSuchKey is ErrNotFound; every other status is an *Error.
func (c *Client) do(ctx context.Context, req request) (*response, error) {
	hreq, err := c.build(ctx, req)
	if err != nil {
		return nil, err
	}
	hres, err := c.http.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("k2v: %s %s: %w", req.method, hreq.URL.Redacted(), err)
	}
	defer hres.Body.Close()
	body, err := io.ReadAll(hres.Body)
	if err != nil {
		return nil, fmt.Errorf("k2v: %s %s: reading the answer: %w", req.method, hreq.URL.Redacted(), err)
	}
	switch hres.StatusCode {
	case http.StatusOK, http.StatusNoContent, http.StatusNotModified:
		return &response{status: hres.StatusCode, header: hres.Header, body: body}, nil
	}
	e := parseError(hres.StatusCode, body)
	if e.Status == http.StatusNotFound && (e.Code == "NoSuchKey" || e.Code == "") {
		return nil, ErrNotFound
	}
	return nil, e
}

// build makes the signed HTTP request.
func (c *Client) build(ctx context.Context, req request) (*http.Request, error) {
	path := strings.TrimSuffix(c.base.Path, "/") + "/" + c.bucket
	rawPath := strings.TrimSuffix(c.base.EscapedPath(), "/") + "/" + escapePath(c.bucket)
	if req.partition != nil {
		path += "/" + *req.partition
		rawPath += "/" + escapePath(*req.partition)
	}
	u := *c.base
	u.Path, u.RawPath = path, rawPath
	u.RawQuery = encodeQuery(req.keyword, req.query)

	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("k2v: building %s request: %w", req.method, err)
	}
	for name, values := range req.header {
		hreq.Header[name] = values
	}
	sum := sha256.Sum256(req.body)
	payloadHash := hex.EncodeToString(sum[:])
	hreq.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if err := c.signer.SignHTTP(ctx, c.creds, hreq, payloadHash, Service, c.region, c.now()); err != nil {
		return nil, fmt.Errorf("k2v: signing %s request: %w", req.method, err)
	}
	return hreq, nil
}

// escapePath percent-encodes s as one path segment, by the SigV4 rules:
// every byte but A-Z a-z 0-9 - _ . ~ is escaped, so a '/' inside a key
// becomes %2F and never splits the path. A server decodes the segment
// back to the key's exact bytes.
func escapePath(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if unreserved(ch) {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

func unreserved(ch byte) bool {
	return 'A' <= ch && ch <= 'Z' || 'a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' ||
		ch == '-' || ch == '_' || ch == '.' || ch == '~'
}

// encodeQuery writes the keyword (as "keyword=", which every query parser
// reads as the flag) and the parameters, escaped as SigV4 canonicalises
// them (a space is %20, never '+'). The signer re-encodes the query the
// same way, in its canonical order.
func encodeQuery(keyword string, q url.Values) string {
	var parts []string
	if keyword != "" {
		parts = append(parts, escapePath(keyword)+"=")
	}
	names := make([]string, 0, len(q))
	for n := range q {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, v := range q[n] {
			parts = append(parts, escapePath(n)+"="+escapePath(v))
		}
	}
	return strings.Join(parts, "&")
}

// pollSeconds is a poll's timeout on the wire: whole seconds, rounded up,
// at least one; 0 means DefaultPollTimeout. Garage caps it at 600.
func pollSeconds(timeout time.Duration) int64 {
	if timeout <= 0 {
		timeout = DefaultPollTimeout
	}
	return int64((timeout + time.Second - 1) / time.Second)
}
