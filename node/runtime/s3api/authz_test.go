package s3api

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestClientOrigin: the client's address and scheme come from the
// connection, or from the forwarding headers of a trusted proxy only.
func TestClientOrigin(t *testing.T) {
	trusting := &API{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	for _, tc := range []struct {
		name       string
		remote     string
		tls        bool
		forwarded  []string
		proto      string
		wantIP     string
		wantSecure bool
	}{
		{"direct", "192.0.2.1:1234", false, nil, "", "192.0.2.1", false},
		{"direct TLS", "192.0.2.1:1234", true, nil, "", "192.0.2.1", true},
		{"untrusted peer's headers are ignored", "192.0.2.1:1234", false, []string{"198.51.100.9"}, "https", "192.0.2.1", false},
		{"trusted proxy", "10.1.2.3:1234", false, []string{"198.51.100.9"}, "https", "198.51.100.9", true},
		{"the proxy's own entry is the last", "10.1.2.3:1234", false, []string{"203.0.113.5, 198.51.100.9"}, "http", "198.51.100.9", false},
		{"the last header", "10.1.2.3:1234", false, []string{"203.0.113.5", "198.51.100.9"}, "", "198.51.100.9", false},
		{"a garbled address leaves the peer's", "10.1.2.3:1234", false, []string{"nonsense"}, "", "10.1.2.3", false},
		{"IPv4 in IPv6", "[::ffff:192.0.2.1]:1234", false, nil, "", "192.0.2.1", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/b/k", nil)
		r.RemoteAddr = tc.remote
		if tc.tls {
			r.TLS = &tls.ConnectionState{}
		}
		for _, f := range tc.forwarded {
			r.Header.Add("X-Forwarded-For", f)
		}
		if tc.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tc.proto)
		}
		ip, secure := trusting.clientOrigin(&request{r: r})
		if ip.String() != tc.wantIP || secure != tc.wantSecure {
			t.Errorf("%s: %s secure %v, want %s %v", tc.name, ip, secure, tc.wantIP, tc.wantSecure)
		}
	}
}
