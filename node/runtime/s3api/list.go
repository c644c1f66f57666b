package s3api

import (
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
)

// maxListKeys is S3's largest page of a listing.
const maxListKeys = 1000

// listPage is one page of a listing with a delimiter: the entries and the
// prefixes they roll up into, in key order, and where the next page starts.
type listPage struct {
	entries  []object.ListEntry
	prefixes []string
	// truncated: more follow; next is the last key or prefix of this page,
	// after which the next page starts.
	truncated bool
	next      string
}

// listObjects lists, after key `after` (exclusive), at most limit objects
// and common prefixes under prefix, rolling keys up at the first delimiter
// after the prefix.
func (rq *request) listObjects(prefix, delimiter, after string, limit int) (listPage, error) {
	var page listPage
	if limit == 0 {
		return page, nil
	}
	cursor := prefix
	if after >= cursor {
		cursor = after + "\x00"
		// Resuming after a common prefix skips every key under it.
		if cp, ok := commonPrefix(after, prefix, delimiter); ok && cp <= after {
			cursor = max(cursor, prefixEnd(cp))
		}
	}
	end := prefixEnd(prefix)
	count := 0
	for {
		res, err := rq.api.backend.Do(rq.ctx, object.List{Bucket: rq.bucket.ID, Start: cursor, End: end, Limit: maxListKeys})
		if err != nil {
			return page, err
		}
		l := res.(object.Listing)
		skipTo := ""
		for _, e := range l.Entries {
			if e.Key < cursor || !strings.HasPrefix(e.Key, prefix) {
				continue
			}
			if count == limit {
				page.truncated = true
				return page, nil
			}
			if cp, ok := commonPrefix(e.Key, prefix, delimiter); ok {
				page.prefixes = append(page.prefixes, cp)
				page.next = cp
				count++
				skipTo = prefixEnd(cp)
				break
			}
			page.entries = append(page.entries, e)
			page.next = e.Key
			count++
		}
		switch {
		case skipTo != "":
			cursor = skipTo
		case l.More:
			cursor = l.Next
		default:
			return page, nil
		}
		if end != "" && cursor >= end {
			return page, nil
		}
	}
}

// commonPrefix is the prefix key rolls up into: up to and including the
// first delimiter after prefix.
func commonPrefix(key, prefix, delimiter string) (string, bool) {
	if delimiter == "" || !strings.HasPrefix(key, prefix) {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delimiter)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delimiter)], true
}

// prefixEnd is the least string greater than every string starting with
// p, "" if there is none (p is empty or all 0xff).
func prefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// maxKeys reads the max-keys parameter (default and ceiling 1000).
func maxKeys(q url.Values, param string) (int, error) { return pageSize(q, param, maxListKeys) }

// pageSize reads a page size parameter: ceiling if absent, at most ceiling.
func pageSize(q url.Values, param string, ceiling int) (int, error) {
	v := q.Get(param)
	if v == "" {
		return ceiling, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, s3err.New(s3err.InvalidArgument, "%s must be a non-negative integer, not %q.", param, v)
	}
	return min(n, ceiling), nil
}

// s3URLEncode encodes a key for encoding-type=url: every byte but the
// unreserved ones and '/' (which S3 leaves as it is) percent-encoded,
// spaces as %20, so that decoders that treat '+' as a space and those that
// do not agree. ("%2F" in QueryEscape's output can only be a '/': a '%' of
// the key is "%25".)
func s3URLEncode(s string) string { return strings.ReplaceAll(escapeAll(s), "%2F", "/") }

