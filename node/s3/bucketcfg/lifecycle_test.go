package bucketcfg

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/tagging"
	"github.com/garagego/garage/node/wire"
)

const lifecycleExample = `<?xml version="1.0" encoding="UTF-8"?>
<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Rule>
    <ID>expire-logs</ID>
    <Filter><Prefix>logs/</Prefix></Filter>
    <Status>Enabled</Status>
    <Expiration><Days>30</Days></Expiration>
  </Rule>
  <Rule>
    <ID>big-tmp</ID>
    <Filter><And><Prefix>tmp/</Prefix><ObjectSizeGreaterThan>1048576</ObjectSizeGreaterThan><ObjectSizeLessThan>1073741824</ObjectSizeLessThan></And></Filter>
    <Status>Disabled</Status>
    <Expiration><Date>2027-01-01T00:00:00Z</Date></Expiration>
  </Rule>
  <Rule>
    <ID>small</ID>
    <Filter><ObjectSizeLessThan>1024</ObjectSizeLessThan></Filter>
    <Status>Enabled</Status>
    <Expiration><Days>1</Days><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration>
  </Rule>
  <Rule>
    <ID>legacy</ID>
    <Prefix>uploads/</Prefix>
    <Status>Enabled</Status>
    <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>
  </Rule>
  <Rule>
    <Filter></Filter>
    <Status>Enabled</Status>
    <AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload>
  </Rule>
</LifecycleConfiguration>`

var lifecycleExampleValue = Lifecycle{Rules: []LifecycleRule{
	{ID: "expire-logs", Enabled: true, Filter: LifecycleFilter{Prefix: "logs/"}, ExpirationDays: 30},
	{
		ID:             "big-tmp",
		Filter:         LifecycleFilter{Prefix: "tmp/", ObjectSizeGreaterThan: ptr[uint64](1 << 20), ObjectSizeLessThan: ptr[uint64](1 << 30)},
		ExpirationDate: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	},
	{ID: "small", Enabled: true, Filter: LifecycleFilter{ObjectSizeLessThan: ptr[uint64](1024)}, ExpirationDays: 1},
	{ID: "legacy", Enabled: true, LegacyPrefix: true, Filter: LifecycleFilter{Prefix: "uploads/"}, AbortIncompleteUploadDays: 7},
	{Enabled: true, AbortIncompleteUploadDays: 2},
}}

func TestParseLifecycle(t *testing.T) {
	l, err := ParseLifecycle([]byte(lifecycleExample))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l, lifecycleExampleValue) {
		t.Fatalf("got %#v", l)
	}
	roundTrip(t, l, ParseLifecycle, DecodeLifecycle)

	// A date may carry milliseconds or another zone, as long as it is
	// midnight UTC.
	for _, date := range []string{"2027-01-01T00:00:00.000Z", "2027-01-01T01:00:00+01:00"} {
		l, err := ParseLifecycle([]byte(oneRule("<Filter/><Status>Enabled</Status><Expiration><Date>" + date + "</Date></Expiration>")))
		if err != nil || !l.Rules[0].ExpirationDate.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("%s: %#v, %v", date, l, err)
		}
	}
}

