package chaos

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/internal/proccluster"
	"github.com/garagego/garage/node/runtime/s3api"
)

// requestIDs matches the ids in SDK errors, which would make every
// failure a kind of its own.
var requestIDs = regexp.MustCompile(`(RequestID|HostID): [0-9A-F]*,? ?`)

// maxObject bounds what the workload writes, and so what a read takes in.
const maxObject = 8 << 20

// Workload shapes the clients.
type Workload struct {
	// Clients run at once, half with aws-sdk-go-v2 and half with minio-go.
	Clients int
	// Keys is how many object keys they share: few, so they collide.
	Keys int
	// Think is the mean pause between a client's calls.
	Think time.Duration
	// OpTimeout bounds one call; it then counts as of unknown outcome.
	OpTimeout time.Duration
}

func (w Workload) withDefaults() Workload {
	if w.Clients <= 0 {
		w.Clients = 6
	}
	if w.Keys <= 0 {
		w.Keys = 24
	}
	if w.Think <= 0 {
		w.Think = 20 * time.Millisecond
	}
	if w.OpTimeout <= 0 {
		w.OpTimeout = 15 * time.Second
	}
	return w
}

// workload runs the clients and records their history.
type workload struct {
	cfg       Workload
	rec       *recorder
	bucket    string
	keys      []string
	endpoints []string
	creds     credentialsOf
	etags     sync.Map // ETag -> value, for listings

	countMu  sync.Mutex
	counts   map[string]int // calls by kind, for the report
	failures map[string]int // why calls failed: "kind status: error", for the report
}

func newWorkload(cfg Workload, rec *recorder, bucket string, endpoints []string, creds credentialsOf) *workload {
	w := &workload{cfg: cfg.withDefaults(), rec: rec, bucket: bucket, endpoints: endpoints, creds: creds, counts: map[string]int{}, failures: map[string]int{}}
	for i := range w.cfg.Keys {
		w.keys = append(w.keys, fmt.Sprintf("k/%02d", i))
	}
	return w
}

// client is one sequential client: one SDK, a connection to every node,
// its own random stream.
type client struct {
	w       *workload
	id      int
	rng     *rand.Rand
	sdk     []s3client // by node
	written int
}

func (w *workload) newClient(id int, seed uint64) (*client, error) {
	c := &client{w: w, id: id, rng: rand.New(rand.NewPCG(seed, uint64(id)))}
	for _, e := range w.endpoints {
		if id%2 == 0 {
			c.sdk = append(c.sdk, newAWSClient(e, w.creds))
			continue
		}
		m, err := newMinioClient(e, w.creds)
		if err != nil {
			return nil, err
		}
		c.sdk = append(c.sdk, m)
	}
	return c, nil
}

// run calls until ctx ends.
func (c *client) run(ctx context.Context) {
	for ctx.Err() == nil {
		node := c.rng.IntN(len(c.sdk))
		switch r := c.rng.IntN(100); {
		case r < 34:
			c.put(ctx, node)
		case r < 68:
			c.get(ctx, node, c.key(), c.id)
		case r < 78:
			c.del(ctx, node)
		case r < 90:
			c.list(ctx, node)
		case r < 92:
			c.multipart(ctx, node)
		default:
			c.truncatedPut(ctx, node)
		}
		think := time.Duration(c.rng.Int64N(int64(2*c.w.cfg.Think) + 1))
		select {
		case <-ctx.Done():
		case <-time.After(think):
		}
	}
}

func (c *client) key() string { return c.w.keys[c.rng.IntN(len(c.w.keys))] }

// nextValue names this client's next write, uniquely in the run.
func (c *client) nextValue() string {
	c.written++
	return fmt.Sprintf("c%02d-%06d", c.id, c.written)
}

// size draws an object size: mostly small enough to be inline, often a
// few blocks (the cluster uses 64 KiB blocks), sometimes a megabyte.
func (c *client) size() int {
	switch r := c.rng.IntN(100); {
	case r < 55:
		return 16 + c.rng.IntN(2<<10)
	case r < 92:
		return 4<<10 + c.rng.IntN(200<<10)
	default:
		return 256<<10 + c.rng.IntN(768<<10)
	}
}

// call runs f with a capture under the op timeout and returns what the
// HTTP layer saw, with the call's event points.
func (c *client) call(ctx context.Context, wantBody bool, f func(context.Context) error) (cp *capture, err error, call, ret int64) {
	cp = &capture{wantBody: wantBody}
	// A call under way when the client phase ends finishes: only new
	// calls stop. Its own timeout still bounds it.
	octx, cancel := context.WithTimeout(withCapture(context.WithoutCancel(ctx), cp), c.w.cfg.OpTimeout)
	defer cancel()
	call = c.w.rec.seq()
	err = f(octx)
	ret = c.w.rec.seq()
	return cp, err, call, ret
}

