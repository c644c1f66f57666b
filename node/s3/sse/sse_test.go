package sse

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

func customerHeadersFor(key []byte) http.Header {
	sum := md5.Sum(key)
	h := http.Header{}
	h.Set(HeaderCustomerAlgorithm, AES256)
	h.Set(HeaderCustomerKey, base64.StdEncoding.EncodeToString(key))
	h.Set(HeaderCustomerKeyMD5, base64.StdEncoding.EncodeToString(sum[:]))
	return h
}

func testKey(b byte) *CustomerKey {
	ck, err := ParseCustomerKey(customerHeadersFor(bytes.Repeat([]byte{b}, KeySize)), false)
	if err != nil || ck == nil {
		panic(err)
	}
	return ck
}

func wantCode(t *testing.T, err error, code s3err.Code) {
	t.Helper()
	e, ok := s3err.As(err)
	if !ok {
		t.Fatalf("want %s, got %v", code, err)
	}
	if e.Code != code {
		t.Fatalf("want %s, got %s: %s", code, e.Code, e.Message)
	}
}

func TestParseCustomerKey(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	ck, err := ParseCustomerKey(customerHeadersFor(key), false)
	if err != nil || ck == nil || !bytes.Equal(ck.Key[:], key) {
		t.Fatalf("good headers: %v, %v", ck, err)
	}
	if sum := md5.Sum(key); ck.MD5Base64() != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("MD5Base64 = %s", ck.MD5Base64())
	}
	if ck, err := ParseCustomerKey(http.Header{}, false); ck != nil || err != nil {
		t.Errorf("no headers: %v, %v", ck, err)
	}
	for name, c := range map[string]struct {
		edit func(http.Header)
		code s3err.Code
	}{
		"bad algorithm":   {func(h http.Header) { h.Set(HeaderCustomerAlgorithm, "AES128") }, s3err.InvalidEncryptionAlgorithm},
		"no algorithm":    {func(h http.Header) { h.Del(HeaderCustomerAlgorithm) }, s3err.InvalidArgument},
		"no key":          {func(h http.Header) { h.Del(HeaderCustomerKey) }, s3err.InvalidArgument},
		"no md5":          {func(h http.Header) { h.Del(HeaderCustomerKeyMD5) }, s3err.InvalidArgument},
		"short key":       {func(h http.Header) { h.Set(HeaderCustomerKey, base64.StdEncoding.EncodeToString(key[:31])) }, s3err.InvalidArgument},
		"key not base64":  {func(h http.Header) { h.Set(HeaderCustomerKey, "!!!") }, s3err.InvalidArgument},
		"md5 mismatch":    {func(h http.Header) { h.Set(HeaderCustomerKeyMD5, base64.StdEncoding.EncodeToString(make([]byte, 16))) }, s3err.InvalidArgument},
		"md5 not base64":  {func(h http.Header) { h.Set(HeaderCustomerKeyMD5, "%%") }, s3err.InvalidArgument},
		"empty algorithm": {func(h http.Header) { h.Set(HeaderCustomerAlgorithm, "") }, s3err.InvalidEncryptionAlgorithm},
	} {
		t.Run(name, func(t *testing.T) {
			h := customerHeadersFor(key)
			c.edit(h)
			ck, err := ParseCustomerKey(h, false)
			if ck != nil {
				t.Fatalf("accepted: %v", ck)
			}
			wantCode(t, err, c.code)
		})
	}
}

func TestParseCopySourceKey(t *testing.T) {
	key := bytes.Repeat([]byte{9}, KeySize)
	dest := customerHeadersFor(key)
	src := http.Header{}
	for name, v := range dest {
		src["X-Amz-Copy-Source-"+name[len("X-Amz-"):]] = v
	}
	if !HasCustomerHeaders(src, true) || HasCustomerHeaders(src, false) {
		t.Fatalf("HasCustomerHeaders mixes up copy-source and destination: %v", src)
	}
	ck, err := ParseCustomerKey(src, true)
	if err != nil || ck == nil || !bytes.Equal(ck.Key[:], key) {
		t.Fatalf("copy-source headers: %v, %v", ck, err)
	}
	if ck, err := ParseCustomerKey(src, false); ck != nil || err != nil {
		t.Errorf("copy-source headers read as the destination's: %v, %v", ck, err)
	}
}

