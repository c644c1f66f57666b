package s3api

import (
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/s3/s3err"
)

func TestCommonPrefixAndPrefixEnd(t *testing.T) {
	if cp, ok := commonPrefix("photos/2026/a.jpg", "photos/", "/"); !ok || cp != "photos/2026/" {
		t.Errorf("commonPrefix = %q %v", cp, ok)
	}
	if _, ok := commonPrefix("photos/a.jpg", "photos/", "/"); ok {
		t.Error("a key without a delimiter after the prefix rolls up into nothing")
	}
	if cp, ok := commonPrefix("a--b--c", "", "--"); !ok || cp != "a--" {
		t.Errorf("multi-byte delimiter: %q %v", cp, ok)
	}
	for p, want := range map[string]string{"abc": "abd", "ab\xff": "ac", "\xff\xff": "", "": ""} {
		if got := prefixEnd(p); got != want {
			t.Errorf("prefixEnd(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestPartSpans(t *testing.T) {
	obj := object.Object{Meta: model.ObjectMeta{Size: 25}, Blocks: []model.VersionBlock{
		{Part: 1, Size: 5}, {Part: 1, Size: 5}, {Part: 3, Size: 10}, {Part: 4, Size: 5},
	}}
	if n := partCount(obj); n != 3 {
		t.Fatalf("partCount = %d, want 3", n)
	}
	for n, want := range map[uint32]byteRange{1: {0, 10}, 3: {10, 20}, 4: {20, 25}} {
		if got, ok := partSpan(obj, n); !ok || got != want {
			t.Errorf("part %d: %v %v, want %v", n, got, ok, want)
		}
	}
	if _, ok := partSpan(obj, 2); ok {
		t.Error("part 2 was never uploaded")
	}
	single := object.Object{Meta: model.ObjectMeta{Size: 7}, Inline: make([]byte, 7)}
	if got, ok := partSpan(single, 1); !ok || got != (byteRange{0, 7}) {
		t.Errorf("a single-part object is its part 1: %v %v", got, ok)
	}
}

func TestChecksumCRC64NVMECheckValue(t *testing.T) {
	// CRC-64/NVME of "123456789" is 0xae8b14860a799888.
	want := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, 0xae8b14860a799888))
	d := &declared{algo: checksum.CRC64NVME, value: want}
	s := newSummer(strings.NewReader("123456789"), checksum.CRC64NVME)
	if _, err := io.ReadAll(s); err != nil {
		t.Fatal(err)
	}
	if err := d.verify(s, nil); err != nil {
		t.Fatal(err)
	}
	d.value = base64.StdEncoding.EncodeToString(make([]byte, 8))
	if err := d.verify(s, nil); err == nil {
		t.Fatal("a wrong checksum passed")
	}
}

func TestRequestChecksumRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		header map[string]string
		code   s3err.Code
	}{
		"two checksums":        {map[string]string{"x-amz-checksum-crc32": "AAAAAA==", "x-amz-checksum-sha1": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}, s3err.InvalidRequest},
		"header and trailer":   {map[string]string{"x-amz-checksum-crc32": "AAAAAA==", "x-amz-trailer": "x-amz-checksum-crc32"}, s3err.InvalidRequest},
		"not base64":           {map[string]string{"x-amz-checksum-crc32": "not base64!"}, s3err.InvalidRequest},
		"too long":             {map[string]string{"x-amz-checksum-crc32": "AAAAAAA="}, s3err.InvalidRequest},
		"empty":                {map[string]string{"x-amz-checksum-sha256": ""}, s3err.InvalidRequest},
		"unknown algorithm":    {map[string]string{"x-amz-checksum-crc16": "AAA="}, s3err.InvalidRequest},
		"xxhash":               {map[string]string{"x-amz-checksum-xxhash64": "AAAAAAAAAAA="}, s3err.NotImplemented},
		"sdk names another":    {map[string]string{"x-amz-checksum-crc32": "AAAAAA==", "x-amz-sdk-checksum-algorithm": "CRC32C"}, s3err.InvalidRequest},
		"sdk names none sent":  {map[string]string{"x-amz-sdk-checksum-algorithm": "SHA256"}, s3err.InvalidRequest},
		"trailer of no sum":    {map[string]string{"x-amz-trailer": "x-amz-meta-foo"}, s3err.InvalidRequest},
		"sdk names an unknown": {map[string]string{"x-amz-checksum-crc32": "AAAAAA==", "x-amz-sdk-checksum-algorithm": "CRC16"}, s3err.InvalidRequest},
	} {
		h := http.Header{}
		for k, v := range tc.header {
			h.Set(k, v)
		}
		_, err := requestChecksum(h)
		if e, ok := s3err.As(err); !ok || e.Code != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
	h := http.Header{}
	h.Set("x-amz-checksum-md5", base64.StdEncoding.EncodeToString(make([]byte, 16)))
	h.Set("x-amz-sdk-checksum-algorithm", "md5")
	if d, err := requestChecksum(h); err != nil || d.algo != checksum.MD5 {
		t.Errorf("an MD5 checksum: %v %v", d, err)
	}
}

