package model

import (
	"maps"
	"slices"
	"testing"

	"github.com/garagego/garage/node/checksum"
	"pgregory.net/rapid"
)

var (
	genMPUPart = rapid.Custom(func(t *rapid.T) MPUPart {
		return MPUPart{
			Number:    rapid.Uint32Range(1, 2).Draw(t, "number"),
			Timestamp: rapid.Uint64Range(1, 3).Draw(t, "ts"),
			Version:   VersionID{rapid.ByteRange(1, 2).Draw(t, "version")},
			ETag:      rapid.SampledFrom([]string{"", "a", "b"}).Draw(t, "etag"),
			Size:      rapid.Uint64Range(0, 2).Draw(t, "size"),
			Finished:  rapid.Uint64Range(0, 3).Draw(t, "finished"),
			Checksum:  rapid.SampledFrom([]string{"", "c"}).Draw(t, "checksum"),
		}
	})
	// genUpload builds uploads as writers might: parts in any order, one
	// part upload recorded both before and after it finished.
	genUpload = rapid.Custom(func(t *rapid.T) MultipartUpload {
		return MultipartUpload{
			UploadID:  VersionID{9},
			Timestamp: rapid.Uint64Range(0, 2).Draw(t, "ts"),
			Deleted:   rapid.IntRange(0, 4).Draw(t, "deleted") == 0,
			Bucket:    BucketID{rapid.ByteRange(0, 1).Draw(t, "bucket")},
			Key:       rapid.SampledFrom([]string{"", "a"}).Draw(t, "key"),
			Checksum: checksum.Spec{Algorithm: checksum.Algorithm(rapid.IntRange(0, 2).Draw(t, "algorithm")),
				Type: checksum.Type(rapid.IntRange(0, 2).Draw(t, "type"))},
			Parts: rapid.SliceOfN(genMPUPart, 0, 5).Draw(t, "parts"),
		}
	})
)

func TestMultipartJoinLaws(t *testing.T) { checkJoinLaws(t, genUpload, DecodeMultipartUpload) }

func TestMultipartOnlyCanonicalDecodes(t *testing.T) {
	checkOnlyCanonicalDecodes(t, genUpload, DecodeMultipartUpload, MultipartUpload.encode)
}

func TestMultipartDecodeGarbage(t *testing.T) {
	checkGarbage(t, genUpload, DecodeMultipartUpload, MultipartUpload.canonical)
}

func FuzzDecodeMultipartUpload(f *testing.F) {
	fuzzDecoder(f, genUpload, DecodeMultipartUpload, MultipartUpload.canonical)
}

// LatestParts agrees with a brute-force pick over all records of both
// sides: per part number, the finished record that finished last (then the
// greatest (Timestamp, Version)), the greater record among equal ones.
func TestLatestPartsMatchesBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genUpload.Draw(t, "a"), genUpload.Draw(t, "b")
		a.Deleted, b.Deleted = false, false
		// One record per part upload (the greatest, as Join keeps it), then
		// per number the one that finished last.
		records := map[MPUPart]MPUPart{} // by identity
		for _, p := range slices.Concat(a.Parts, b.Parts) {
			id := MPUPart{Number: p.Number, Timestamp: p.Timestamp, Version: p.Version}
			if cur, ok := records[id]; !ok || compareParts(p, cur) > 0 {
				records[id] = p
			}
		}
		best := map[uint32]MPUPart{}
		for _, p := range records {
			if p.ETag == "" {
				continue
			}
			cur, ok := best[p.Number]
			switch {
			case !ok, p.Finished > cur.Finished:
				best[p.Number] = p
			case p.Finished == cur.Finished && comparePartUploads(p, cur) > 0:
				best[p.Number] = p
			}
		}
		var want []MPUPart
		for _, n := range slices.Sorted(maps.Keys(best)) {
			want = append(want, best[n])
		}
		for _, u := range []MultipartUpload{a.Join(b), b.Join(a), {Parts: slices.Concat(a.Parts, b.Parts)}} {
			if got := u.LatestParts(); !slices.Equal(got, want) {
				t.Fatalf("latest parts %+v, want %+v", got, want)
			}
		}
	})
}

