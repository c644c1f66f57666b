package checker

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// Hand-built histories: builders default to Outcome OK, and history()
// numbers ops by position, so op i has ID i.

var (
	keyA = Key{"p", "a"}
	keyB = Key{"p", "b"}
	keyC = Key{"p", "c"}
)

const never = math.MaxInt64

func put(client int, key Key, value string, stamp Stamp, call, ret int64) Op {
	return Op{Client: client, Kind: Put, Key: key, Value: value, Stamp: stamp, Call: call, Return: ret, Outcome: OK}
}

func del(client int, key Key, stamp Stamp, call, ret int64) Op {
	return Op{Client: client, Kind: Delete, Key: key, Stamp: stamp, Call: call, Return: ret, Outcome: OK}
}

// get reads value@stamp; value "" means not found (a tombstone when stamp
// is set, the initial state otherwise).
func get(client int, key Key, value string, stamp Stamp, call, ret int64) Op {
	return Op{Client: client, Kind: Get, Key: key, Value: value, Found: value != "", Stamp: stamp, Call: call, Return: ret, Outcome: OK}
}

func scan(client int, partition, start, end string, limit int, call, ret int64, entries ...Entry) Op {
	return Op{Client: client, Kind: Range, Key: Key{Partition: partition}, Start: start, End: end, Limit: limit,
		Entries: entries, Call: call, Return: ret, Outcome: OK}
}

func cut(op Op, next string) Op {
	op.More, op.Next = true, next
	return op
}

func unknown(op Op) Op {
	op.Outcome = Unknown
	return op
}

func failed(op Op) Op {
	op.Outcome = Failed
	return op
}

func history(ops ...Op) History {
	h := slices.Clone(History(ops))
	for i := range h {
		h[i].ID = i
	}
	return h
}

// expectNone fails the test if vs is not empty.
func expectNone(t *testing.T, vs []Violation) {
	t.Helper()
	for _, v := range vs {
		t.Errorf("unexpected violation: %v", v)
	}
}

// expectOne asserts that vs is exactly one violation of p whose first op is
// id and whose message mentions every fragment.
func expectOne(t *testing.T, vs []Violation, p Property, id int, fragments ...string) Violation {
	t.Helper()
	if len(vs) != 1 {
		t.Fatalf("want 1 %s violation, got %d: %v", p, len(vs), vs)
	}
	v := vs[0]
	if v.Property != p {
		t.Errorf("property = %s, want %s", v.Property, p)
	}
	if len(v.Ops) == 0 || v.Ops[0] != id {
		t.Errorf("ops = %v, want op #%d first", v.Ops, id)
	}
	for _, f := range fragments {
		if !strings.Contains(v.Message, f) {
			t.Errorf("message %q does not mention %q", v.Message, f)
		}
	}
	return v
}