// outcome classifies a write: acknowledged; refused (a 4xx promises the
// request had no effect); or unknown (a 5xx, a timeout, a broken
// connection: it may have been applied).
func outcome(status int, err error) checker.Outcome {
	switch {
	case err == nil:
		return checker.OK
	case status >= 400 && status < 500:
		return checker.Failed
	}
	return checker.Unknown
}

func decodeStamp(s string) checker.Stamp {
	b, err := hex.DecodeString(s)
	if err != nil {
		return checker.Stamp("bad-stamp:" + s)
	}
	return checker.Stamp(b)
}

func (c *client) objectKey(key string) checker.Key {
	return checker.Key{Partition: c.w.bucket, Sort: key}
}

func (c *client) count(name string) {
	c.w.countMu.Lock()
	defer c.w.countMu.Unlock()
	c.w.counts[name]++
}

// failed notes why a call did not succeed (a truncated put's refusal is
// its success and is not noted).
func (c *client) failed(name string, status int, err error) {
	if err == nil {
		return
	}
	msg := requestIDs.ReplaceAllString(err.Error(), "")
	if len(msg) > 160 {
		msg = msg[:160] + "..."
	}
	c.w.countMu.Lock()
	defer c.w.countMu.Unlock()
	c.w.failures[fmt.Sprintf("%s %d: %s", name, status, msg)]++
}

func (c *client) put(ctx context.Context, node int) {
	key, value := c.key(), c.nextValue()
	body := content(value, c.size())
	c.w.etags.Store(etag(body), value)
	cp, err, call, ret := c.call(ctx, false, func(ctx context.Context) error { return c.sdk[node].put(ctx, c.w.bucket, key, body) })
	status, stamp := cp.result()
	op := checker.Op{Client: c.id, Kind: checker.Put, Key: c.objectKey(key), Value: value, Call: call, Return: ret, Outcome: outcome(status, err)}
	if op.Outcome == checker.OK {
		op.Stamp = decodeStamp(stamp)
	}
	c.w.rec.add(op, node)
	c.count("put")
	c.failed("put", status, err)
}

// get reads key through node; who is the client id the op is recorded
// under (a final read's is not a workload client's).
func (c *client) get(ctx context.Context, node int, key string, who int) checker.Outcome {
	var body []byte
	cp, err, call, ret := c.call(ctx, false, func(ctx context.Context) error {
		var err error
		body, err = c.sdk[node].get(ctx, c.w.bucket, key)
		return err
	})
	status, stamp := cp.result()
	op := checker.Op{Client: who, Kind: checker.Get, Key: c.objectKey(key), Call: call, Return: ret, Outcome: checker.Failed}
	switch {
	case err == nil && status == http.StatusOK:
		op.Outcome, op.Found, op.Value, op.Stamp = checker.OK, true, valueOf(body), decodeStamp(stamp)
	case isNotFound(status, err):
		op.Outcome = checker.OK
		if stamp != "" {
			op.Stamp = decodeStamp(stamp)
		}
	}
	c.w.rec.add(op, node)
	c.count("get")
	if !isNotFound(status, err) {
		c.failed("get", status, err)
	}
	return op.Outcome
}

func (c *client) del(ctx context.Context, node int) {
	key := c.key()
	cp, err, call, ret := c.call(ctx, false, func(ctx context.Context) error { return c.sdk[node].del(ctx, c.w.bucket, key) })
	status, stamp := cp.result()
	op := checker.Op{Client: c.id, Kind: checker.Delete, Key: c.objectKey(key), Call: call, Return: ret, Outcome: outcome(status, err)}
	if op.Outcome == checker.OK {
		op.Stamp = decodeStamp(stamp)
	}
	c.w.rec.add(op, node)
	c.count("delete")
	c.failed("delete", status, err)
}

// list lists the bucket from a random key on, and records it as a range.
func (c *client) list(ctx context.Context, node int) checker.Outcome {
	startAfter := ""
	if c.rng.IntN(3) == 0 {
		startAfter = c.key()
	}
	maxKeys := []int{3, 10, 1000}[c.rng.IntN(3)]
	return c.listFrom(ctx, node, startAfter, maxKeys, c.id)
}

func (c *client) listFrom(ctx context.Context, node int, startAfter string, maxKeys, who int) checker.Outcome {
	var truncated bool
	cp, err, call, ret := c.call(ctx, true, func(ctx context.Context) error {
		var err error
		truncated, err = c.sdk[node].list(ctx, c.w.bucket, startAfter, maxKeys)
		return err
	})
	op := checker.Op{Client: who, Kind: checker.Range, Key: checker.Key{Partition: c.w.bucket}, Call: call, Return: ret, Outcome: checker.Failed}
	if startAfter != "" {
		op.Start = startAfter + "\x00"
	}
	if err == nil {
		entries, perr := parseListings(cp.rawBody())
		if perr != nil {
			op.Value = "unreadable listing: " + perr.Error()
		} else {
			op.Outcome = checker.OK
			for _, e := range entries {
				value, ok := c.w.etags.Load(strings.Trim(e.ETag, `"`))
				if !ok {
					value = "unknown-etag:" + e.ETag
				}
				op.Entries = append(op.Entries, checker.Entry{Sort: e.Key, Value: value.(string), Stamp: decodeStamp(e.Stamp)})
			}
			if c.sdk[node].sdk() == "aws-sdk-go-v2" {
				op.Limit = maxKeys
			}
			if truncated && len(entries) > 0 {
				op.More, op.Next = true, entries[len(entries)-1].Key+"\x00"
			}
		}
	}
	c.w.rec.add(op, node)
	c.count("list")
	status, _ := cp.result()
	c.failed("list", status, err)
	return op.Outcome
}

