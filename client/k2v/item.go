package k2v

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// acceptEither asks for a single value as raw bytes and for siblings as
// JSON, as Garage's Rust client does: the common case skips base64.
const acceptEither = "application/octet-stream, application/json"

// ReadItem returns every concurrent value of an item, nil for a tombstone
// (a deletion concurrent with the other values, or the item deleted and
// not yet collected), with the token that supersedes them. An item that
// does not exist is ErrNotFound.
func (c *Client) ReadItem(ctx context.Context, pk, sk string) ([][]byte, CausalityToken, error) {
	res, err := c.do(ctx, request{
		method:    http.MethodGet,
		partition: &pk,
		query:     url.Values{"sort_key": {sk}},
		header:    http.Header{"Accept": {acceptEither}},
	})
	if err != nil {
		return nil, "", err
	}
	if res.status == http.StatusNotModified {
		return nil, "", fmt.Errorf("k2v: ReadItem: unexpected 304 Not Modified")
	}
	return itemValues(res)
}

// InsertItem writes value to an item. With the token of an earlier read,
// the values that read returned are superseded; with "", the value joins
// whatever the item holds as a sibling (right for a first write).
func (c *Client) InsertItem(ctx context.Context, pk, sk string, value []byte, token CausalityToken) error {
	if value == nil {
		value = []byte{}
	}
	h := http.Header{"Content-Type": {"application/octet-stream"}}
	if token != "" {
		h.Set(CausalityTokenHeader, string(token))
	}
	_, err := c.do(ctx, request{method: http.MethodPut, partition: &pk, query: url.Values{"sort_key": {sk}}, header: h, body: value})
	return err
}

// DeleteItem writes a tombstone superseding the values token covers (it
// must come from a read of the item; a delete without one is refused, as
// Garage's specification requires). Values written concurrently survive
// as siblings of the tombstone.
func (c *Client) DeleteItem(ctx context.Context, pk, sk string, token CausalityToken) error {
	if token == "" {
		return errors.New("k2v: DeleteItem needs the causality token of a read of the item")
	}
	_, err := c.do(ctx, request{
		method:    http.MethodDelete,
		partition: &pk,
		query:     url.Values{"sort_key": {sk}},
		header:    http.Header{CausalityTokenHeader: {string(token)}},
	})
	return err
}

// PollItem waits until the item holds a value token has not seen, or
// timeout passes (0: the server's default, 300s; at most 600s). It returns
// the item's values and new token with changed true, or changed false
// when the timeout passed (304 Not Modified). The call's context should
// outlast the timeout.
func (c *Client) PollItem(ctx context.Context, pk, sk string, token CausalityToken, timeout time.Duration) ([][]byte, CausalityToken, bool, error) {
	if token == "" {
		return nil, "", false, errors.New("k2v: PollItem needs the causality token of a read of the item")
	}
	res, err := c.do(ctx, request{
		method:    http.MethodGet,
		partition: &pk,
		query: url.Values{
			"sort_key":        {sk},
			"causality_token": {string(token)},
			"timeout":         {strconv.FormatInt(pollSeconds(timeout), 10)},
		},
		header: http.Header{"Accept": {acceptEither}},
	})
	if err != nil {
		return nil, "", false, err
	}
	if res.status == http.StatusNotModified {
		return nil, "", false, nil
	}
	values, ct, err := itemValues(res)
	return values, ct, err == nil, err
}

// itemValues decodes ReadItem's answer in either of its formats: one raw
// value (204 for a tombstone) or a JSON array of base64 values and nulls.
func itemValues(res *response) ([][]byte, CausalityToken, error) {
	token := CausalityToken(res.header.Get(CausalityTokenHeader))
	if token == "" {
		return nil, "", errors.New("k2v: invalid answer: no causality token")
	}
	if res.status == http.StatusNoContent {
		return [][]byte{nil}, token, nil
	}
	mediaType, _, err := mime.ParseMediaType(res.header.Get("Content-Type"))
	if err != nil {
		return nil, "", fmt.Errorf("k2v: invalid answer: content type %q: %w", res.header.Get("Content-Type"), err)
	}
	switch mediaType {
	case "application/octet-stream":
		v := res.body
		if v == nil {
			v = []byte{}
		}
		return [][]byte{v}, token, nil
	case "application/json":
		var wire []*string
		if err := json.Unmarshal(res.body, &wire); err != nil {
			return nil, "", fmt.Errorf("k2v: invalid answer: %w", err)
		}
		values, err := decodeValues(wire)
		if err != nil {
			return nil, "", err
		}
		return values, token, nil
	default:
		return nil, "", fmt.Errorf("k2v: invalid answer: content type %q", mediaType)
	}
}

// decodeValues turns base64 strings and nulls into values and nil
// tombstones; an empty value stays a non-nil empty slice.
func decodeValues(wire []*string) ([][]byte, error) {
	values := make([][]byte, len(wire))
	for i, s := range wire {
		if s == nil {
			continue
		}
		v, err := base64.StdEncoding.DecodeString(*s)
		if err != nil {
			return nil, fmt.Errorf("k2v: invalid answer: value %d: %w", i, err)
		}
		if v == nil {
			v = []byte{}
		}
		values[i] = v
	}
	return values, nil
}
