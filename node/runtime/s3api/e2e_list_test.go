package s3api_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// entry is one item of a listing: a key, or a common prefix (ending in the
// delimiter).
type entry struct {
	name     string
	isPrefix bool
}

func (e entry) String() string {
	if e.isPrefix {
		return "P:" + e.name
	}
	return "K:" + e.name
}

// expectedListing is what a listing of keys must give, as S3 defines it:
// the keys under prefix after `after`, each rolled up into its common
// prefix (up to the first delimiter after the prefix) if it has one, each
// common prefix once, in order; a common prefix not after `after` is done.
func expectedListing(keys []string, prefix, delimiter, after string) []entry {
	sorted := slices.Sorted(slices.Values(keys))
	var out []entry
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) || k <= after {
			continue
		}
		if i := strings.Index(k[len(prefix):], delimiter); delimiter != "" && i >= 0 {
			cp := k[:len(prefix)+i+len(delimiter)]
			if cp <= after || (len(out) > 0 && out[len(out)-1].name == cp) {
				continue
			}
			out = append(out, entry{cp, true})
			continue
		}
		out = append(out, entry{k, false})
	}
	return out
}

// pageEntries merges a page's keys and common prefixes in order.
func pageEntries(contents []types.Object, prefixes []types.CommonPrefix) []entry {
	var out []entry
	for _, c := range contents {
		out = append(out, entry{aws.ToString(c.Key), false})
	}
	for _, p := range prefixes {
		out = append(out, entry{aws.ToString(p.Prefix), true})
	}
	slices.SortFunc(out, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	return out
}

// listV2 lists with the SDK's paginator, checking each page: full but for
// the last, KeyCount right, IsTruncated only before the last.
func listV2(t *testing.T, cl *s3.Client, in *s3.ListObjectsV2Input, maxPages int) []entry {
	t.Helper()
	ctx := testCtx(t)
	p := s3.NewListObjectsV2Paginator(cl, in)
	var all []entry
	for pages := 0; p.HasMorePages(); pages++ {
		if pages == maxPages {
			t.Fatalf("more than %d pages", maxPages)
		}
		page, err := p.NextPage(ctx)
		must(t, err, "list page")
		got := pageEntries(page.Contents, page.CommonPrefixes)
		max := int(aws.ToInt32(in.MaxKeys))
		if aws.ToInt32(page.KeyCount) != int32(len(got)) {
			t.Errorf("page %d: KeyCount %d for %d entries", pages, aws.ToInt32(page.KeyCount), len(got))
		}
		if aws.ToBool(page.IsTruncated) && len(got) != max {
			t.Errorf("page %d: truncated after %d entries, max-keys %d", pages, len(got), max)
		}
		if len(got) > max {
			t.Errorf("page %d: %d entries, max-keys %d", pages, len(got), max)
		}
		if aws.ToBool(page.IsTruncated) != (aws.ToString(page.NextContinuationToken) != "") {
			t.Errorf("page %d: truncated %v with next token %q", pages, aws.ToBool(page.IsTruncated), aws.ToString(page.NextContinuationToken))
		}
		all = append(all, got...)
	}
	return all
}

// listV1 lists with ListObjects (v1), following NextMarker, or the last key
// when there is none.
func listV1(t *testing.T, cl *s3.Client, in s3.ListObjectsInput, maxPages int) []entry {
	t.Helper()
	ctx := testCtx(t)
	var all []entry
	for pages := 0; ; pages++ {
		if pages == maxPages {
			t.Fatalf("more than %d pages", maxPages)
		}
		page, err := cl.ListObjects(ctx, &in)
		must(t, err, "list v1 page")
		got := pageEntries(page.Contents, page.CommonPrefixes)
		if len(got) > int(aws.ToInt32(in.MaxKeys)) {
			t.Errorf("page %d: %d entries, max-keys %d", pages, len(got), aws.ToInt32(in.MaxKeys))
		}
		all = append(all, got...)
		if !aws.ToBool(page.IsTruncated) {
			return all
		}
		if len(got) == 0 {
			t.Fatalf("page %d: truncated and empty", pages)
		}
		switch {
		case aws.ToString(page.NextMarker) != "":
			in.Marker = page.NextMarker
		case in.Delimiter != nil:
			t.Fatalf("page %d: truncated with a delimiter but no NextMarker", pages)
		default:
			in.Marker = page.Contents[len(page.Contents)-1].Key
		}
	}
}

func wantEntries(t *testing.T, what string, got, want []entry) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("%s: %d entries, want %d", what, len(got), len(want))
	for i := range max(len(got), len(want)) {
		var g, w entry
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("%s: first difference at %d: got %v, want %v", what, i, g, w)
			return
		}
	}
}

