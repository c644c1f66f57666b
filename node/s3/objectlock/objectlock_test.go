package objectlock

import (
	"net/http"
	"testing"
	"time"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
	"github.com/garagego/garage/node/wire"
)

func code(err error) s3err.Code {
	if e, ok := s3err.As(err); ok {
		return e.Code
	}
	return ""
}

func TestParseConfiguration(t *testing.T) {
	const open, close = `<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled>`, `</ObjectLockConfiguration>`
	rule := func(inner string) string {
		return open + "<Rule><DefaultRetention>" + inner + "</DefaultRetention></Rule>" + close
	}
	for _, c := range []struct {
		body string
		want Config
		code s3err.Code
	}{
		{open + close, Config{}, ""},
		{rule("<Mode>GOVERNANCE</Mode><Days>3</Days>"), Config{Mode: model.Governance, Days: 3}, ""},
		{rule("<Mode>COMPLIANCE</Mode><Years>100</Years>"), Config{Mode: model.Compliance, Years: 100}, ""},
		{`<ObjectLockConfiguration/>`, Config{}, s3err.MalformedXML},
		{`<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>`, Config{}, s3err.MalformedXML},
		{open + "<Rule></Rule>" + close, Config{}, s3err.MalformedXML},
		{rule("<Days>3</Days>"), Config{}, s3err.MalformedXML},
		{rule("<Mode>governance</Mode><Days>3</Days>"), Config{}, s3err.MalformedXML},
		{rule("<Mode>GOVERNANCE</Mode><Days>3</Days><Years>1</Years>"), Config{}, s3err.MalformedXML},
		{rule("<Mode>GOVERNANCE</Mode>"), Config{}, s3err.MalformedXML},
		{rule("<Mode>GOVERNANCE</Mode><Days>0</Days>"), Config{}, s3err.InvalidArgument},
		{rule("<Mode>GOVERNANCE</Mode><Days>-1</Days>"), Config{}, s3err.InvalidArgument},
		{rule("<Mode>GOVERNANCE</Mode><Days>36501</Days>"), Config{}, s3err.InvalidArgument},
		{rule("<Mode>GOVERNANCE</Mode><Years>101</Years>"), Config{}, s3err.InvalidArgument},
		{rule("<Mode>GOVERNANCE</Mode><Days>x</Days>"), Config{}, s3err.MalformedXML},
	} {
		got, err := ParseConfiguration([]byte(c.body))
		if code(err) != c.code || err == nil && got != c.want {
			t.Errorf("%s: %+v, %v; want %+v, %q", c.body, got, err, c.want, c.code)
		}
		if err != nil && c.code == "" {
			continue
		}
		if err == nil {
			e := wire.NewEncoder(nil)
			got.Encode(e)
			d := wire.NewDecoder(e.Bytes())
			if back := DecodeConfig(d); back != got || d.Finish() != nil {
				t.Errorf("%+v encodes back as %+v", got, back)
			}
			again, err := ParseConfiguration(s3xml.Marshal(got.Document()))
			if err != nil || again != got {
				t.Errorf("%+v answered and read back: %+v, %v", got, again, err)
			}
		}
	}
}

func TestDefaultRetention(t *testing.T) {
	created := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		cfg  Config
		want time.Time
	}{
		{Config{Mode: model.Governance, Days: 1}, time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)},
		{Config{Mode: model.Compliance, Years: 1}, time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)},
	} {
		r := c.cfg.DefaultRetention(created)
		if r.Mode != c.cfg.Mode || r.Until != uint64(c.want.UnixMilli()) {
			t.Errorf("%+v: %+v, want until %v", c.cfg, r, c.want)
		}
	}
	if r := (Config{}).DefaultRetention(created); !r.IsZero() {
		t.Errorf("no rule: %+v", r)
	}
}

