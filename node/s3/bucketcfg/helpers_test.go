package bucketcfg

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/wire"
)

// wantCode fails unless err is an *s3err.Error with code want, and, when
// mention is given, its message names it.
func wantCode(t *testing.T, err error, want s3err.Code, mention ...string) {
	t.Helper()
	var e *s3err.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *s3err.Error", err, err)
	}
	if e.Code != want {
		t.Fatalf("code %s, want %s (%v)", e.Code, want, err)
	}
	for _, m := range mention {
		if !strings.Contains(e.Message, m) {
			t.Fatalf("message %q does not mention %q", e.Message, m)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// roundTrip checks the two ways a parsed configuration comes back: through
// its GET document, and through the bucket table's encoding.
func roundTrip[T interface {
	XML() []byte
	Encode(*wire.Encoder)
}](t *testing.T, v T, parse func([]byte) (T, error), decode func(*wire.Decoder) T) {
	t.Helper()
	doc := v.XML()
	back, err := parse(doc)
	if err != nil {
		t.Fatalf("re-parsing %s: %v", doc, err)
	}
	if !reflect.DeepEqual(back, v) {
		t.Fatalf("XML round trip changed the value:\n%#v\n%#v\nvia %s", v, back, doc)
	}
	e := wire.NewEncoder(nil)
	v.Encode(e)
	d := wire.NewDecoder(e.Bytes())
	decoded := decode(d)
	if err := d.Finish(); err != nil {
		t.Fatalf("decoding %x: %v", e.Bytes(), err)
	}
	if !reflect.DeepEqual(decoded, v) {
		t.Fatalf("wire round trip changed the value:\n%#v\n%#v", v, decoded)
	}
	again := wire.NewEncoder(nil)
	decoded.Encode(again)
	if string(again.Bytes()) != string(e.Bytes()) {
		t.Fatalf("encoding is not canonical: %x then %x", e.Bytes(), again.Bytes())
	}
}

// mustNotDecode checks that decode refuses every strict prefix of a valid
// encoding and the encoding with a byte appended, without panicking.
func mustNotDecode[T any](t *testing.T, encoded []byte, decode func(*wire.Decoder) T) {
	t.Helper()
	for n := range len(encoded) {
		d := wire.NewDecoder(encoded[:n])
		decode(d)
		if d.Finish() == nil {
			t.Fatalf("a %d-byte prefix of %x decoded", n, encoded)
		}
	}
	d := wire.NewDecoder(append(append([]byte(nil), encoded...), 0))
	decode(d)
	if d.Finish() == nil {
		t.Fatal("trailing byte accepted")
	}
}

// stripHeader removes the XML declaration Marshal puts first.
func stripHeader(b []byte) string {
	return strings.TrimPrefix(string(b), `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
}
