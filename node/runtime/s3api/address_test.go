package s3api

import (
	"net/http/httptest"
	"testing"
)

func TestAddressPathAndVirtualHostStyle(t *testing.T) {
	api := New(Config{Region: "garage", RootDomain: ".s3.garage.localhost"}, nil)
	for _, tc := range []struct {
		host, target, bucket, key string
	}{
		{"127.0.0.1:3900", "/", "", ""},
		{"127.0.0.1:3900", "/photos", "photos", ""},
		{"127.0.0.1:3900", "/photos/", "photos", ""},
		{"127.0.0.1:3900", "/photos/2026/a%20b.jpg", "photos", "2026/a b.jpg"},
		{"photos.s3.garage.localhost", "/2026/a.jpg", "photos", "2026/a.jpg"},
		{"photos.s3.garage.localhost:3900", "/", "photos", ""},
		{"my.dotted.bucket.s3.garage.localhost", "/k", "my.dotted.bucket", "k"},
		{"s3.garage.localhost", "/photos/k", "photos", "k"}, // the root domain itself is path style
		{"PHOTOS.S3.GARAGE.LOCALHOST", "/k", "photos", "k"},
	} {
		r := httptest.NewRequest("GET", tc.target, nil)
		r.Host = tc.host
		bucket, key, err := api.address(r)
		if err != nil || bucket != tc.bucket || key != tc.key {
			t.Errorf("%s%s: got (%q, %q, %v), want (%q, %q)", tc.host, tc.target, bucket, key, err, tc.bucket, tc.key)
		}
	}
}
