// Package objectlock is the protocol half of S3 Object Lock: the bucket's
// ObjectLockConfiguration (and its stored form), the Retention and
// LegalHold documents, and the x-amz-object-lock-* request headers, all
// parsed and validated as S3 does. It does no I/O and keeps no state; what
// a lock forbids is decided by the object core (model.Lock).
package objectlock

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
	"github.com/garagego/garage/node/wire"
)

// Request headers.
const (
	HeaderMode       = "x-amz-object-lock-mode"
	HeaderRetainDate = "x-amz-object-lock-retain-until-date"
	HeaderLegalHold  = "x-amz-object-lock-legal-hold"
	HeaderBypass     = "x-amz-bypass-governance-retention"
	HeaderEnabled    = "x-amz-bucket-object-lock-enabled"
)

// Limits of a default retention, as S3 sets them.
const (
	MaxDays  = 36500
	MaxYears = 100
)

// Config is a bucket's object lock configuration: lock is enabled (a
// bucket without one has none), with a default retention if Mode is set.
type Config struct {
	Mode  model.LockMode // "" for no default retention
	Days  uint32         // one of Days and Years is set with Mode
	Years uint32
}

// Encode writes c's stored form.
func (c Config) Encode(e *wire.Encoder) {
	e.String(string(c.Mode))
	e.Uvarint(uint64(c.Days))
	e.Uvarint(uint64(c.Years))
}

// DecodeConfig reads a stored configuration.
func DecodeConfig(d *wire.Decoder) Config {
	return Config{Mode: model.LockMode(d.String()), Days: uint32(d.Uvarint()), Years: uint32(d.Uvarint())}
}

// DefaultRetention is the retention a new version created at created gets
// when its request names none: none without a default rule.
func (c Config) DefaultRetention(created time.Time) model.Retention {
	if c.Mode == "" {
		return model.Retention{}
	}
	until := created.AddDate(int(c.Years), 0, int(c.Days))
	return model.Retention{Mode: c.Mode, Until: uint64(until.UnixMilli())}
}

// Configuration is the ObjectLockConfiguration document.
type Configuration struct {
	XMLName           xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ObjectLockConfiguration"`
	ObjectLockEnabled string   `xml:"ObjectLockEnabled,omitempty"`
	Rule              *Rule    `xml:"Rule,omitempty"`
}

// Rule holds the default retention.
type Rule struct {
	DefaultRetention *DefaultRetention `xml:"DefaultRetention"`
}

// DefaultRetention is a mode and a period, in days or years.
type DefaultRetention struct {
	Mode  string `xml:"Mode"`
	Days  *int64 `xml:"Days,omitempty"`
	Years *int64 `xml:"Years,omitempty"`
}

// Document is c as GetObjectLockConfiguration answers it.
func (c Config) Document() Configuration {
	out := Configuration{ObjectLockEnabled: "Enabled"}
	if c.Mode != "" {
		dr := &DefaultRetention{Mode: string(c.Mode)}
		if c.Days > 0 {
			d := int64(c.Days)
			dr.Days = &d
		} else {
			y := int64(c.Years)
			dr.Years = &y
		}
		out.Rule = &Rule{DefaultRetention: dr}
	}
	return out
}

// ParseConfiguration reads a PutObjectLockConfiguration body: lock must be
// Enabled (it cannot be disabled), and a rule needs a mode and exactly one
// of Days and Years, a positive number within S3's limits.
func ParseConfiguration(body []byte) (Config, error) {
	var doc Configuration
	if err := s3xml.Decode(body, s3xml.MaxBodySize, &doc); err != nil {
		return Config{}, err
	}
	if strings.TrimSpace(doc.ObjectLockEnabled) != "Enabled" {
		return Config{}, s3xml.Malformed("ObjectLockEnabled must be Enabled")
	}
	if doc.Rule == nil {
		return Config{}, nil
	}
	dr := doc.Rule.DefaultRetention
	if dr == nil {
		return Config{}, s3xml.Malformed("a Rule needs a DefaultRetention")
	}
	mode, ok := model.ParseLockMode(strings.TrimSpace(dr.Mode))
	if !ok {
		return Config{}, s3xml.Malformed("DefaultRetention Mode must be GOVERNANCE or COMPLIANCE")
	}
	if (dr.Days == nil) == (dr.Years == nil) {
		return Config{}, s3xml.Malformed("DefaultRetention needs exactly one of Days and Years")
	}
	c := Config{Mode: mode}
	n, limit := dr.Days, int64(MaxDays)
	if dr.Years != nil {
		n, limit = dr.Years, MaxYears
	}
	switch {
	case *n <= 0:
		return Config{}, s3err.New(s3err.InvalidArgument, "Default retention period must be a positive integer value.")
	case *n > limit:
		return Config{}, s3err.New(s3err.InvalidArgument, "Default retention period is too large.")
	}
	if dr.Days != nil {
		c.Days = uint32(*n)
	} else {
		c.Years = uint32(*n)
	}
	return c, nil
}

// Retention is the Retention document of Get/PutObjectRetention.
type Retention struct {
	XMLName         xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ Retention"`
	Mode            string   `xml:"Mode,omitempty"`
	RetainUntilDate string   `xml:"RetainUntilDate,omitempty"`
}

// RetentionDocument is r as GetObjectRetention answers it.
func RetentionDocument(r model.Retention) Retention {
	return Retention{Mode: string(r.Mode), RetainUntilDate: FormatDate(r.Until)}
}