func TestParseSSE(t *testing.T) {
	for v, want := range map[string]s3err.Code{"aws:kms": s3err.NotImplemented, "aws:kms:dsse": s3err.NotImplemented, "AES512": s3err.InvalidArgument, "aes256": s3err.InvalidArgument, "": s3err.InvalidArgument} {
		h := http.Header{}
		h.Set(HeaderSSE, v)
		_, err := ParseSSE(h)
		wantCode(t, err, want)
	}
	h := http.Header{}
	if on, err := ParseSSE(h); on || err != nil {
		t.Errorf("absent: %v, %v", on, err)
	}
	h.Set(HeaderSSE, AES256)
	if on, err := ParseSSE(h); !on || err != nil {
		t.Errorf("AES256: %v, %v", on, err)
	}
}

func TestCustomerWrap(t *testing.T) {
	right, wrong := testKey(1), testKey(2)
	dataKey := [KeySize]byte{3, 4, 5}
	p := WrapCustomer(right, &dataKey, [SaltSize]byte{6}, [NonceSize]byte{7})
	back, err := ParseParams(p.String())
	if err != nil || back != p {
		t.Fatalf("params do not round-trip: %v", err)
	}
	got, err := back.UnwrapCustomer(right)
	if err != nil || got != dataKey {
		t.Fatalf("unwrap with the right key: %x, %v", got, err)
	}
	if _, err := back.UnwrapCustomer(wrong); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("unwrap with the wrong key: %v", err)
	}
	// The key itself is nowhere in what is stored.
	if enc := p.String(); bytes.Contains([]byte(enc), right.Key[:]) || bytes.Contains(mustDecode(t, enc), right.Key[:]) || bytes.Contains(mustDecode(t, enc), dataKey[:]) {
		t.Fatal("stored parameters contain a key")
	}
	// The same key under another salt gives unrelated parameters.
	q := WrapCustomer(right, &dataKey, [SaltSize]byte{8}, [NonceSize]byte{7})
	if q.Digest == p.Digest || q.Wrapped == p.Wrapped {
		t.Fatal("the salt does not change the digest and the wrapping")
	}
	// A tampered digest or wrapping is refused.
	bad := p
	bad.Wrapped[20] ^= 1
	if _, err := bad.UnwrapCustomer(right); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("tampered wrapping: %v", err)
	}
	bad = p
	bad.Digest[0] ^= 1
	if _, err := bad.UnwrapCustomer(right); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("tampered digest: %v", err)
	}
	if _, err := p.UnwrapManaged(&[KeySize]byte{}); err == nil {
		t.Fatal("an SSE-C object unwrapped as SSE-S3")
	}
}

func mustDecode(t *testing.T, s string) []byte {
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestManagedWrap(t *testing.T) {
	master, other := [KeySize]byte{1}, [KeySize]byte{2}
	dataKey := [KeySize]byte{9}
	p := WrapManaged(&master, &dataKey, [SaltSize]byte{1}, [NonceSize]byte{2})
	back, err := ParseParams(p.String())
	if err != nil || back != p {
		t.Fatalf("params do not round-trip: %v", err)
	}
	if got, err := back.UnwrapManaged(&master); err != nil || got != dataKey {
		t.Fatalf("unwrap: %x, %v", got, err)
	}
	if _, err := back.UnwrapManaged(&other); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("another master key: %v", err)
	}
	if _, err := back.UnwrapCustomer(testKey(1)); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("an SSE-S3 object unwrapped as SSE-C: %v", err)
	}
}