func TestParseRetentionAndLegalHold(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		body string
		want model.Retention
		code s3err.Code
	}{
		{`<Retention/>`, model.Retention{}, ""},
		{`<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2026-01-02T00:00:00.5Z</RetainUntilDate></Retention>`,
			model.Retention{Mode: model.Compliance, Until: uint64(now.Add(24*time.Hour + 500*time.Millisecond).UnixMilli())}, ""},
		{`<Retention><Mode>COMPLIANCE</Mode></Retention>`, model.Retention{}, s3err.MalformedXML},
		{`<Retention><RetainUntilDate>2026-01-02T00:00:00Z</RetainUntilDate></Retention>`, model.Retention{}, s3err.MalformedXML},
		{`<Retention><Mode>FOREVER</Mode><RetainUntilDate>2026-01-02T00:00:00Z</RetainUntilDate></Retention>`, model.Retention{}, s3err.MalformedXML},
		{`<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2025-12-31T00:00:00Z</RetainUntilDate></Retention>`, model.Retention{}, s3err.InvalidArgument},
		{`<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>tomorrow</RetainUntilDate></Retention>`, model.Retention{}, s3err.InvalidArgument},
	} {
		got, err := ParseRetention([]byte(c.body), now)
		if code(err) != c.code || err == nil && got != c.want {
			t.Errorf("%s: %+v, %v; want %+v, %q", c.body, got, err, c.want, c.code)
		}
	}
	for body, want := range map[string]s3err.Code{`<LegalHold><Status>ON</Status></LegalHold>`: "", `<LegalHold><Status>OFF</Status></LegalHold>`: "",
		`<LegalHold><Status>on</Status></LegalHold>`: s3err.MalformedXML, `<LegalHold/>`: s3err.MalformedXML} {
		if _, err := ParseLegalHold([]byte(body)); code(err) != want {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

func TestParseHeaders(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	future := "2026-06-01T00:00:00Z"
	for _, c := range []struct {
		h    map[string][]string
		want Requested
		code s3err.Code
	}{
		{nil, Requested{}, ""},
		{map[string][]string{HeaderMode: {"GOVERNANCE"}, HeaderRetainDate: {future}},
			Requested{Retention: model.Retention{Mode: model.Governance, Until: uint64(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).UnixMilli())}, AnyLockNamed: true}, ""},
		{map[string][]string{HeaderLegalHold: {"ON"}}, Requested{LegalHold: true, HoldNamed: true, AnyLockNamed: true}, ""},
		{map[string][]string{HeaderLegalHold: {"OFF"}}, Requested{HoldNamed: true, AnyLockNamed: true}, ""},
		{map[string][]string{HeaderLegalHold: {"MAYBE"}}, Requested{}, s3err.InvalidArgument},
		{map[string][]string{HeaderMode: {"GOVERNANCE"}}, Requested{}, s3err.InvalidArgument},
		{map[string][]string{HeaderRetainDate: {future}}, Requested{}, s3err.InvalidArgument},
		{map[string][]string{HeaderMode: {"FOREVER"}, HeaderRetainDate: {future}}, Requested{}, s3err.InvalidArgument},
		{map[string][]string{HeaderMode: {"GOVERNANCE"}, HeaderRetainDate: {"2025-01-01T00:00:00Z"}}, Requested{}, s3err.InvalidArgument},
		{map[string][]string{HeaderMode: {"GOVERNANCE", "COMPLIANCE"}, HeaderRetainDate: {future}}, Requested{}, s3err.InvalidArgument},
	} {
		h := http.Header{}
		for k, vs := range c.h {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
		got, err := ParseHeaders(h.Values, now)
		if code(err) != c.code || err == nil && got != c.want {
			t.Errorf("%v: %+v, %v; want %+v, %q", c.h, got, err, c.want, c.code)
		}
	}
	for v, want := range map[string]s3err.Code{"true": "", "TRUE": "", "false": "", "yes": s3err.InvalidArgument} {
		h := http.Header{}
		h.Set(HeaderBypass, v)
		if _, err := ParseBypass(h.Values); code(err) != want {
			t.Errorf("bypass %q: %v", v, err)
		}
	}
}
