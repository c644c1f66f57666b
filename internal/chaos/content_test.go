package chaos

import (
	"errors"
	"strings"
	"testing"

	"github.com/garagego/garage/checker"
)

func TestContentNamesItsWriteAndShowsDamage(t *testing.T) {
	for _, size := range []int{0, 5, 100, 70 << 10} {
		body := content("c01-000007", size)
		if got := valueOf(body); got != "c01-000007" {
			t.Fatalf("size %d: read back %q", size, got)
		}
	}
	body := content("c01-000007", 4096)
	flipped := append([]byte(nil), body...)
	flipped[3000] ^= 1
	for name, b := range map[string][]byte{"flipped": flipped, "short": body[:4000], "long": append(body, 'x'), "other": content("c02-000001", 4096)[:100]} {
		if got := valueOf(b); !strings.HasPrefix(got, "corrupt:") && name != "other" {
			t.Errorf("%s body read as %q", name, got)
		}
	}
	if etag(body) == etag(content("c01-000008", 4096)) {
		t.Error("two values, one ETag")
	}
	if got := multipartETag([][]byte{body[:10], body[10:]}); !strings.HasSuffix(got, "-2") {
		t.Errorf("multipart ETag %q", got)
	}
}

func TestParseListingsDecodesURLKeysAcrossPages(t *testing.T) {
	raw := `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><EncodingType>url</EncodingType>` +
		`<Contents><Key>k%2F01</Key><ETag>&#34;aa&#34;</ETag><GarageStamp>0102</GarageStamp></Contents></ListBucketResult>` +
		`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Contents><Key>k/02</Key><ETag>"bb"</ETag></Contents></ListBucketResult>`
	got, err := parseListings([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Key != "k/01" || got[0].Stamp != "0102" || got[0].ETag != `"aa"` || got[1].Key != "k/02" {
		t.Fatalf("parsed %+v", got)
	}
	if _, err := parseListings([]byte("<ListBucketResult><Contents>")); err == nil {
		t.Error("a cut listing parsed")
	}
}

func TestOutcomeClassification(t *testing.T) {
	errSome := errors.ErrUnsupported
	for _, tc := range []struct {
		status int
		err    error
		want   checker.Outcome
	}{
		{200, nil, checker.OK},
		{400, errSome, checker.Failed},
		{404, errSome, checker.Failed},
		{503, errSome, checker.Unknown},
		{500, errSome, checker.Unknown},
		{0, errSome, checker.Unknown}, // no answer: it may have been applied
	} {
		if got := outcome(tc.status, tc.err); got != tc.want {
			t.Errorf("status %d: %v, want %v", tc.status, got, tc.want)
		}
	}
}

func TestRecorderPointsStrictlyIncrease(t *testing.T) {
	r := newRecorder()
	last := int64(-1)
	for range 10000 {
		s := r.seq()
		if s <= last {
			t.Fatalf("seq %d after %d", s, last)
		}
		last = s
	}
}
