package object

import (
	"errors"
	"slices"
	"testing"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
)

// fanOut keeps at most width steps in flight, runs each once, and reports
// once, whether steps answer at once or later, fail or not.
func TestFanOut(t *testing.T) {
	for _, sync := range []bool{true, false} {
		for _, failAt := range []int{-1, 0, 5, 9} {
			var pending []func()
			var ran []int
			running, most, reports := 0, 0, 0
			var got error
			fanOut(0, 10, 3, func(now cluster.Time, i int, next func(cluster.Time, error)) {
				ran = append(ran, i)
				running++
				most = max(most, running)
				finish := func() {
					running--
					var err error
					if i == failAt {
						err = errors.New("boom")
					}
					next(now, err)
				}
				if sync {
					finish()
				} else {
					pending = append(pending, finish)
				}
			}, func(_ cluster.Time, err error) { reports++; got = err })
			for len(pending) > 0 {
				f := pending[0]
				pending = pending[1:]
				f()
			}
			if reports != 1 || (failAt < 0) != (got == nil) || most > 3 {
				t.Fatalf("sync %v, failing step %d: %d reports, error %v, %d at once", sync, failAt, reports, got, most)
			}
			if failAt < 0 && !slices.Equal(ran, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
				t.Fatalf("sync %v: steps ran %v", sync, ran)
			}
		}
	}
	reports := 0
	fanOut(0, 0, 3, func(cluster.Time, int, func(cluster.Time, error)) { t.Fatal("a step ran") }, func(_ cluster.Time, err error) { reports++ })
	if reports != 1 {
		t.Fatal("no report for no steps")
	}
}

func TestMultipartETag(t *testing.T) {
	// md5("a") and md5("b"), then md5 of their 32 binary bytes.
	parts := []model.MPUPart{{Number: 1, ETag: "0cc175b9c0f1b6a831c399e269772661"}, {Number: 2, ETag: "92eb5ffee6ae2fec3ad71c777531578f"}}
	got, err := multipartETag(parts)
	if err != nil || got != "96e024ba2074fe77e8e965ba43a704be-2" { // computed with Python's hashlib
		t.Fatalf("%q, %v", got, err)
	}
	if _, err := multipartETag([]model.MPUPart{{Number: 1, ETag: "xyz"}}); !errors.Is(err, ErrInvalidPart) {
		t.Fatalf("a bad part ETag: %v", err)
	}
}

func TestChooseParts(t *testing.T) {
	latest := []model.MPUPart{{Number: 1, ETag: "aa", Size: 10}, {Number: 3, ETag: "cc", Size: 2}, {Number: 4, ETag: "dd", Size: 10}}
	for _, c := range []struct {
		req  []CompletedPart
		want error
	}{
		{[]CompletedPart{{Number: 1, ETag: `"AA"`}, {Number: 4, ETag: "dd"}}, nil},
		{[]CompletedPart{{Number: 3, ETag: "cc"}}, nil},
		{[]CompletedPart{{Number: 1, ETag: "aa"}, {Number: 2, ETag: "bb"}}, ErrInvalidPart},
		{[]CompletedPart{{Number: 1, ETag: "ab"}}, ErrInvalidPart},
		{[]CompletedPart{{Number: 3, ETag: "cc"}, {Number: 4, ETag: "dd"}}, ErrEntityTooSmall},
	} {
		got, err := chooseParts(latest, c.req, 5)
		if !errors.Is(err, c.want) || err == nil && len(got) != len(c.req) {
			t.Errorf("%v: %v, %v; want %v", c.req, got, err, c.want)
		}
	}
	if err := checkPartList(nil); !errors.Is(err, ErrEntityTooSmall) {
		t.Errorf("no parts: %v", err)
	}
	if err := checkPartList([]CompletedPart{{Number: 2, ETag: "b"}, {Number: 2, ETag: "b"}}); !errors.Is(err, ErrInvalidPartOrder) {
		t.Errorf("a part twice: %v", err)
	}
}

func TestPrefixEndAndHeaders(t *testing.T) {
	for prefix, want := range map[string]string{"": "", "a": "b", "a\xff": "b", "\xff\xff": "", "ab": "ac"} {
		if got := prefixEnd(prefix); got != want {
			t.Errorf("prefixEnd(%q) = %q, want %q", prefix, got, want)
		}
	}
	got := mergeHeaders(
		[]model.Header{{Name: "content-type", Value: "a"}, {Name: "x-amz-meta-k", Value: "1"}, {Name: "x-amz-meta-k", Value: "2"}},
		[]model.Header{{Name: "x-amz-meta-k", Value: "3"}, {Name: "cache-control", Value: "no"}, {Name: "cache-control", Value: "no"}})
	want := []model.Header{{Name: "cache-control", Value: "no"}, {Name: "content-type", Value: "a"}, {Name: "x-amz-meta-k", Value: "3"}}
	if !slices.Equal(got, want) {
		t.Errorf("merged headers %v, want %v", got, want)
	}
}