func testListing(t *testing.T, e *env) {
	ctx := testCtx(t)
	const bucket = "list-small"
	e.createBucket(t, bucket)
	// Keys around '/' in byte order ('-' and '.' sort before it, '0'
	// after), a "folder" object whose key ends in the delimiter, and
	// non-ASCII keys, which sort by their UTF-8 bytes.
	keys := []string{"a", "b/1", "b/2", "b/c/3", "b-x", "b.x", "b0", "c", "d/1", "e%f", "f g", "g+h", "folder/", "folder/inside",
		"photos/2026/jan/1.jpg", "photos/2026/feb/2.jpg", "photos/2027/x.jpg", "photos/readme", "z--y--x", "z--w", "zz", "é/1", "ü"}
	for _, k := range keys {
		putBytes(t, e.s3(t, 0), bucket, k, []byte(k))
	}
	cl := e.s3(t, 1)

	for _, tc := range []struct {
		prefix, delimiter, after string
		maxKeys                  int32
	}{
		{"", "", "", 1000},
		{"", "/", "", 1000},
		{"photos/", "/", "", 1000},
		{"photos/2026/", "/", "", 1000},
		{"photos", "/", "", 1000},
		{"", "/", "", 2},
		{"", "", "", 1},
		{"", "--", "", 3},
		{"z--", "--", "", 1000},
		{"", "/", "c", 2},
		{"b/", "", "b/1", 1000},
		{"nothing/", "/", "", 1000},
		{"folder/", "/", "", 1000},
		{"b", "/", "", 1},
		{"", "/", "b/", 3},
		{"", "/", "", 1000},
	} {
		name := fmt.Sprintf("prefix=%q delimiter=%q after=%q max=%d", tc.prefix, tc.delimiter, tc.after, tc.maxKeys)
		t.Run(name, func(t *testing.T) {
			want := expectedListing(keys, tc.prefix, tc.delimiter, tc.after)
			in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(tc.prefix), MaxKeys: aws.Int32(tc.maxKeys)}
			v1 := s3.ListObjectsInput{Bucket: aws.String(bucket), Prefix: aws.String(tc.prefix), MaxKeys: aws.Int32(tc.maxKeys)}
			if tc.delimiter != "" {
				in.Delimiter, v1.Delimiter = aws.String(tc.delimiter), aws.String(tc.delimiter)
			}
			if tc.after != "" {
				in.StartAfter, v1.Marker = aws.String(tc.after), aws.String(tc.after)
			}
			wantEntries(t, "v2", listV2(t, cl, in, 50), want)
			wantEntries(t, "v1", listV1(t, cl, v1, 50), want)
		})
	}

	t.Run("page fields", func(t *testing.T) {
		out, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("photos/"),
			Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
		must(t, err, "list")
		if aws.ToString(out.Name) != bucket || aws.ToString(out.Prefix) != "photos/" || aws.ToString(out.Delimiter) != "/" ||
			aws.ToInt32(out.MaxKeys) != 2 || !aws.ToBool(out.IsTruncated) || aws.ToInt32(out.KeyCount) != 2 {
			t.Errorf("page fields: name %q prefix %q delimiter %q max %d truncated %v count %d", aws.ToString(out.Name),
				aws.ToString(out.Prefix), aws.ToString(out.Delimiter), aws.ToInt32(out.MaxKeys), aws.ToBool(out.IsTruncated), aws.ToInt32(out.KeyCount))
		}
		next, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("photos/"),
			Delimiter: aws.String("/"), MaxKeys: aws.Int32(2), ContinuationToken: out.NextContinuationToken})
		must(t, err, "list next")
		if aws.ToString(next.ContinuationToken) != aws.ToString(out.NextContinuationToken) {
			t.Errorf("ContinuationToken not echoed: %q", aws.ToString(next.ContinuationToken))
		}
		if got := keysOf(next.Contents); !slices.Equal(got, []string{"photos/readme"}) || aws.ToBool(next.IsTruncated) {
			t.Errorf("second page: %v truncated %v", got, aws.ToBool(next.IsTruncated))
		}
		c := out.Contents
		if len(c) > 0 {
			t.Errorf("first page should hold only prefixes, has %v", keysOf(c))
		}
		full, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("a")})
		must(t, err, "list a")
		if len(full.Contents) != 1 {
			t.Fatalf("list a: %v", keysOf(full.Contents))
		}
		o := full.Contents[0]
		if aws.ToInt64(o.Size) != 1 || aws.ToString(o.ETag) != `"`+md5Hex([]byte("a"))+`"` || o.LastModified == nil ||
			time.Since(*o.LastModified) > 5*time.Minute || o.StorageClass != types.ObjectStorageClassStandard {
			t.Errorf("object entry: size %d etag %s modified %v class %q", aws.ToInt64(o.Size), aws.ToString(o.ETag), o.LastModified, o.StorageClass)
		}
	})

	t.Run("fetch-owner", func(t *testing.T) {
		out, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("a")})
		must(t, err, "list")
		if len(out.Contents) != 1 || out.Contents[0].Owner != nil {
			t.Errorf("without fetch-owner: %+v", out.Contents)
		}
		out, err = cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("a"), FetchOwner: aws.Bool(true)})
		must(t, err, "list with owner")
		if len(out.Contents) != 1 || out.Contents[0].Owner == nil || aws.ToString(out.Contents[0].Owner.ID) != e.c.KeyID {
			t.Errorf("with fetch-owner: %+v", out.Contents)
		}
		v1, err := cl.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket), Prefix: aws.String("a")})
		must(t, err, "list v1")
		if len(v1.Contents) != 1 || v1.Contents[0].Owner == nil {
			t.Errorf("v1 lists owners: %+v", v1.Contents)
		}
	})

	t.Run("encoding-type url", func(t *testing.T) {
		out, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), EncodingType: types.EncodingTypeUrl,
			Delimiter: aws.String("/"), Prefix: aws.String("")})
		must(t, err, "list")
		if out.EncodingType != types.EncodingTypeUrl {
			t.Errorf("EncodingType %q", out.EncodingType)
		}
		var decoded []string
		raw := keysOf(out.Contents)
		for _, k := range raw {
			d, err := url.QueryUnescape(k)
			if err != nil {
				t.Errorf("%q: %v", k, err)
			}
			decoded = append(decoded, d)
		}
		for _, k := range []string{"e%25f", "f%20g", "g%2Bh", "%C3%BC"} {
			if !slices.Contains(raw, k) {
				t.Errorf("url-encoded listing %v lacks %q", raw, k)
			}
		}
		if want := []string{"a", "b-x", "b.x", "b0", "c", "e%f", "f g", "g+h", "z--w", "z--y--x", "zz", "ü"}; !slices.Equal(decoded, want) {
			t.Errorf("decoded keys %v, want %v", decoded, want)
		}
		v1, err := cl.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket), EncodingType: types.EncodingTypeUrl, Prefix: aws.String("f ")})
		must(t, err, "list v1")
		if got := keysOf(v1.Contents); !slices.Equal(got, []string{"f%20g"}) || aws.ToString(v1.Prefix) != "f%20" {
			t.Errorf("v1 url-encoded: keys %v prefix %q", got, aws.ToString(v1.Prefix))
		}
	})

	t.Run("bad arguments", func(t *testing.T) {
		_, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), ContinuationToken: aws.String("!!not a token!!")})
		wantAPIError(t, err, "InvalidArgument", 400)
		_, err = cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), EncodingType: "base64"})
		wantAPIError(t, err, "InvalidArgument", 400)
		_, err = cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")})
		wantAPIError(t, err, "NoSuchBucket", 404)
	})
}

