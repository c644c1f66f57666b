package sse

import (
	"net/http"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

// FuzzParseCustomerKey: any SSE-C headers either give a key whose MD5
// matches, or fail with an *s3err.Error; never a panic.
func FuzzParseCustomerKey(f *testing.F) {
	h := customerHeadersFor(make([]byte, KeySize))
	f.Add(h.Get(HeaderCustomerAlgorithm), h.Get(HeaderCustomerKey), h.Get(HeaderCustomerKeyMD5), true)
	f.Add("AES256", "AAAA", "AAAA", false)
	f.Fuzz(func(t *testing.T, algo, key, sum string, copySource bool) {
		names := customerHeaders(copySource)
		h := http.Header{}
		for i, v := range []string{algo, key, sum} {
			if v != "" {
				h.Set(names[i], v)
			}
		}
		ck, err := ParseCustomerKey(h, copySource)
		if err != nil {
			if _, ok := s3err.As(err); !ok {
				t.Fatalf("error %v is not an *s3err.Error", err)
			}
			return
		}
		if ck != nil && (algo != AES256 || ck.MD5Base64() == "") {
			t.Fatalf("accepted algorithm %q", algo)
		}
	})
}

// FuzzParseParams: stored parameters that decode encode back to the same
// text, and nothing panics on damaged ones.
func FuzzParseParams(f *testing.F) {
	ck := testKey(1)
	f.Add(WrapCustomer(ck, &[KeySize]byte{2}, [SaltSize]byte{3}, [NonceSize]byte{4}).String())
	f.Add(WrapManaged(&[KeySize]byte{5}, &[KeySize]byte{6}, [SaltSize]byte{}, [NonceSize]byte{}).String())
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseParams(s)
		if err != nil {
			return
		}
		back, err := ParseParams(p.String())
		if err != nil || back != p {
			t.Fatalf("%q parsed, but its encoding does not parse back the same: %v", s, err)
		}
		p.UnwrapCustomer(ck)               //nolint:errcheck // must not panic
		p.UnwrapManaged(&[KeySize]byte{5}) //nolint:errcheck // must not panic
	})
}
