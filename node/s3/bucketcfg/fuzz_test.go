package bucketcfg

import (
	"reflect"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/wire"
)

// fuzzConfig checks the properties every configuration parser keeps on any
// input: no panic, every error an *s3err.Error, and whatever parses comes
// back equal through its GET document and through its encoding.
func fuzzConfig[T interface {
	XML() []byte
	Encode(*wire.Encoder)
}](t *testing.T, body []byte, parse func([]byte) (T, error), decode func(*wire.Decoder) T) {
	v, err := parse(body)
	if err != nil {
		if _, ok := err.(*s3err.Error); !ok {
			t.Fatalf("error %v (%T) is not an *s3err.Error", err, err)
		}
		return
	}
	roundTrip(t, v, parse, decode)
}

// fuzzDecode feeds raw bytes to a decoder: it must not panic, and what it
// accepts must encode to bytes that decode to the same value. (Not back to
// the same bytes: wire accepts varints written with needless continuation
// bytes, which the encoder never writes.)
func fuzzDecode[T interface{ Encode(*wire.Encoder) }](t *testing.T, raw []byte, decode func(*wire.Decoder) T) {
	d := wire.NewDecoder(raw)
	v := decode(d)
	if d.Finish() != nil {
		return
	}
	e := wire.NewEncoder(nil)
	v.Encode(e)
	again := wire.NewDecoder(e.Bytes())
	back := decode(again)
	if err := again.Finish(); err != nil {
		t.Fatalf("decoded %x, but its encoding %x does not decode: %v", raw, e.Bytes(), err)
	}
	if !reflect.DeepEqual(back, v) {
		t.Fatalf("decoded %x as %#v, its encoding %x as %#v", raw, v, e.Bytes(), back)
	}
}

func FuzzParseCORS(f *testing.F) {
	f.Add([]byte(corsExample))
	f.Add([]byte(`<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>0</MaxAgeSeconds></CORSRule></CORSConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzConfig(t, body, ParseCORS, DecodeCORS)
		fuzzDecode(t, body, DecodeCORS)
	})
}

func FuzzParseWebsite(f *testing.F) {
	f.Add([]byte(websiteExample))
	f.Add([]byte(`<WebsiteConfiguration><RedirectAllRequestsTo><HostName>example.com</HostName><Protocol>https</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzConfig(t, body, ParseWebsite, DecodeWebsite)
		fuzzDecode(t, body, DecodeWebsite)
	})
}

func FuzzParseLifecycle(f *testing.F) {
	f.Add([]byte(lifecycleExample))
	f.Add([]byte(`<LifecycleConfiguration><Rule><Prefix></Prefix><Status>Enabled</Status><Expiration><Date>2030-06-01T00:00:00Z</Date></Expiration></Rule></LifecycleConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzConfig(t, body, ParseLifecycle, DecodeLifecycle)
		fuzzDecode(t, body, DecodeLifecycle)
	})
}