// listingKeys are the 5,000 keys of the big listing: 40 directories of 5
// subdirectories of 20 files, 20 files beside those subdirectories, and
// 200 files at the top.
func listingKeys() []string {
	var keys []string
	for d := range 40 {
		for s := range 5 {
			for f := range 20 {
				keys = append(keys, fmt.Sprintf("d%02d/s%d/f%03d", d, s, f))
			}
		}
		for g := range 20 {
			keys = append(keys, fmt.Sprintf("d%02d/g%02d", d, g))
		}
	}
	for i := range 200 {
		keys = append(keys, fmt.Sprintf("top-%03d", i))
	}
	return keys
}

func testListing5000(t *testing.T, e *env) {
	const bucket = "list-5000"
	e.createBucket(t, bucket)
	keys := listingKeys()
	if len(keys) != 5000 {
		t.Fatalf("%d keys", len(keys))
	}
	start := time.Now()
	uploadAll(t, e, bucket, keys, 32)
	t.Logf("uploaded %d keys in %v", len(keys), time.Since(start))
	cl := e.s3(t, 2)

	for _, tc := range []struct {
		prefix, delimiter, after string
		maxKeys                  int32
	}{
		{"", "", "", 1000},
		{"", "", "", 100},
		{"", "/", "", 100},
		{"", "/", "", 1000},
		{"d07/", "/", "", 100},
		{"d03/", "/", "", 7},
		{"d1", "", "", 100},
		{"d1", "/", "", 3},
		{"", "/s", "", 100},
		{"d2", "", "d25/s4/f019", 1000},
		{"", "/", "d39/", 100},
		{"top-", "", "top-150", 10},
	} {
		name := fmt.Sprintf("prefix=%q delimiter=%q after=%q max=%d", tc.prefix, tc.delimiter, tc.after, tc.maxKeys)
		t.Run(name, func(t *testing.T) {
			want := expectedListing(keys, tc.prefix, tc.delimiter, tc.after)
			maxPages := len(want)/int(tc.maxKeys) + 2
			in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(tc.prefix), MaxKeys: aws.Int32(tc.maxKeys)}
			v1 := s3.ListObjectsInput{Bucket: aws.String(bucket), Prefix: aws.String(tc.prefix), MaxKeys: aws.Int32(tc.maxKeys)}
			if tc.delimiter != "" {
				in.Delimiter, v1.Delimiter = aws.String(tc.delimiter), aws.String(tc.delimiter)
			}
			if tc.after != "" {
				in.StartAfter, v1.Marker = aws.String(tc.after), aws.String(tc.after)
			}
			wantEntries(t, "v2", listV2(t, cl, in, maxPages), want)
			// v1 is slower to page through; once per shape is enough.
			if tc.maxKeys >= 100 {
				wantEntries(t, "v1", listV1(t, e.s3(t, 0), v1, maxPages), want)
			}
		})
	}
	t.Run("counts", func(t *testing.T) {
		// Independent of expectedListing: the shapes of listingKeys.
		root := listV2(t, cl, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Delimiter: aws.String("/"), MaxKeys: aws.Int32(100)}, 10)
		prefixes, files := 0, 0
		for _, en := range root {
			if en.isPrefix {
				prefixes++
			} else {
				files++
			}
		}
		if prefixes != 40 || files != 200 {
			t.Errorf("root: %d prefixes and %d files, want 40 and 200", prefixes, files)
		}
		all := listV2(t, cl, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(1000)}, 10)
		if len(all) != 5000 {
			t.Errorf("%d keys listed, want 5000", len(all))
		}
	})
}

// uploadAll puts each key (its name as its content) with `workers`
// goroutines spread over the nodes.
func uploadAll(t *testing.T, e *env, bucket string, keys []string, workers int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(testCtx(t), 60*time.Second)
	defer cancel()
	clients := []*s3.Client{e.s3(t, 0), e.s3(t, 1), e.s3(t, 2)}
	next := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	for w := range workers {
		wg.Go(func() {
			cl := clients[w%len(clients)]
			for k := range next {
				if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
					mu.Lock()
					failed = append(failed, k+": "+err.Error())
					mu.Unlock()
				}
			}
		})
	}
	for _, k := range keys {
		select {
		case next <- k:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	if len(failed) > 0 {
		t.Fatalf("%d puts failed, first: %s", len(failed), failed[0])
	}
	if ctx.Err() != nil {
		t.Fatalf("uploads timed out: %v", ctx.Err())
	}
}
