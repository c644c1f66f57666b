package checker

import "testing"

// listingBase writes a, b and c in partition p and deletes b.
func listingBase() []Op {
	return []Op{
		put(0, keyA, "va", "t1", 1, 2),
		put(0, keyB, "vb", "t2", 3, 4),
		put(0, keyC, "vc", "t3", 5, 6),
		del(0, keyB, "t4", 7, 8),
	}
}

var (
	entryA = Entry{"a", "va", "t1"}
	entryB = Entry{"b", "vb", "t2"}
	entryC = Entry{"c", "vc", "t3"}
)

func TestListingAcceptsGoodRanges(t *testing.T) {
	h := history(append(listingBase(),
		scan(1, "p", "", "", 0, 10, 11, entryA, entryC),
		scan(1, "p", "b", "", 0, 12, 13, entryC),
		scan(1, "p", "", "c", 0, 14, 15, entryA),
		cut(scan(1, "p", "", "", 1, 16, 17, entryA), "c"), // covers [a, c): c not required
		scan(1, "q", "", "", 0, 18, 19),                   // other partition is empty
		put(0, Key{"p", "d"}, "vd", "t5", 20, 23),
		scan(1, "p", "", "", 0, 21, 22, entryA, entryC), // d was in flight
		unknown(del(0, keyA, "", 24, never)),
		scan(1, "p", "", "", 0, 25, 26, entryC, Entry{"d", "vd", "t5"}), // a may have been deleted
		scan(1, "p", "", "", 0, 27, 28, entryA, entryC, Entry{"d", "vd", "t5"}),
		put(0, Key{"p", "e"}, "ve", "t6", 29, 30),
		del(2, Key{"p", "e"}, "t7", 31, 34),
		scan(1, "p", "", "", 0, 32, 33, entryC, Entry{"d", "vd", "t5"}), // e deleted by a concurrent, newer delete
	)...)
	expectNone(t, CheckListing(h))
	expectNone(t, Check(h).Violations)
}

func TestListingRejectsMissingKey(t *testing.T) {
	h := history(append(listingBase(),
		scan(1, "p", "", "", 0, 10, 11, entryA),
	)...)
	v := expectOne(t, CheckListing(h), Listing, 4, "did not list p/c", `put #2 (client 0, seq 5..6) of "vc" @t3`)
	if v.Key != keyC {
		t.Errorf("key = %v, want %v", v.Key, keyC)
	}
}

func TestListingRejectsMissingKeyWhenDeleteIsKnownOlder(t *testing.T) {
	h := history(
		put(0, keyA, "va", "t5", 1, 2),
		del(1, keyA, "t4", 3, 6), // concurrent with the range but known older
		scan(2, "p", "", "", 0, 4, 5),
	)
	expectOne(t, CheckListing(h), Listing, 2, "did not list p/a")
}

func TestListingRejectsStaleEntry(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		put(0, keyA, "v2", "t2", 3, 4),
		scan(1, "p", "", "", 0, 5, 6, Entry{"a", "v1", "t1"}),
	)
	expectOne(t, CheckListing(h), Listing, 2, `listed p/a = "v1" @t1, older than put #1`)
}

func TestListingRejectsResurrectedKey(t *testing.T) {
	h := history(append(listingBase(),
		scan(1, "p", "", "", 0, 10, 11, entryA, entryB, entryC),
	)...)
	expectOne(t, CheckListing(h), Listing, 4, "older than delete #3")
}

func TestListingRejectsBadShape(t *testing.T) {
	cases := []struct {
		name     string
		rng      Op
		fragment string
	}{
		{"unsorted", scan(1, "p", "", "", 0, 10, 11, entryC, entryA), `entry 1 ("a") is not after entry 0 ("c")`},
		{"duplicate", scan(1, "p", "", "", 0, 10, 11, entryA, entryA, entryC), `entry 1 ("a") is not after`},
		{"before start", scan(1, "p", "b", "", 0, 10, 11, entryA, entryC), "outside the covered interval"},
		{"at end", scan(1, "p", "", "c", 0, 10, 11, entryA, entryC), "outside the covered interval"},
		{"past next", cut(scan(1, "p", "", "", 0, 10, 11, entryA, entryC), "b"), "outside the covered interval"},
		{"over limit", scan(1, "p", "", "", 1, 10, 11, entryA, entryC), "more than the limit"},
		{"cut without next", cut(scan(1, "p", "", "", 1, 10, 11, entryA), ""), "no next key"},
		{"next past end", cut(scan(1, "p", "", "b", 1, 10, 11, entryA), "c"), "past the requested end"},
		{"tombstone entry", scan(1, "p", "", "", 0, 10, 11, entryA, Entry{"b", "", "t4"}, entryC), "not live"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectOne(t, CheckListing(history(append(listingBase(), tc.rng)...)), Listing, 4, tc.fragment)
		})
	}
}

func TestListingIgnoresUnacknowledgedRanges(t *testing.T) {
	h := history(append(listingBase(),
		unknown(scan(1, "p", "", "", 0, 10, never)),
		failed(scan(1, "p", "", "", 0, 11, 12)),
	)...)
	expectNone(t, CheckListing(h))
}