func TestLifecycleXML(t *testing.T) {
	want := `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<Rule><ID>expire-logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>` +
		`<Rule><ID>big-tmp</ID><Filter><And><Prefix>tmp/</Prefix><ObjectSizeGreaterThan>1048576</ObjectSizeGreaterThan>` +
		`<ObjectSizeLessThan>1073741824</ObjectSizeLessThan></And></Filter><Status>Disabled</Status>` +
		`<Expiration><Date>2027-01-01T00:00:00.000Z</Date></Expiration></Rule>` +
		`<Rule><ID>small</ID><Filter><ObjectSizeLessThan>1024</ObjectSizeLessThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>` +
		`<Rule><ID>legacy</ID><Prefix>uploads/</Prefix><Status>Enabled</Status>` +
		`<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>` +
		`<Rule><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>` +
		`<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>` +
		`</LifecycleConfiguration>`
	if got := stripHeader(lifecycleExampleValue.XML()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func oneRule(inner string) string {
	return "<LifecycleConfiguration><Rule>" + inner + "</Rule></LifecycleConfiguration>"
}

func TestParseLifecycleNotImplemented(t *testing.T) {
	const base = "<ID>r1</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status>"
	for element, body := range map[string]string{
		"Transition":                  oneRule(base + "<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>"),
		"NoncurrentVersionTransition": oneRule(base + "<NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>"),
	} {
		t.Run(element, func(t *testing.T) {
			_, err := ParseLifecycle([]byte(body))
			wantCode(t, err, s3err.NotImplemented, strings.TrimSpace(element))
		})
	}
}

func TestParseLifecycleRefusals(t *testing.T) {
	const expire = "<Expiration><Days>1</Days></Expiration>"
	for _, c := range []struct {
		name, body string
		code       s3err.Code
		mention    string
	}{
		{"no rule", "<LifecycleConfiguration></LifecycleConfiguration>", s3err.MalformedXML, "Rule"},
		{"no action", oneRule("<ID>idle</ID><Filter/><Status>Enabled</Status>"), s3err.InvalidArgument, "action"},
		{"only a false delete marker", oneRule("<Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration>"), s3err.InvalidArgument, "action"},
		{"empty expiration", oneRule("<Filter/><Status>Enabled</Status><Expiration></Expiration>"), s3err.MalformedXML, "Expiration"},
		{"bad status", oneRule("<Filter/><Status>enabled</Status>" + expire), s3err.MalformedXML, "Status"},
		{"zero days", oneRule("<Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration>"), s3err.InvalidArgument, "Days"},
		{"negative days", oneRule("<Filter/><Status>Enabled</Status><Expiration><Days>-3</Days></Expiration>"), s3err.InvalidArgument, "Days"},
		{"days and date", oneRule("<Filter/><Status>Enabled</Status><Expiration><Days>1</Days><Date>2027-01-01T00:00:00Z</Date></Expiration>"), s3err.InvalidArgument, "Date"},
		{"date not midnight", oneRule("<Filter/><Status>Enabled</Status><Expiration><Date>2027-01-01T12:00:00Z</Date></Expiration>"), s3err.InvalidArgument, "midnight"},
		{"date garbage", oneRule("<Filter/><Status>Enabled</Status><Expiration><Date>tomorrow</Date></Expiration>"), s3err.MalformedXML, "Date"},
		{"date before 1970", oneRule("<Filter/><Status>Enabled</Status><Expiration><Date>0001-01-01T00:00:00Z</Date></Expiration>"), s3err.InvalidArgument, "1970"},
		{"abort without days", oneRule("<Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload></AbortIncompleteMultipartUpload>"), s3err.MalformedXML, "DaysAfterInitiation"},
		{"abort zero days", oneRule("<Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>"), s3err.InvalidArgument, "DaysAfterInitiation"},
		{"prefix and filter", oneRule("<Prefix>a</Prefix><Filter/><Status>Enabled</Status>" + expire), s3err.MalformedXML, "Prefix"},
		{"two filter conditions", oneRule("<Filter><Prefix>a</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter><Status>Enabled</Status>" + expire), s3err.MalformedXML, "And"},
		{"inverted sizes", oneRule("<Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>" + expire), s3err.InvalidArgument, "ObjectSizeGreaterThan"},
		{"negative size", oneRule("<Filter><ObjectSizeGreaterThan>-1</ObjectSizeGreaterThan></Filter><Status>Enabled</Status>" + expire), s3err.InvalidArgument, "negative"},
		{"zero less than", oneRule("<Filter><ObjectSizeLessThan>0</ObjectSizeLessThan></Filter><Status>Enabled</Status>" + expire), s3err.InvalidArgument, "ObjectSizeLessThan"},
		{"long ID", oneRule("<ID>" + strings.Repeat("x", 256) + "</ID><Filter/><Status>Enabled</Status>" + expire), s3err.InvalidArgument, "ID"},
		{"duplicate IDs", "<LifecycleConfiguration><Rule><ID>a</ID><Filter/><Status>Enabled</Status>" + expire + "</Rule><Rule><ID>a</ID><Filter/><Status>Disabled</Status>" + expire + "</Rule></LifecycleConfiguration>", s3err.InvalidArgument, "unique"},
		{"unknown element", oneRule("<Filter/><Status>Enabled</Status>" + expire + "<Comment>x</Comment>"), s3err.MalformedXML, "Comment"},
		{"delete marker with days", oneRule("<Filter/><Status>Enabled</Status><Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"), s3err.InvalidArgument, "Days or Date"},
		{"delete marker with tags", oneRule("<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"), s3err.InvalidArgument, "tag"},
		{"abort with tags", oneRule("<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>"), s3err.InvalidArgument, "Tags"},
		{"noncurrent without days", oneRule("<Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>"), s3err.MalformedXML, "NoncurrentDays"},
		{"noncurrent zero days", oneRule("<Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>"), s3err.InvalidArgument, "NoncurrentDays"},
		{"too many newer versions", oneRule("<Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration>"), s3err.InvalidArgument, "NewerNoncurrentVersions"},
		{"tag without value", oneRule("<Filter><Tag><Key>k</Key></Tag></Filter><Status>Enabled</Status>" + expire), s3err.MalformedXML, "Value"},
		{"tag and prefix without And", oneRule("<Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>" + expire), s3err.MalformedXML, "And"},
		{"duplicate tag keys", oneRule("<Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter><Status>Enabled</Status>" + expire), s3err.InvalidRequest, "Duplicate"},
		{"long tag key", oneRule("<Filter><Tag><Key>" + strings.Repeat("k", 129) + "</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>" + expire), s3err.InvalidTag, "TagKey"},
		{"unknown filter element", oneRule("<Filter><Suffix>.log</Suffix></Filter><Status>Enabled</Status>" + expire), s3err.MalformedXML, "Suffix"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseLifecycle([]byte(c.body))
			wantCode(t, err, c.code, c.mention)
		})
	}
}

// TestLifecycleRuleCount checks the 1000-rule limit on values: a document
// of 1001 rules cannot fit in MaxConfigSize, so only a stored value could
// break it.
func TestLifecycleRuleCount(t *testing.T) {
	rules := make([]LifecycleRule, MaxLifecycleRules+1)
	for i := range rules {
		rules[i] = LifecycleRule{ID: fmt.Sprint(i), Enabled: true, ExpirationDays: 1}
	}
	wantCode(t, Lifecycle{Rules: rules}.validate(), s3err.InvalidArgument, "1000")
	if err := (Lifecycle{Rules: rules[:MaxLifecycleRules]}).validate(); err != nil {
		t.Fatal(err)
	}
}

func TestLifecycleApplies(t *testing.T) {
	r := LifecycleRule{Enabled: true, ExpirationDays: 1, Filter: LifecycleFilter{
		Prefix: "tmp/", ObjectSizeGreaterThan: ptr[uint64](10), ObjectSizeLessThan: ptr[uint64](100),
	}}
	for _, c := range []struct {
		key  string
		size uint64
		want bool
	}{
		{"tmp/a", 50, true},
		{"tmp/a", 10, false}, // the bounds are exclusive
		{"tmp/a", 11, true},
		{"tmp/a", 99, true},
		{"tmp/a", 100, false},
		{"logs/a", 50, false},
		{"tmp", 50, false},
	} {
		if got := r.Applies(c.key, c.size, nil); got != c.want {
			t.Errorf("%s (%d bytes): %v, want %v", c.key, c.size, got, c.want)
		}
	}
	if !r.AppliesToUpload("tmp/big") || r.AppliesToUpload("logs/big") {
		t.Error("uploads are selected by prefix alone")
	}
	r.Enabled = false
	if r.Applies("tmp/a", 50, nil) || r.AppliesToUpload("tmp/a") {
		t.Error("a disabled rule applies")
	}
	if !(LifecycleRule{Enabled: true}).Applies("anything", 0, nil) {
		t.Error("an empty filter must select every object")
	}
}

func TestObjectExpiredAfterDays(t *testing.T) {
	r := LifecycleRule{Enabled: true, ExpirationDays: 1}
	modified := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	expiry := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	if r.ObjectExpired(modified, expiry.Add(-time.Nanosecond)) {
		t.Error("expired before the midnight after lastModified + 1 day")
	}
	if !r.ObjectExpired(modified, expiry) {
		t.Error("not expired at the midnight after lastModified + 1 day")
	}
	// A modification time in another zone counts in UTC: 23:30 on Jan 1st
	// at UTC-5 is 04:30 on Jan 2nd UTC.
	west := time.Date(2026, 1, 1, 23, 30, 0, 0, time.FixedZone("EST", -5*3600))
	if r.ObjectExpired(west, expiry) || !r.ObjectExpired(west, expiry.AddDate(0, 0, 1)) {
		t.Error("days are not counted in UTC")
	}
	r.Enabled = false
	if r.ObjectExpired(modified, expiry.AddDate(1, 0, 0)) {
		t.Error("a disabled rule expires objects")
	}
}

func TestObjectExpiredAtDate(t *testing.T) {
	date := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	r := LifecycleRule{Enabled: true, ExpirationDate: date}
	old := time.Date(2020, 5, 5, 0, 0, 0, 0, time.UTC)
	if r.ObjectExpired(old, date.Add(-time.Second)) || !r.ObjectExpired(old, date) {
		t.Error("a Date rule expires exactly from the date")
	}
	if !r.ObjectExpired(date.AddDate(0, 1, 0), date.AddDate(0, 1, 0)) {
		t.Error("an object written after the date expires too")
	}
	if (LifecycleRule{Enabled: true, AbortIncompleteUploadDays: 1}).ObjectExpired(old, date) {
		t.Error("a rule without expiration expires objects")
	}
}

func TestUploadAbortable(t *testing.T) {
	r := LifecycleRule{Enabled: true, AbortIncompleteUploadDays: 7}
	initiated := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	due := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	if r.UploadAbortable(initiated, due.Add(-time.Millisecond)) || !r.UploadAbortable(initiated, due) {
		t.Error("uploads are aborted from the midnight after initiation + 7 days")
	}
	if (LifecycleRule{Enabled: true, ExpirationDays: 1}).UploadAbortable(initiated, due.AddDate(1, 0, 0)) {
		t.Error("a rule without AbortIncompleteMultipartUpload aborts uploads")
	}
}

func TestDecodeLifecycleRefusals(t *testing.T) {
	e := wire.NewEncoder(nil)
	lifecycleExampleValue.Encode(e)
	mustNotDecode(t, e.Bytes(), DecodeLifecycle)

	for name, l := range map[string]Lifecycle{
		"no rules":          {},
		"no action":         {Rules: []LifecycleRule{{Enabled: true}}},
		"date not midnight": {Rules: []LifecycleRule{{ExpirationDate: time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC)}}},
		"legacy with size":  {Rules: []LifecycleRule{{LegacyPrefix: true, Filter: LifecycleFilter{ObjectSizeLessThan: ptr[uint64](5)}, ExpirationDays: 1}}},
		"days too large":    {Rules: []LifecycleRule{{ExpirationDays: 1 << 40}}},
	} {
		e := wire.NewEncoder(nil)
		l.Encode(e)
		d := wire.NewDecoder(e.Bytes())
		if got := DecodeLifecycle(d); d.Finish() == nil {
			t.Errorf("%s: decoded %#v", name, got)
		}
	}
}

