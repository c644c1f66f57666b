package storageclass

import (
	"testing"

	"github.com/garagego/garage/node/s3/s3err"
)

func TestParse(t *testing.T) {
	for _, c := range Accepted() {
		got, err := Parse(c)
		if err != nil || got != c {
			t.Errorf("Parse(%q) = %q, %v; want it accepted", c, got, err)
		}
	}
	if got, err := Parse(""); err != nil || got != Standard {
		t.Errorf("Parse(\"\") = %q, %v; want STANDARD", got, err)
	}
	for _, bad := range []string{"OUTPOSTS", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS", "FSX_ONTAP",
		"standard", "glacier", " STANDARD", "STANDARD ", "COLD", "GLACIER,STANDARD"} {
		_, err := Parse(bad)
		if e, ok := s3err.As(err); !ok || e.Code != s3err.InvalidStorageClass || e.Status() != 400 {
			t.Errorf("Parse(%q): %v, want InvalidStorageClass (400)", bad, err)
		}
	}
}

func TestAcceptedIsAWSGeneralPurposeList(t *testing.T) {
	want := []string{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"}
	got := Accepted()
	if len(got) != len(want) {
		t.Fatalf("Accepted() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Accepted() = %v, want %v", got, want)
		}
	}
	got[0] = "changed"
	if Accepted()[0] != Standard {
		t.Errorf("Accepted() shares its slice")
	}
}

func TestStoredRoundTrip(t *testing.T) {
	for _, c := range Accepted() {
		if got := OfStored(Stored(c)); got != c {
			t.Errorf("OfStored(Stored(%q)) = %q", c, got)
		}
	}
	if Stored(Standard) != "" {
		t.Errorf("STANDARD is stored as %q, want no header", Stored(Standard))
	}
}