// FormatDate writes a retain-until date (Unix milliseconds) as S3 does.
func FormatDate(ms uint64) string {
	return time.UnixMilli(int64(ms)).UTC().Format("2006-01-02T15:04:05.000Z")
}

// ParseRetention reads a PutObjectRetention body. An empty Retention
// removes the retention (model.Retention's zero value); otherwise both a
// mode and a date, in the future of now, are needed.
func ParseRetention(body []byte, now time.Time) (model.Retention, error) {
	var doc Retention
	if err := s3xml.Decode(body, s3xml.MaxBodySize, &doc); err != nil {
		return model.Retention{}, err
	}
	mode, date := strings.TrimSpace(doc.Mode), strings.TrimSpace(doc.RetainUntilDate)
	if mode == "" && date == "" {
		return model.Retention{}, nil
	}
	if mode == "" || date == "" {
		return model.Retention{}, s3xml.Malformed("a Retention needs both Mode and RetainUntilDate")
	}
	m, ok := model.ParseLockMode(mode)
	if !ok {
		return model.Retention{}, s3xml.Malformed("Mode must be GOVERNANCE or COMPLIANCE")
	}
	until, err := parseDate(date, now)
	if err != nil {
		return model.Retention{}, err
	}
	return model.Retention{Mode: m, Until: until}, nil
}

// parseDate reads an ISO 8601 retain-until date that must be after now.
func parseDate(s string, now time.Time) (uint64, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, s3err.New(s3err.InvalidArgument, "The retain until date must be provided in ISO 8601 format (%q).", s)
	}
	if !t.After(now) {
		return 0, s3err.New(s3err.InvalidArgument, "The retain until date must be in the future!")
	}
	return uint64(t.UnixMilli()), nil
}

// LegalHold is the LegalHold document of Get/PutObjectLegalHold.
type LegalHold struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LegalHold"`
	Status  string   `xml:"Status"`
}

// LegalHoldDocument is a legal hold as GetObjectLegalHold answers it.
func LegalHoldDocument(on bool) LegalHold {
	if on {
		return LegalHold{Status: "ON"}
	}
	return LegalHold{Status: "OFF"}
}

// ParseLegalHold reads a PutObjectLegalHold body: Status ON or OFF.
func ParseLegalHold(body []byte) (bool, error) {
	var doc LegalHold
	if err := s3xml.Decode(body, s3xml.MaxBodySize, &doc); err != nil {
		return false, err
	}
	switch strings.TrimSpace(doc.Status) {
	case "ON":
		return true, nil
	case "OFF":
		return false, nil
	}
	return false, s3xml.Malformed("Status must be ON or OFF")
}

// Requested is what a write's x-amz-object-lock-* headers ask for.
type Requested struct {
	Retention    model.Retention // zero if the request names none
	LegalHold    bool
	HoldNamed    bool // the legal hold header is present
	AnyLockNamed bool // some lock header is present
}

// ParseHeaders reads the lock headers of a write (get returns a header's
// values): mode and date go together, the date in the future of now, the
// legal hold ON or OFF, each header at most once.
func ParseHeaders(get func(string) []string, now time.Time) (Requested, error) {
	var r Requested
	one := func(name string) (string, error) {
		v := get(name)
		switch len(v) {
		case 0:
			return "", nil
		case 1:
			r.AnyLockNamed = true
			return strings.TrimSpace(v[0]), nil
		}
		return "", s3err.New(s3err.InvalidArgument, "The %s header is given %d times.", name, len(v))
	}
	mode, err := one(HeaderMode)
	if err != nil {
		return r, err
	}
	date, err := one(HeaderRetainDate)
	if err != nil {
		return r, err
	}
	hold, err := one(HeaderLegalHold)
	if err != nil {
		return r, err
	}
	if (mode == "") != (date == "") {
		return r, s3err.New(s3err.InvalidArgument, "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
	}
	if mode != "" {
		m, ok := model.ParseLockMode(mode)
		if !ok {
			return r, s3err.New(s3err.InvalidArgument, "Unknown wormMode directive (%q): use GOVERNANCE or COMPLIANCE.", mode)
		}
		until, err := parseDate(date, now)
		if err != nil {
			return r, err
		}
		r.Retention = model.Retention{Mode: m, Until: until}
	}
	if _, present := lookup(get, HeaderLegalHold); present {
		r.HoldNamed = true
		switch hold {
		case "ON":
			r.LegalHold = true
		case "OFF":
		default:
			return r, s3err.New(s3err.InvalidArgument, "Legal Hold must be either of 'ON' or 'OFF' (%q).", hold)
		}
	}
	return r, nil
}

func lookup(get func(string) []string, name string) ([]string, bool) {
	v := get(name)
	return v, len(v) > 0
}

// ParseBypass reads x-amz-bypass-governance-retention: true asks to bypass
// a GOVERNANCE retention; absent or false does not.
func ParseBypass(get func(string) []string) (bool, error) {
	v := get(HeaderBypass)
	if len(v) == 0 {
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(v[0])) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, s3err.New(s3err.InvalidArgument, "Invalid value for x-amz-bypass-governance-retention (%q): use true or false.", v[0])
}

// ParseEnabled reads CreateBucket's x-amz-bucket-object-lock-enabled.
func ParseEnabled(get func(string) []string) (bool, error) {
	v := get(HeaderEnabled)
	if len(v) == 0 {
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(v[0])) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, s3err.New(s3err.InvalidArgument, "Invalid value for x-amz-bucket-object-lock-enabled (%q): use true or false.", v[0])
}