// listed is one <Contents> of a listing.
type listed struct {
	Key   string `xml:"Key"`
	ETag  string `xml:"ETag"`
	Stamp string `xml:"GarageStamp"`
}

// parseListings reads the ListBucketResult documents of a listing, one per
// page, in order, decoding the keys of a page sent with encoding-type url
// (as both SDKs ask).
func parseListings(raw []byte) ([]listed, error) {
	d := xml.NewDecoder(bytes.NewReader(raw))
	var out []listed
	for {
		var page struct {
			EncodingType string   `xml:"EncodingType"`
			Contents     []listed `xml:"Contents"`
		}
		err := d.Decode(&page)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		for _, e := range page.Contents {
			if page.EncodingType == "url" {
				if e.Key, err = url.QueryUnescape(e.Key); err != nil {
					return nil, fmt.Errorf("listed key %q: %w", e.Key, err)
				}
			}
			out = append(out, e)
		}
	}
}

// multipart uploads a two-part object: a 5 MiB part (S3's minimum for all
// but the last) and a small one.
func (c *client) multipart(ctx context.Context, node int) {
	key, value := c.key(), c.nextValue()
	body := content(value, 5<<20+c.rng.IntN(100<<10))
	parts := [][]byte{body[:5<<20], body[5<<20:]}
	c.w.etags.Store(multipartETag(parts), value)
	var completing bool
	cp, err, call, ret := c.call(ctx, false, func(ctx context.Context) error {
		var err error
		completing, err = c.sdk[node].multipart(ctx, c.w.bucket, key, parts)
		return err
	})
	status, stamp := cp.result()
	op := checker.Op{Client: c.id, Kind: checker.Put, Key: c.objectKey(key), Value: value, Call: call, Return: ret, Outcome: outcome(status, err)}
	switch {
	case err != nil && !completing:
		op.Outcome = checker.Failed // aborted before the object could be visible
	case op.Outcome == checker.OK:
		op.Stamp = decodeStamp(stamp)
	}
	c.w.rec.add(op, node)
	c.count("multipart")
	c.failed("multipart", status, err)
}

// truncatedPut is a broken client: it announces a body, sends half of it
// and half-closes its connection. It must never be acknowledged.
func (c *client) truncatedPut(ctx context.Context, node int) {
	key, value := c.key(), c.nextValue()
	body := content(value, 1<<10+c.rng.IntN(200<<10))
	c.w.etags.Store(etag(body), value)
	var status int
	var stamp string
	call := c.w.rec.seq()
	err := c.sendTruncated(ctx, c.w.endpoints[node], key, body, &status, &stamp)
	ret := c.w.rec.seq()
	op := checker.Op{Client: c.id, Kind: checker.Put, Key: c.objectKey(key), Value: value, Call: call, Return: ret, Outcome: checker.Unknown}
	switch {
	case err != nil: // no answer: unknown
		c.failed("truncated-put", 0, err)
	case status >= 200 && status < 300:
		op.Outcome, op.Stamp = checker.OK, decodeStamp(stamp)
	case status >= 400 && status < 500:
		op.Outcome = checker.Failed
	}
	c.w.rec.add(op, node)
	c.count("truncated-put")
}

func (c *client) sendTruncated(ctx context.Context, endpoint, key string, body []byte, status *int, stamp *string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.w.cfg.OpTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, endpoint+"/"+c.w.bucket+"/"+key, nil)
	if err != nil {
		return err
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	creds := aws.Credentials{AccessKeyID: c.w.creds.keyID, SecretAccessKey: c.w.creds.secret}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", proccluster.Region, time.Now()); err != nil {
		return err
	}
	u, _ := url.Parse(endpoint)
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return err
	}
	defer nc.Close()
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl) //nolint:errcheck // a closed connection fails the write below
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", req.URL.RequestURI(), u.Host, len(body))
	req.Header.Write(&head) //nolint:errcheck // into a buffer
	head.WriteString("\r\n")
	head.Write(body[:len(body)/2])
	if _, err := nc.Write(head.Bytes()); err != nil {
		return err
	}
	if err := nc.(*net.TCPConn).CloseWrite(); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	*status, *stamp = resp.StatusCode, resp.Header.Get(s3api.StampHeader)
	return nil
}
