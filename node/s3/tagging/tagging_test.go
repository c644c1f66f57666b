package tagging

import (
	"reflect"
	"strings"
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

func code(err error) s3err.Code {
	if e, ok := s3err.As(err); ok {
		return e.Code
	}
	return ""
}

func TestParseXML(t *testing.T) {
	got, err := ParseXML([]byte(`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>
		<Tag><Key>project</Key><Value>blue</Value></Tag><Tag><Key>empty</Key><Value></Value></Tag></TagSet></Tagging>`))
	if err != nil {
		t.Fatal(err)
	}
	want := Set{{"project", "blue"}, {"empty", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	back, err := ParseXML(got.XML())
	if err != nil || !reflect.DeepEqual(back, want) {
		t.Fatalf("XML round trip: %v, %v", back, err)
	}
	empty, err := ParseXML(Set(nil).XML())
	if err != nil || len(empty) != 0 {
		t.Fatalf("empty set round trip: %v, %v", empty, err)
	}
}

func TestParseXMLMalformed(t *testing.T) {
	for _, body := range []string{
		``,
		`<Tagging>`,
		`<Tagging></Tagging>`, // no TagSet
		`<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>`,
		`<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>`,
		`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value><Colour/></Tag></TagSet></Tagging>`,
		`<Tagging><TagSet/><Other/></Tagging>`,
	} {
		if _, err := ParseXML([]byte(body)); code(err) != s3err.MalformedXML {
			t.Errorf("%q: %v, want MalformedXML", body, err)
		}
	}
}

func TestParseQuery(t *testing.T) {
	got, err := ParseQuery("a=1&b%20c=x%2By+z&flag&&d=")
	if err != nil {
		t.Fatal(err)
	}
	want := Set{{"a", "1"}, {"b c", "x+y z"}, {"flag", ""}, {"d", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	back, err := ParseQuery(got.Query())
	if err != nil || !reflect.DeepEqual(back, want) {
		t.Fatalf("query round trip of %q: %v, %v", got.Query(), back, err)
	}
	if s, err := ParseQuery(""); err != nil || s != nil {
		t.Fatalf("empty header: %v, %v", s, err)
	}
	for _, bad := range []string{"a=1&a=2", "a=%zz", "%ff=1"} {
		if _, err := ParseQuery(bad); code(err) != s3err.InvalidArgument {
			t.Errorf("%q: %v, want InvalidArgument", bad, err)
		}
	}
}

func TestLimits(t *testing.T) {
	n := func(count int) Set {
		var s Set
		for i := range count {
			s = append(s, Tag{Key: strings.Repeat("k", i+1), Value: "v"})
		}
		return s
	}
	if err := n(10).CheckObject(); err != nil {
		t.Errorf("10 object tags: %v", err)
	}
	if err := n(11).CheckObject(); code(err) != s3err.InvalidTag {
		t.Errorf("11 object tags: %v", err)
	}
	if err := n(50).CheckBucket(); err != nil {
		t.Errorf("50 bucket tags: %v", err)
	}
	if err := n(51).CheckBucket(); code(err) != s3err.InvalidTag {
		t.Errorf("51 bucket tags: %v", err)
	}
	// Lengths count characters: 128 three-byte characters is a good key.
	ok := Set{{Key: strings.Repeat("é", 128), Value: strings.Repeat("日", 256)}}
	if err := ok.CheckObject(); err != nil {
		t.Errorf("longest key and value in characters: %v", err)
	}
	for _, bad := range []Set{
		{{Key: strings.Repeat("k", 129), Value: ""}},
		{{Key: "k", Value: strings.Repeat("v", 257)}},
		{{Key: "", Value: "v"}},
		{{Key: "k", Value: "1"}, {Key: "k", Value: "2"}},
		{{Key: "\xff", Value: "v"}},
	} {
		if err := bad.CheckObject(); code(err) != s3err.InvalidTag {
			t.Errorf("%q: %v, want InvalidTag", bad, err)
		}
		if err := bad.CheckBucket(); code(err) != s3err.InvalidTag {
			t.Errorf("bucket %q: %v, want InvalidTag", bad, err)
		}
	}
	if err := (Set{{Key: "aws:createdBy", Value: "x"}}).CheckBucket(); code(err) != s3err.InvalidTag {
		t.Errorf("aws: bucket tag: %v", err)
	}
}