func TestLifecyclePrefixes(t *testing.T) {
	rule := func(prefix string, enabled bool, days, abort int) LifecycleRule {
		return LifecycleRule{Enabled: enabled, Filter: LifecycleFilter{Prefix: prefix}, ExpirationDays: days, AbortIncompleteUploadDays: abort}
	}
	l := Lifecycle{Rules: []LifecycleRule{
		rule("logs/2026/", true, 30, 0),
		rule("logs/", true, 7, 0),
		rule("tmp/", true, 1, 2),
		rule("cache/", false, 1, 1), // disabled: lists nothing
		rule("uploads/", true, 0, 3),
	}}
	if got, want := l.Prefixes(Expire), []string{"logs/", "tmp/"}; !slices.Equal(got, want) {
		t.Errorf("expiration prefixes %q, want %q", got, want)
	}
	if got, want := l.Prefixes(AbortUpload), []string{"tmp/", "uploads/"}; !slices.Equal(got, want) {
		t.Errorf("abort prefixes %q, want %q", got, want)
	}
	l.Rules = append(l.Rules, rule("", true, 365, 0))
	if got := l.Prefixes(Expire); !slices.Equal(got, []string{""}) {
		t.Errorf("a rule over every key must list everything, got %q", got)
	}
	if got := (Lifecycle{Rules: []LifecycleRule{rule("a/", true, 0, 1)}}).Prefixes(Expire); len(got) != 0 {
		t.Errorf("no expiration rule, yet prefixes %q", got)
	}
}