func TestParseParamsRefusesDamage(t *testing.T) {
	p := WrapManaged(&[KeySize]byte{1}, &[KeySize]byte{2}, [SaltSize]byte{}, [NonceSize]byte{})
	raw := mustDecode(t, p.String())
	for name, s := range map[string]string{
		"not base64":    "***",
		"empty":         "",
		"short":         base64.RawStdEncoding.EncodeToString(raw[:len(raw)-1]),
		"long":          base64.RawStdEncoding.EncodeToString(append(raw, 0)),
		"future format": base64.RawStdEncoding.EncodeToString(append([]byte{2}, raw[1:]...)),
		"unknown mode":  base64.RawStdEncoding.EncodeToString(append([]byte{1, 'X'}, raw[2:]...)),
	} {
		if _, err := ParseParams(s); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSealBindsPosition(t *testing.T) {
	k := DeriveObjectKey(&[KeySize]byte{1})
	plain := []byte("the quick brown fox")
	sealed := k.Seal([NonceSize]byte{5}, 2, 4096, plain)
	if len(sealed) != len(plain)+Overhead {
		t.Fatalf("sealed %d bytes into %d", len(plain), len(sealed))
	}
	if bytes.Contains(sealed, plain) {
		t.Fatal("the plaintext shows in the sealed block")
	}
	got, err := k.Open(2, 4096, sealed)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q, %v", got, err)
	}
	other := DeriveObjectKey(&[KeySize]byte{2})
	for name, open := range map[string]func() ([]byte, error){
		"other part":   func() ([]byte, error) { return k.Open(3, 4096, sealed) },
		"other offset": func() ([]byte, error) { return k.Open(2, 0, sealed) },
		"inline":       func() ([]byte, error) { return k.Open(InlinePart, 0, sealed) },
		"other key":    func() ([]byte, error) { return other.Open(2, 4096, sealed) },
		"flipped bit":  func() ([]byte, error) { s := bytes.Clone(sealed); s[15] ^= 1; return k.Open(2, 4096, s) },
		"truncated":    func() ([]byte, error) { return k.Open(2, 4096, sealed[:len(sealed)-1]) },
		"too short":    func() ([]byte, error) { return k.Open(2, 4096, sealed[:Overhead-1]) },
	} {
		if _, err := open(); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: opened (%v)", name, err)
		}
	}
	// Fresh nonces make equal blocks look different.
	if bytes.Equal(sealed, k.Seal([NonceSize]byte{6}, 2, 4096, plain)) {
		t.Fatal("two nonces gave one ciphertext")
	}
	empty := k.Seal([NonceSize]byte{}, 1, 0, nil)
	if got, err := k.Open(1, 0, empty); err != nil || len(got) != 0 {
		t.Fatalf("empty block: %q, %v", got, err)
	}
}

func TestCustomerETag(t *testing.T) {
	sum := md5.Sum([]byte("data"))
	a, b := DeriveObjectKey(&[KeySize]byte{1}), DeriveObjectKey(&[KeySize]byte{2})
	ea := a.CustomerETag(sum[:])
	if len(ea) != 32 || ea == b.CustomerETag(sum[:]) || ea == a.CustomerETag(make([]byte, 16)) {
		t.Fatalf("ETag %q is not keyed by both the data key and the content", ea)
	}
	if ea != a.CustomerETag(sum[:]) {
		t.Fatal("the ETag is not deterministic")
	}
}

// BenchmarkSealOpen measures AES-256-GCM on one 1 MiB block, the cost
// encryption adds to each block written or read.
func BenchmarkSealOpen(b *testing.B) {
	k := DeriveObjectKey(&[KeySize]byte{1})
	plain := make([]byte, 1<<20)
	sealed := k.Seal([NonceSize]byte{}, 1, 0, plain)
	b.Run("seal", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		for b.Loop() {
			k.Seal([NonceSize]byte{}, 1, 0, plain)
		}
	})
	b.Run("open", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		for b.Loop() {
			if _, err := k.Open(1, 0, sealed); err != nil {
				b.Fatal(err)
			}
		}
	})
}
