package s3api

import (
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"

	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
)

// maxXMLBody bounds the XML documents a request may send (a DeleteObjects
// of 1000 long keys fits).
const maxXMLBody = 2 << 20

// writeXML answers with an XML document.
func (rq *request) writeXML(status int, v any) error {
	body := s3xml.Marshal(v)
	h := rq.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rq.writeHeader(status)
	if rq.r.Method != http.MethodHead {
		rq.w.Write(body) //nolint:errcheck // the client went away
	}
	return nil
}

// writeEmpty answers with a status and no body.
func (rq *request) writeEmpty(status int) error {
	rq.w.Header().Set("Content-Length", "0")
	rq.writeHeader(status)
	return nil
}

// readBody reads a whole request body of at most limit bytes, checking it
// against its Content-MD5 and the checksum it declares (x-amz-checksum-*,
// header or trailer), if any.
func (rq *request) readBody(limit int64) ([]byte, error) {
	decl, err := requestChecksum(rq.r.Header)
	if err != nil {
		return nil, err
	}
	return rq.readBodyChecked(limit, decl)
}

// readBodyChecked is readBody for a body that declares its own checksum
// (decl, nil if none): it is checked against it too.
func (rq *request) readBodyChecked(limit int64, decl *declared) ([]byte, error) {
	s := newSummer(rq.body)
	if decl != nil {
		s.add(decl.algo)
	}
	data, err := readLimited(s, limit)
	if err != nil {
		return nil, err
	}
	if err := checkBodyMD5(rq.r.Header, data); err != nil {
		return nil, err
	}
	if decl != nil {
		if err := decl.verify(s, rq.body.Trailer()); err != nil {
			return nil, err
		}
	}
	return data, nil
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, s3err.New(s3err.EntityTooLarge, "The request body exceeds the limit of %d bytes.", limit)
	}
	return data, nil
}

func checkBodyMD5(h http.Header, data []byte) error {
	if want := h.Get("Content-MD5"); want != "" {
		sum := md5.Sum(data)
		return checkContentMD5(want, sum[:])
	}
	return nil
}

// checkContentMD5 compares a Content-MD5 header with the body's MD5.
func checkContentMD5(header string, sum []byte) error {
	want, err := base64.StdEncoding.DecodeString(header)
	if err != nil || len(want) != md5.Size {
		return s3err.New(s3err.InvalidDigest, "The Content-MD5 you specified is not valid.")
	}
	if string(want) != string(sum) {
		return s3err.New(s3err.BadDigest, "The Content-MD5 you specified did not match what we received.")
	}
	return nil
}

// quote renders an ETag as S3 sends it.
func quote(etag string) string { return httpapi.Quote(etag) }