// TestParseLifecycleVersionsAndTags: tag filters, noncurrent-version
// expiration and ExpiredObjectDeleteMarker parse, render back as they
// were given, and survive the stored encoding.
func TestParseLifecycleVersionsAndTags(t *testing.T) {
	body := `<LifecycleConfiguration>
  <Rule><ID>tagged</ID><Filter><Tag><Key>class</Key><Value>tmp</Value></Tag></Filter><Status>Enabled</Status>
    <Expiration><Days>3</Days></Expiration></Rule>
  <Rule><ID>and</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value></Value></Tag>
    <ObjectSizeGreaterThan>5</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status>
    <NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>
  <Rule><ID>markers</ID><Filter><Prefix>old/</Prefix></Filter><Status>Enabled</Status>
    <Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>
</LifecycleConfiguration>`
	got, err := ParseLifecycle([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := Lifecycle{Rules: []LifecycleRule{
		{ID: "tagged", Enabled: true, Filter: LifecycleFilter{Tags: tagging.Set{{Key: "class", Value: "tmp"}}}, ExpirationDays: 3},
		{ID: "and", Enabled: true, Filter: LifecycleFilter{Prefix: "logs/", ObjectSizeGreaterThan: ptr[uint64](5),
			Tags: tagging.Set{{Key: "a", Value: "1"}, {Key: "b", Value: ""}}}, NoncurrentDays: 7, NewerNoncurrentVersions: 2},
		{ID: "markers", Enabled: true, Filter: LifecycleFilter{Prefix: "old/"}, ExpiredObjectDeleteMarker: true},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parsed\n%+v\nwant\n%+v", got, want)
	}
	again, err := ParseLifecycle(got.XML())
	if err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("XML round trip: %+v, %v\n%s", again, err, got.XML())
	}
	e := wire.NewEncoder(nil)
	got.Encode(e)
	d := wire.NewDecoder(e.Bytes())
	decoded := DecodeLifecycle(d)
	if err := d.Finish(); err != nil || !reflect.DeepEqual(decoded, want) {
		t.Fatalf("wire round trip: %+v, %v", decoded, err)
	}
}

// TestDecodeLifecycleFirstFormat: a configuration stored before tags and
// versions (format 1) still decodes.
func TestDecodeLifecycleFirstFormat(t *testing.T) {
	e := wire.NewEncoder(nil)
	e.Uint8(formatVersion)
	e.Uvarint(1)
	e.String("old")
	e.Bool(true)
	e.Bool(false)
	e.String("tmp/")
	e.Bool(false)
	e.Bool(false)
	e.Varint(2)
	e.Bool(false)
	e.Varint(0)
	d := wire.NewDecoder(e.Bytes())
	got := DecodeLifecycle(d)
	want := Lifecycle{Rules: []LifecycleRule{{ID: "old", Enabled: true, Filter: LifecycleFilter{Prefix: "tmp/"}, ExpirationDays: 2}}}
	if err := d.Finish(); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%+v, %v", got, err)
	}
}

func TestLifecycleAppliesTags(t *testing.T) {
	r := LifecycleRule{Enabled: true, ExpirationDays: 1, Filter: LifecycleFilter{Prefix: "a/", Tags: tagging.Set{{Key: "k", Value: "v"}, {Key: "e", Value: ""}}}}
	for _, c := range []struct {
		tags tagging.Set
		want bool
	}{
		{tagging.Set{{Key: "k", Value: "v"}, {Key: "e", Value: ""}}, true},
		{tagging.Set{{Key: "e", Value: ""}, {Key: "x", Value: "y"}, {Key: "k", Value: "v"}}, true},
		{tagging.Set{{Key: "k", Value: "v"}}, false},
		{tagging.Set{{Key: "k", Value: "V"}, {Key: "e", Value: ""}}, false},
		{nil, false},
	} {
		if got := r.Applies("a/obj", 1, c.tags); got != c.want {
			t.Errorf("tags %v: %v, want %v", c.tags, got, c.want)
		}
	}
}

func TestExpiredVersions(t *testing.T) {
	day := 24 * time.Hour
	t0 := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	// Newest first: the current version, then noncurrent ones, each made
	// noncurrent when the one before it in the list was written.
	versions := []Version{
		{Modified: t0.Add(4 * day), Size: 1},                                   // current
		{Modified: t0.Add(3 * day), Size: 1},                                   // noncurrent since day 4
		{Modified: t0.Add(2 * day), Marker: true},                              // since day 3
		{Modified: t0.Add(1 * day), Size: 100},                                 // since day 2
		{Modified: t0, Size: 1, Tags: tagging.Set{{Key: "keep", Value: "no"}}}, // since day 1
	}
	noncurrent := Lifecycle{Rules: []LifecycleRule{{Enabled: true, NoncurrentDays: 2}}}
	for _, c := range []struct {
		name string
		l    Lifecycle
		now  time.Time
		want []int
	}{
		// Noncurrent since day 1 at 12:00: two days later, from midnight.
		{"none due yet", noncurrent, t0.Add(3 * day), nil},
		{"oldest due", noncurrent, time.Date(2026, 1, 14, 0, 0, 0, 0, time.UTC), []int{4}},
		{"all due", noncurrent, t0.Add(10 * day), []int{1, 2, 3, 4}},
		{"newest two kept", Lifecycle{Rules: []LifecycleRule{{Enabled: true, NoncurrentDays: 2, NewerNoncurrentVersions: 2}}}, t0.Add(10 * day), []int{3, 4}},
		{"by size", Lifecycle{Rules: []LifecycleRule{{Enabled: true, NoncurrentDays: 1, Filter: LifecycleFilter{ObjectSizeGreaterThan: ptr[uint64](50)}}}}, t0.Add(10 * day), []int{3}},
		{"by tag", Lifecycle{Rules: []LifecycleRule{{Enabled: true, NoncurrentDays: 1, Filter: LifecycleFilter{Tags: tagging.Set{{Key: "keep", Value: "no"}}}}}}, t0.Add(10 * day), []int{4}},
		{"other prefix", Lifecycle{Rules: []LifecycleRule{{Enabled: true, NoncurrentDays: 1, Filter: LifecycleFilter{Prefix: "b/"}}}}, t0.Add(10 * day), nil},
		{"disabled", Lifecycle{Rules: []LifecycleRule{{NoncurrentDays: 1}}}, t0.Add(10 * day), nil},
		{"current expiration alone", Lifecycle{Rules: []LifecycleRule{{Enabled: true, ExpirationDays: 1}}}, t0.Add(10 * day), nil},
	} {
		if got := c.l.ExpiredVersions("a/key", versions, c.now); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}

	lone := []Version{{Modified: t0, Marker: true}}
	markers := Lifecycle{Rules: []LifecycleRule{{Enabled: true, ExpiredObjectDeleteMarker: true}}}
	if got := markers.ExpiredVersions("a/key", lone, t0); !slices.Equal(got, []int{0}) {
		t.Errorf("a lone marker with ExpiredObjectDeleteMarker: %v", got)
	}
	if got := markers.ExpiredVersions("a/key", versions[1:3], t0.Add(10*day)); got != nil {
		t.Errorf("a marker with a version behind it: %v", got)
	}
	if got := markers.ExpiredVersions("a/key", []Version{{Modified: t0, Size: 3}}, t0.Add(10*day)); got != nil {
		t.Errorf("a lone object is no marker: %v", got)
	}
	days := Lifecycle{Rules: []LifecycleRule{{Enabled: true, ExpirationDays: 3}}}
	if got := days.ExpiredVersions("a/key", lone, t0.Add(2*day)); got != nil {
		t.Errorf("a lone marker younger than Days: %v", got)
	}
	if got := days.ExpiredVersions("a/key", lone, t0.Add(4*day)); !slices.Equal(got, []int{0}) {
		t.Errorf("a lone marker older than Days: %v", got)
	}
}

func TestLifecyclePrefixesVersions(t *testing.T) {
	l := Lifecycle{Rules: []LifecycleRule{
		{Enabled: true, NoncurrentDays: 1, Filter: LifecycleFilter{Prefix: "b/"}},
		{Enabled: true, ExpiredObjectDeleteMarker: true, Filter: LifecycleFilter{Prefix: "a/"}},
		{Enabled: true, AbortIncompleteUploadDays: 1, Filter: LifecycleFilter{Prefix: "c/"}},
	}}
	if got := l.Prefixes(ExpireVersions); !slices.Equal(got, []string{"a/", "b/"}) {
		t.Errorf("version prefixes: %v", got)
	}
}