func TestUploadChecksum(t *testing.T) {
	for _, tc := range []struct {
		algo, typ string
		want      checksum.Spec
		code      s3err.Code
	}{
		{"", "", checksum.Spec{}, ""},
		{"CRC32", "", checksum.Spec{Algorithm: checksum.CRC32, Type: checksum.Composite}, ""},
		{"crc64nvme", "", checksum.Spec{Algorithm: checksum.CRC64NVME, Type: checksum.FullObject}, ""},
		{"CRC32C", "FULL_OBJECT", checksum.Spec{Algorithm: checksum.CRC32C, Type: checksum.FullObject}, ""},
		{"SHA256", "FULL_OBJECT", checksum.Spec{}, s3err.InvalidRequest},
		{"CRC64NVME", "COMPOSITE", checksum.Spec{}, s3err.InvalidRequest},
		{"", "COMPOSITE", checksum.Spec{}, s3err.InvalidRequest},
		{"SHA1", "PARTIAL", checksum.Spec{}, s3err.InvalidRequest},
		{"CRC16", "", checksum.Spec{}, s3err.InvalidRequest},
		{"XXHASH3", "", checksum.Spec{}, s3err.NotImplemented},
	} {
		h := http.Header{}
		if tc.algo != "" {
			h.Set("x-amz-checksum-algorithm", tc.algo)
		}
		if tc.typ != "" {
			h.Set("x-amz-checksum-type", tc.typ)
		}
		got, err := uploadChecksum(h)
		if tc.code != "" {
			if e, ok := s3err.As(err); !ok || e.Code != tc.code {
				t.Errorf("%s/%s: %v, want %s", tc.algo, tc.typ, err, tc.code)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s/%s: %v %v, want %v", tc.algo, tc.typ, got, err, tc.want)
		}
	}
}

func TestCopyRange(t *testing.T) {
	const malformed, pastEnd, startsPastEnd = s3err.InvalidArgument, s3err.InvalidArgument, s3err.InvalidRequest
	for _, tc := range []struct {
		header string
		size   uint64
		want   byteRange
		code   s3err.Code // "" when accepted
	}{
		{"", 100, byteRange{0, 100}, ""},
		{"bytes=0-9", 100, byteRange{0, 10}, ""},
		{"bytes=90-99", 100, byteRange{90, 100}, ""},
		{"bytes=5-5", 100, byteRange{5, 6}, ""},
		{"bytes=90-100", 100, byteRange{}, pastEnd}, // never clamped
		{"bytes=0-21", 5, byteRange{}, pastEnd},
		{"bytes=100-100", 100, byteRange{}, startsPastEnd},
		{"bytes=100-200", 100, byteRange{}, startsPastEnd},
		{"bytes=0-0", 0, byteRange{}, startsPastEnd},
		{"bytes=9-5", 100, byteRange{}, malformed},
		{"bytes=-10", 100, byteRange{}, malformed},
		{"bytes=10-", 100, byteRange{}, malformed},
		{"bytes=0-1,5-6", 100, byteRange{}, malformed},
		{"0-9", 100, byteRange{}, malformed},
		{"bytes=0", 100, byteRange{}, malformed},
		{"bytes=hello-world", 100, byteRange{}, malformed},
		{"bytes=+1-9", 100, byteRange{}, malformed},
		// A copy reads at most 5 GiB, with a range or without.
		{"bytes=0-5368709119", 6 << 30, byteRange{0, 5 << 30}, ""},
		{"bytes=0-5368709120", 6 << 30, byteRange{}, s3err.InvalidRequest},
		{"", 5<<30 + 1, byteRange{}, s3err.InvalidRequest},
	} {
		got, err := copyRange(tc.header, tc.size)
		if tc.code == "" {
			if err != nil || got != tc.want {
				t.Errorf("%q of %d: got %v %v, want %v", tc.header, tc.size, got, err, tc.want)
			}
			continue
		}
		e, ok := s3err.As(err)
		if !ok || e.Code != tc.code || e.Status() != 400 {
			t.Errorf("%q of %d: error %v, want %s (400)", tc.header, tc.size, err, tc.code)
			continue
		}
		if e.Code == s3err.InvalidArgument && (len(e.Details) != 2 || e.Details[0].Value != copySourceRangeHeader || e.Details[1].Value != tc.header) {
			t.Errorf("%q: InvalidArgument without ArgumentName/ArgumentValue: %+v", tc.header, e.Details)
		}
	}
}

func TestS3URLEncode(t *testing.T) {
	for in, want := range map[string]string{
		"plain/key.txt": "plain/key.txt",
		"a b/c":         "a%20b/c",
		"c+d":           "c%2Bd",
		"e%f":           "e%25f",
		"e%2Ff":         "e%252Ff", // a literal "%2F" in a key stays encoded
		"ü":             "%C3%BC",
		"ctl\x01\t\n":   "ctl%01%09%0A",
		"a~b_c-d.e":     "a~b_c-d.e",
	} {
		got := s3URLEncode(in)
		if got != want {
			t.Errorf("s3URLEncode(%q) = %q, want %q", in, got, want)
		}
		if back, err := url.QueryUnescape(got); err != nil || back != in {
			t.Errorf("%q does not decode back to %q: %q %v", got, in, back, err)
		}
	}
}
