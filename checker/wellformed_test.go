package checker

import "testing"

func TestWellFormedAcceptsGoodHistory(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		unknown(put(1, keyA, "v2", "", 3, never)),
		failed(del(0, keyA, "", 4, 5)),
		get(0, keyA, "v1", "t1", 6, 7),
		get(0, keyB, "", "", 8, 9),
		scan(0, "p", "", "", 0, 10, 11, Entry{"a", "v1", "t1"}),
	)
	expectNone(t, CheckWellFormed(h))
}

func TestWellFormedRejectsBadOps(t *testing.T) {
	good := put(0, keyA, "v0", "t0", 1, 2)
	cases := []struct {
		name     string
		op       Op
		fragment string
	}{
		{"empty interval", put(0, keyA, "v1", "t1", 5, 5), "call is not before return"},
		{"negative client", put(-1, keyA, "v1", "t1", 3, 4), "negative client"},
		{"zero kind", Op{Key: keyA, Call: 3, Return: 4, Outcome: OK}, "invalid kind(0)"},
		{"zero outcome", Op{Kind: Get, Key: keyA, Call: 3, Return: 4}, "invalid outcome(0)"},
		{"acked put without stamp", put(0, keyA, "v1", "", 3, 4), "acknowledged without a stamp"},
		{"acked delete without stamp", del(0, keyA, "", 3, 4), "acknowledged without a stamp"},
		{"empty put value", put(0, keyA, "", "t1", 3, 4), "reserved for tombstones"},
		{"duplicate value", put(0, keyB, "v0", "t1", 3, 4), `value "v0" already written`},
		{"found without stamp", get(0, keyA, "v0", "", 3, 4), "without a stamp"},
		{"found empty value", Op{Kind: Get, Key: keyA, Found: true, Stamp: "t0", Call: 3, Return: 4, Outcome: OK}, "reserved for tombstones"},
		{"not found with value", Op{Kind: Get, Key: keyA, Value: "v0", Call: 3, Return: 4, Outcome: OK}, "not found but returned"},
		{"negative limit", scan(0, "p", "", "", -1, 3, 4), "negative limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectOne(t, CheckWellFormed(history(good, tc.op)), WellFormed, 1, tc.fragment)
		})
	}
}

func TestWellFormedRejectsDuplicateIDs(t *testing.T) {
	h := history(put(0, keyA, "v1", "t1", 1, 2), get(0, keyA, "v1", "t1", 3, 4))
	h[1].ID = 0
	v := expectOne(t, CheckWellFormed(h), WellFormed, 0, "ID already used by put #0")
	if len(v.Ops) != 2 {
		t.Errorf("ops = %v, want both ops", v.Ops)
	}
}
