package model

import (
	"errors"
	"testing"
	"time"
)

func TestLockEncodings(t *testing.T) {
	for _, r := range []Retention{{}, {Mode: Governance, Until: 1}, {Mode: Compliance, Until: 1 << 50}} {
		back, err := ParseRetention(r.Encode())
		if err != nil || back != r {
			t.Errorf("%+v reads back as %+v, %v", r, back, err)
		}
	}
	for _, bad := range []string{"GOVERNANCE", "GOVERNANCE x", "governance 1", "COMPLIANCE -1", " 1"} {
		if _, err := ParseRetention([]byte(bad)); err == nil {
			t.Errorf("retention %q parsed", bad)
		}
	}
	for _, on := range []bool{false, true} {
		if back, err := ParseLegalHold(EncodeLegalHold(on)); err != nil || back != on {
			t.Errorf("legal hold %v reads back as %v, %v", on, back, err)
		}
	}
	if _, err := ParseLegalHold([]byte("on")); err == nil {
		t.Error(`legal hold "on" parsed`)
	}
}

// An attribute overrides the creation header, also to remove it.
func TestLockOf(t *testing.T) {
	created := VersionState{Kind: Complete, Meta: ObjectMeta{Headers: []Header{
		{Name: HeaderLegalHold, Value: "ON"}, {Name: HeaderRetention, Value: "COMPLIANCE 5"}}}}
	l, err := LockOf(created)
	if err != nil || !l.LegalHold || l.Retention != (Retention{Mode: Compliance, Until: 5}) {
		t.Fatalf("from headers: %+v, %v", l, err)
	}
	changed := created.WithAttr(AttrLegalHold, 1, EncodeLegalHold(false)).WithAttr(AttrRetention, 1, nil)
	if l, err := LockOf(changed); err != nil || l.LegalHold || !l.Retention.IsZero() {
		t.Fatalf("attributes over headers: %+v, %v", l, err)
	}
}

func TestRetentionHoldsWithTheMargin(t *testing.T) {
	until := uint64(time.Hour.Milliseconds())
	r := Retention{Mode: Governance, Until: until}
	margin := uint64(LockClockMargin.Milliseconds())
	if !r.Holds(until) || !r.Holds(until+margin-1) || r.Holds(until+margin) || (Retention{}).Holds(0) {
		t.Fatal("Holds does not keep the retention for exactly the margin past its date")
	}
	l := Lock{Retention: r}
	if err := l.RefuseDeletion(until, false); !errors.Is(err, ErrRetained) {
		t.Fatalf("GOVERNANCE without bypass: %v", err)
	}
	if err := l.RefuseDeletion(until, true); err != nil {
		t.Fatalf("GOVERNANCE with bypass: %v", err)
	}
	if err := (Lock{Retention: Retention{Mode: Compliance, Until: until}, LegalHold: true}).RefuseDeletion(until+margin, true); !errors.Is(err, ErrLegalHold) {
		t.Fatalf("a legal hold after the retention: %v", err)
	}
}
