package checker

import "testing"

func TestNoPhantomAcceptsGoodHistory(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		get(1, keyA, "v1", "t1", 3, 4),
		unknown(put(0, keyA, "v2", "", 5, never)),
		get(1, keyA, "v2", "t9", 6, 7), // unknown put: its stamp is learnt here
		get(2, keyA, "v2", "t9", 8, 9), // and must stay the same
		put(0, keyB, "v3", "t3", 10, 20),
		get(1, keyB, "v3", "t3", 11, 12), // concurrent put: already visible
		del(0, keyB, "t4", 21, 22),
		get(1, keyB, "", "t4", 23, 24),
		unknown(del(0, keyC, "", 25, never)),
		get(1, keyC, "", "t7", 26, 27), // any stamp from an unknown delete
		get(1, Key{"p", "z"}, "", "", 28, 29),
		scan(2, "p", "", "", 0, 30, 31, Entry{"a", "v2", "t9"}),
	)
	expectNone(t, CheckNoPhantom(h))
}

func TestNoPhantomRejectsBadValues(t *testing.T) {
	cases := []struct {
		name     string
		h        History
		fragment string
	}{
		{"never written", history(
			put(0, keyA, "v1", "t1", 1, 2),
			get(1, keyA, "v9", "t9", 3, 4),
		), `no put ever wrote "v9"`},
		{"written to another key", history(
			put(0, keyB, "v1", "t1", 1, 2),
			get(1, keyA, "v1", "t1", 3, 4),
		), "put #0 (client 0, seq 1..2) wrote it to p/b"},
		{"failed put", history(
			failed(put(0, keyA, "v1", "", 1, 2)),
			get(1, keyA, "v1", "t1", 3, 4),
		), "put #0 (client 0, seq 1..2) failed"},
		{"put called after read returned", history(
			get(1, keyA, "v1", "t1", 1, 2),
			put(0, keyA, "v1", "t1", 3, 4),
		), "called at seq 3, after the read returned at seq 2"},
		{"stamp mismatch", history(
			put(0, keyA, "v1", "t1", 1, 2),
			get(1, keyA, "v1", "t2", 3, 4),
		), "was given stamp t1"},
		{"tombstone without delete", history(
			put(0, keyA, "v1", "t1", 1, 2),
			get(1, keyA, "", "t2", 3, 4),
		), "no delete of p/a"},
		{"tombstone stamp mismatch", history(
			del(0, keyA, "t1", 1, 2),
			get(1, keyA, "", "t2", 3, 4),
		), "none of the 1 acknowledged deletes"},
		{"tombstone from failed delete", history(
			failed(del(0, keyA, "", 1, 2)),
			get(1, keyA, "", "t2", 3, 4),
		), "no delete of p/a"},
		{"tombstone from later delete", history(
			get(1, keyA, "", "t2", 1, 2),
			unknown(del(0, keyA, "", 3, never)),
		), "no delete of p/a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			read := 1
			if tc.h[0].Kind == Get {
				read = 0
			}
			expectOne(t, CheckNoPhantom(tc.h), NoPhantom, read, tc.fragment)
		})
	}
}

func TestNoPhantomRejectsTwoStampsForOneUnknownPut(t *testing.T) {
	h := history(
		unknown(put(0, keyA, "v1", "", 1, never)),
		get(1, keyA, "v1", "t1", 2, 3),
		scan(2, "p", "", "", 0, 4, 5, Entry{"a", "v1", "t2"}),
	)
	expectOne(t, CheckNoPhantom(h), NoPhantom, 2, "already read with stamp t1 by get #1")
}

func TestNoPhantomChecksRangeEntries(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		put(0, keyB, "v2", "t2", 3, 4),
		scan(1, "p", "", "", 0, 5, 6,
			Entry{"a", "v1", "t1"},
			Entry{"b", "v2", "t3"}, // wrong stamp
			Entry{"c", "v3", "t3"}, // never written
		),
	)
	vs := CheckNoPhantom(h)
	if len(vs) != 2 {
		t.Fatalf("want 2 violations, got %v", vs)
	}
	if vs[0].Key != keyB || vs[1].Key != keyC {
		t.Errorf("keys = %v, %v; want %v, %v", vs[0].Key, vs[1].Key, keyB, keyC)
	}
	for _, v := range vs {
		if v.Property != NoPhantom || v.Ops[0] != 2 {
			t.Errorf("unexpected violation %v", v)
		}
	}
}