func TestLatestPartsPicksReupload(t *testing.T) {
	u := MultipartUpload{UploadID: VersionID{9}, Parts: []MPUPart{
		{Number: 1, Timestamp: 5, Version: VersionID{1}, ETag: "first", Size: 10},
		{Number: 2, Timestamp: 6, Version: VersionID{2}, ETag: "two", Size: 20},
		{Number: 3, Timestamp: 7, Version: VersionID{3}}, // still uploading
	}}
	// Part 1 uploaded again; part 2's second upload has not finished yet.
	again := MultipartUpload{UploadID: VersionID{9}, Parts: []MPUPart{
		{Number: 1, Timestamp: 8, Version: VersionID{4}},
		{Number: 2, Timestamp: 9, Version: VersionID{5}},
	}}
	done := MultipartUpload{UploadID: VersionID{9}, Parts: []MPUPart{
		{Number: 1, Timestamp: 8, Version: VersionID{4}, ETag: "second", Size: 11},
	}}
	j := u.Join(again).Join(done)
	if len(j.Parts) != 5 {
		t.Fatalf("parts %+v: want every upload of every part", j.Parts)
	}
	got := j.LatestParts()
	want := []MPUPart{done.Parts[0], u.Parts[1]}
	if !slices.Equal(got, want) {
		t.Fatalf("latest parts %+v, want %+v", got, want)
	}
}

func TestMultipartDeletedDropsParts(t *testing.T) {
	live := MultipartUpload{UploadID: VersionID{9}, Timestamp: 5, Bucket: testBucket, Key: "k",
		Parts: []MPUPart{{Number: 1, Timestamp: 6, Version: VersionID{1}, ETag: "e"}}}
	tomb := MultipartUpload{UploadID: VersionID{9}, Deleted: true}
	for _, u := range []MultipartUpload{live.Join(tomb), tomb.Join(live), live.Join(tomb).Join(live)} {
		if !u.Deleted || len(u.Parts) != 0 || u.LatestParts() != nil {
			t.Fatalf("got %+v, want deleted without parts", u)
		}
		if u.Timestamp != 5 || u.Bucket != testBucket || u.Key != "k" {
			t.Fatalf("tombstone erased the upload's identity: %+v", u)
		}
	}
}

func TestMultipartDecodeRejects(t *testing.T) {
	raw := func(u MultipartUpload) []byte { return rawEncoded(u, MultipartUpload.encode) }
	part := func(n uint32, ts uint64, v byte) MPUPart {
		return MPUPart{Number: n, Timestamp: ts, Version: VersionID{v}, ETag: "e"}
	}
	cases := map[string][]byte{
		"unsorted numbers":    raw(MultipartUpload{Parts: []MPUPart{part(2, 1, 1), part(1, 1, 1)}}),
		"unsorted timestamps": raw(MultipartUpload{Parts: []MPUPart{part(1, 2, 1), part(1, 1, 1)}}),
		"unsorted versions":   raw(MultipartUpload{Parts: []MPUPart{part(1, 1, 2), part(1, 1, 1)}}),
		"repeated part":       raw(MultipartUpload{Parts: []MPUPart{part(1, 1, 1), part(1, 1, 1)}}),
	}
	for name, b := range cases {
		if _, err := decodeAll(b, DecodeMultipartUpload); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := decodeAll(raw(MultipartUpload{Parts: []MPUPart{part(1, 1, 1), part(1, 1, 2), part(1, 2, 1), part(2, 1, 1)}}), DecodeMultipartUpload); err != nil {
		t.Errorf("canonical upload refused: %v", err)
	}
}

// Two uploads of one part number at once: the one that began first but
// finished last counts, since its client got its ETag last.
func TestLatestPartsFinishedLastWins(t *testing.T) {
	first := MPUPart{Number: 1, Timestamp: 5, Version: VersionID{1}, ETag: "first", Size: 10, Finished: 12}
	second := MPUPart{Number: 1, Timestamp: 8, Version: VersionID{2}, ETag: "second", Size: 10, Finished: 10}
	for _, u := range []MultipartUpload{
		{Parts: []MPUPart{first, second}},
		(MultipartUpload{Parts: []MPUPart{second}}).Join(MultipartUpload{Parts: []MPUPart{first}}),
	} {
		if got := u.LatestParts(); !slices.Equal(got, []MPUPart{first}) {
			t.Fatalf("latest parts %+v, want the one that finished last", got)
		}
	}
}
