package k2vapi

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/garagego/garage/node/k2v"
)

// CausalityTokenHeader carries an item's causality token: in the answers
// of item reads, and in the InsertItem and DeleteItem requests that
// supersede what a read returned.
const CausalityTokenHeader = "X-Garage-Causality-Token"

// MaxBody bounds a request body: an item's value, or a batch's JSON.
// Garage sets no bound; an unbounded body would let one request exhaust a
// node's memory.
const MaxBody = 10 << 20

// Poll timeouts, in seconds, as Garage reads the timeout parameter: 300
// unless given, clamped to [1, 600].
const (
	defaultPollTimeout = 300
	maxPollTimeout     = int64(k2v.MaxPollTimeout / time.Second)
)

// pollTimeout is a poll's wait, as Garage clamps it.
func pollTimeout(seconds *uint64) time.Duration {
	s := int64(defaultPollTimeout)
	if seconds != nil {
		s = int64(min(*seconds, uint64(maxPollTimeout)))
	}
	return time.Duration(max(s, 1)) * time.Second
}

// format is how an item read answers, from its Accept header.
type format uint8

const (
	formatJSON   format = iota // a JSON array of base64 values, null for tombstones
	formatBinary               // the one value, raw; 409 on siblings
	formatEither               // raw for one value, JSON for siblings
)

// acceptFormat reads the Accept header as Garage does: none means JSON;
// application/json and application/octet-stream (either of them */*)
// choose; a header that names neither is refused with 406.
func acceptFormat(h http.Header) (format, error) {
	values, present := h["Accept"]
	if !present {
		return formatJSON, nil
	}
	wantJSON, binary := false, false
	for _, v := range strings.Split(strings.Join(values, ","), ",") {
		switch strings.TrimSpace(v) {
		case "application/json":
			wantJSON = true
		case "application/octet-stream":
			binary = true
		case "*/*":
			wantJSON, binary = true, true
		}
	}
	switch {
	case wantJSON && binary:
		return formatEither, nil
	case wantJSON:
		return formatJSON, nil
	case binary:
		return formatBinary, nil
	}
	return 0, errNoEncoding
}

func (rq *request) key() k2v.ItemKey {
	return k2v.ItemKey{Bucket: rq.bucket, Partition: rq.ep.partition, Sort: rq.ep.sort}
}

// readItem is ReadItem: GET /bucket/pk?sort_key=sk.
func (rq *request) readItem() error {
	f, err := acceptFormat(rq.r.Header)
	if err != nil {
		return err
	}
	res, err := rq.api.backend.Do(rq.ctx, k2v.Read{Key: rq.key()})
	if err != nil {
		return err
	}
	r := res.(k2v.ReadResult)
	if !r.Found {
		return errNoSuchKey
	}
	return rq.writeItem(f, r.Item)
}