// escapeAll percent-encodes every byte but the unreserved ones, '/'
// included, spaces as %20: how S3 writes a key in a POST's Location.
func escapeAll(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// encoder returns the encoding a listing asks for.
func encoder(q url.Values) (func(string) string, string, error) {
	switch et := q.Get("encoding-type"); et {
	case "":
		return func(s string) string { return s }, "", nil
	case "url":
		return s3URLEncode, "url", nil
	default:
		return nil, "", s3err.New(s3err.InvalidArgument, "Invalid Encoding Method specified in Request: %q.", et)
	}
}

func (rq *request) contents(page listPage, enc func(string) string, withOwner bool) []s3xml.Object {
	out := make([]s3xml.Object, 0, len(page.entries))
	for _, e := range page.entries {
		c := s3xml.Object{Key: enc(e.Key), LastModified: s3xml.Time(millisTime(e.Timestamp)), ETag: s3xml.ETag(e.Meta.ETag),
			Size: e.Meta.Size, StorageClass: storageClassOf(e.Meta.Headers)}
		if rq.r.Header.Get(StampsHeader) == "true" {
			c.Stamp = hex.EncodeToString(e.Stamp())
		}
		if withOwner {
			o := rq.owner()
			c.Owner = &o
		}
		out = append(out, c)
	}
	return out
}

func prefixes(page listPage, enc func(string) string) []s3xml.CommonPrefix {
	out := make([]s3xml.CommonPrefix, 0, len(page.prefixes))
	for _, p := range page.prefixes {
		out = append(out, s3xml.CommonPrefix{Prefix: enc(p)})
	}
	return out
}

// listing reads the parameters every listing shares: its page size (under
// the name limitParam) and its key encoding.
type listing struct {
	limit   int
	enc     func(string) string
	encType string
}

func readListing(q url.Values, limitParam string) (listing, error) {
	limit, err := maxKeys(q, limitParam)
	if err != nil {
		return listing{}, err
	}
	enc, encType, err := encoder(q)
	return listing{limit, enc, encType}, err
}

func (rq *request) listObjectsV1() error {
	q := rq.query
	l, err := readListing(q, "max-keys")
	if err != nil {
		return err
	}
	prefix, delimiter, marker := q.Get("prefix"), q.Get("delimiter"), q.Get("marker")
	page, err := rq.listObjects(prefix, delimiter, marker, l.limit)
	if err != nil {
		return err
	}
	out := s3xml.ListBucketResultV1{Name: rq.bucketName, Prefix: l.enc(prefix), Marker: l.enc(marker), MaxKeys: l.limit,
		Delimiter: l.enc(delimiter), IsTruncated: page.truncated, EncodingType: l.encType,
		Contents: rq.contents(page, l.enc, true), CommonPrefixes: prefixes(page, l.enc)}
	if page.truncated && delimiter != "" {
		out.NextMarker = l.enc(page.next)
	}
	return rq.writeXML(http.StatusOK, out)
}

func (rq *request) listObjectsV2() error {
	q := rq.query
	l, err := readListing(q, "max-keys")
	if err != nil {
		return err
	}
	prefix, delimiter, startAfter := q.Get("prefix"), q.Get("delimiter"), q.Get("start-after")
	after := startAfter
	token := q.Get("continuation-token")
	if q.Has("continuation-token") {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || token == "" {
			return s3err.New(s3err.InvalidArgument, "The continuation token provided is incorrect.")
		}
		after = string(raw)
	}
	page, err := rq.listObjects(prefix, delimiter, after, l.limit)
	if err != nil {
		return err
	}
	out := s3xml.ListBucketResultV2{Name: rq.bucketName, Prefix: l.enc(prefix), MaxKeys: l.limit, Delimiter: l.enc(delimiter),
		IsTruncated: page.truncated, EncodingType: l.encType, ContinuationToken: token, StartAfter: l.enc(startAfter),
		Contents: rq.contents(page, l.enc, q.Get("fetch-owner") == "true"), CommonPrefixes: prefixes(page, l.enc)}
	out.KeyCount = len(out.Contents) + len(out.CommonPrefixes)
	if page.truncated {
		out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(page.next))
	}
	return rq.writeXML(http.StatusOK, out)
}
