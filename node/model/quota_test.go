package model

import "testing"

func TestParseSizeAsGaragesCLI(t *testing.T) {
	for in, want := range map[string]uint64{
		"4096": 4096, "10GiB": 10 << 30, "500MB": 500e6, "1.5 KiB": 1536, "2k": 2000, "3 mib": 3 << 20, "7B": 7, "1tb": 1e12,
	} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GiB", "10XB", "-1", "1.2.3MB", "99999999999999999999PiB"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for _, c := range []struct {
		n      uint64
		binary bool
		want   string
	}{{0, true, "0 B"}, {1023, true, "1023 B"}, {1024, true, "1.0 KiB"}, {10 << 30, true, "10.0 GiB"}, {10 << 30, false, "10.7 GB"}, {1e6, false, "1.0 MB"}, {999, false, "999 B"}} {
		if got := FormatSize(c.n, c.binary); got != c.want {
			t.Errorf("FormatSize(%d, %v) = %q, want %q", c.n, c.binary, got, c.want)
		}
	}
}

func TestQuotasRoundTrip(t *testing.T) {
	size := uint64(1 << 40)
	for _, q := range []Quotas{{}, {MaxSize: &size}, {MaxObjects: &size}, {MaxSize: &size, MaxObjects: new(uint64)}} {
		back, err := DecodeQuotas(EncodeQuotas(q))
		if err != nil || (back.MaxSize == nil) != (q.MaxSize == nil) || (back.MaxObjects == nil) != (q.MaxObjects == nil) ||
			(q.MaxSize != nil && *back.MaxSize != *q.MaxSize) || (q.MaxObjects != nil && *back.MaxObjects != *q.MaxObjects) {
			t.Errorf("%+v came back as %+v, %v", q, back, err)
		}
	}
	if _, err := DecodeQuotas([]byte{1}); err == nil {
		t.Error("a truncated encoding must be refused")
	}
}

// An entry's counts: tombstones count nothing (they are collected without
// hooks), null and versioned markers apart, uploads in progress.
func TestCountsOf(t *testing.T) {
	data := func(id byte, ts uint64, size uint64, versioned bool) ObjectVersion {
		return ObjectVersion{ID: VersionID{id}, Timestamp: ts, Versioned: versioned, State: VersionState{Kind: Complete, Data: Inline, Meta: ObjectMeta{Size: size}}}
	}
	marker := func(id byte, ts uint64, versioned bool) ObjectVersion {
		return ObjectVersion{ID: VersionID{id}, Timestamp: ts, Versioned: versioned, State: VersionState{Kind: Complete, Data: DeleteMarker}}
	}
	upload := ObjectVersion{ID: VersionID{9}, Timestamp: 9, State: VersionState{Kind: Uploading, Multipart: true}}
	o := Object{Versions: []ObjectVersion{data(1, 1, 10, true), data(2, 2, 20, true), upload}}
	if c := CountsOf(o); c != (Counts{Objects: 1, Bytes: 30, Versions: 2, Uploads: 1}) {
		t.Errorf("two versions and an upload: %+v", c)
	}
	o = Object{Versions: []ObjectVersion{data(1, 1, 10, true), marker(2, 2, false)}}
	if c := CountsOf(o); c != (Counts{Bytes: 10, Versions: 1, NullMarkers: 1}) {
		t.Errorf("a null marker over a version: %+v", c)
	}
	if u := CountsOf(o).Usage(VersioningOff); u.DeleteMarkers != 0 {
		t.Errorf("an unversioned bucket lists no null marker: %+v", u)
	}
	o = Object{Versions: []ObjectVersion{marker(2, 2, false)}}
	if !o.IsTombstone() || CountsOf(o) != (Counts{}) {
		t.Errorf("a tombstone counts %+v", CountsOf(o))
	}
}