// pollItem is PollItem: GET /bucket/pk?sort_key=sk&causality_token=ct,
// answered as ReadItem once the item holds a value the token has not
// seen, or 304 when the timeout passes first.
func (rq *request) pollItem() error {
	f, err := acceptFormat(rq.r.Header)
	if err != nil {
		return err
	}
	ctx, err := k2v.ParseToken(rq.query.Get("causality_token"))
	if err != nil {
		return badRequest("Invalid causality token")
	}
	seconds, err := optUint(rq.query, "timeout")
	if err != nil {
		return err
	}
	res, err := rq.api.backend.Do(rq.ctx, k2v.PollItem{Key: rq.key(), Context: ctx, Timeout: pollTimeout(seconds)})
	if err != nil {
		return err
	}
	r := res.(k2v.PollResult)
	if !r.Changed {
		rq.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return rq.writeItem(f, r.Item)
}

// writeItem answers an item read in format f, with the item's causality
// token: the values as JSON, or the one value raw (204 for a tombstone,
// 409 for siblings unless JSON is acceptable too). An item that holds no
// value at all is not found.
func (rq *request) writeItem(f format, it k2v.Item) error {
	values := it.Values()
	if len(values) == 0 {
		return errNoSuchKey
	}
	h := rq.w.Header()
	h.Set(CausalityTokenHeader, it.Context().Token())
	switch {
	case f == formatBinary && len(values) > 1:
		h.Set("Content-Type", "application/octet-stream")
		rq.w.WriteHeader(http.StatusConflict)
		return nil
	case f != formatJSON && len(values) == 1:
		h.Set("Content-Type", "application/octet-stream")
		if values[0].Deleted {
			rq.w.WriteHeader(http.StatusNoContent)
			return nil
		}
		h.Set("Content-Length", strconv.Itoa(len(values[0].Data)))
		rq.w.WriteHeader(http.StatusOK)
		rq.w.Write(values[0].Data) //nolint:errcheck // the client went away
		return nil
	}
	return rq.writeJSON(jsonValues(values))
}

// jsonValues are an item's values as K2V's JSON carries them: base64, or
// null for a tombstone.
func jsonValues(values []k2v.Value) []*string {
	out := make([]*string, len(values))
	for i, v := range values {
		if !v.Deleted {
			s := base64.StdEncoding.EncodeToString(v.Data)
			out[i] = &s
		}
	}
	return out
}

// writeJSON answers 200 with v as JSON.
func (rq *request) writeJSON(v any) error {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	h := rq.w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rq.w.WriteHeader(http.StatusOK)
	rq.w.Write(body) //nolint:errcheck // the client went away
	return nil
}

// headerToken reads the X-Garage-Causality-Token header (nil if absent).
func (rq *request) headerToken() (*k2v.Context, error) {
	values := rq.r.Header.Values(CausalityTokenHeader)
	if len(values) == 0 {
		return nil, nil
	}
	if len(values) > 1 {
		return nil, errBadToken
	}
	ctx, err := k2v.ParseToken(strings.TrimSpace(values[0]))
	if err != nil {
		return nil, errBadToken
	}
	return &ctx, nil
}

// insertItem is InsertItem: PUT /bucket/pk?sort_key=sk, the raw value as
// body, superseding what the token (if any) saw.
func (rq *request) insertItem() error {
	ctx, err := rq.headerToken()
	if err != nil {
		return err
	}
	data, err := rq.readBody()
	if err != nil {
		return err
	}
	return rq.insert(ctx, k2v.Value{Data: data})
}

// deleteItem is DeleteItem: DELETE /bucket/pk?sort_key=sk, a tombstone
// superseding what the token saw. The token is required, as the
// specification says: without one the tombstone would supersede nothing.
func (rq *request) deleteItem() error {
	ctx, err := rq.headerToken()
	if err != nil {
		return err
	}
	if ctx == nil {
		return badRequest("DeleteItem needs the %s header: the causality token of the values to delete", CausalityTokenHeader)
	}
	return rq.insert(ctx, k2v.Value{Deleted: true})
}

func (rq *request) insert(ctx *k2v.Context, v k2v.Value) error {
	if _, err := rq.api.backend.Do(rq.ctx, k2v.Insert{Key: rq.key(), Context: ctx, Value: v}); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

// readBody reads the whole request body, at most MaxBody bytes, through
// the checks its signature calls for.
func (rq *request) readBody() ([]byte, error) {
	if rq.body.Size > MaxBody {
		return nil, errTooLarge()
	}
	data, err := io.ReadAll(io.LimitReader(rq.body, MaxBody+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBody {
		return nil, errTooLarge()
	}
	// The body's read deadline has done its work. Left on the connection,
	// it would expire during a long operation (a poll waits minutes), and
	// net/http, reading the idle connection, would take the expiry for the
	// client leaving and cancel the request.
	_ = rq.w.RC.SetReadDeadline(time.Time{})
	return data, nil
}

func errTooLarge() *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: codeEntityTooLarge, Message: "The request body exceeds " + strconv.Itoa(MaxBody) + " bytes"}
}
