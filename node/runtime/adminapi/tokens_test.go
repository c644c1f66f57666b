package adminapi

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTokenHashes(t *testing.T) {
	prefix, token, hash := NewAdminToken()
	if len(prefix) != 24 || !strings.HasPrefix(token, prefix+".") || len(token) != 24+1+43 {
		t.Fatalf("token %q, prefix %q", token, prefix)
	}
	// Garage's PHC string, with its parameters.
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", hash)
	}
	if !verifyToken(token, hash) {
		t.Fatal("the token does not verify against its own hash")
	}
	for _, bad := range []string{token + "x", prefix + ".", "", strings.ToUpper(token)} {
		if verifyToken(bad, hash) {
			t.Fatalf("%q verifies", bad)
		}
	}
	parts := strings.Split(hash, "$")
	for _, h := range []string{
		strings.Replace(hash, "t=2", "t=3", 1), // other parameters: another key
		strings.Replace(hash, "argon2id", "argon2i", 1),
		strings.Join(parts[:5], "$"), // no key
		"$argon2id$v=19$m=0,t=2,p=1$" + parts[4] + "$" + parts[5],
		"not a hash",
	} {
		if verifyToken(token, h) {
			t.Fatalf("verifies against %q", h)
		}
	}
	// Two hashes of one token differ (fresh salts) and both verify.
	if h2 := hashToken(token); h2 == hash || !verifyToken(token, h2) {
		t.Fatalf("second hash %q", h2)
	}
	var v verified
	if !v.check(token, hash) || !v.check(token, hash) || v.check(token+"x", hash) {
		t.Fatal("the verified cache")
	}
}

func TestZoneRedundancyJSON(t *testing.T) {
	for _, c := range []struct {
		json string
		want int
	}{{`"maximum"`, 0}, {`{"atLeast":2}`, 2}} {
		var z ZoneRedundancy
		if err := json.Unmarshal([]byte(c.json), &z); err != nil || z.AtLeast != c.want {
			t.Fatalf("%s: %v %+v", c.json, err, z)
		}
		if b, _ := json.Marshal(z); string(b) != c.json {
			t.Fatalf("marshal %+v: %s, want %s", z, b, c.json)
		}
	}
	for _, bad := range []string{`"minimum"`, `{"atLeast":0}`, `{}`, `3`} {
		var z ZoneRedundancy
		if json.Unmarshal([]byte(bad), &z) == nil {
			t.Fatalf("%s accepted", bad)
		}
	}
}

// TestOpenAPIListsEveryEndpoint: the document has a path per endpoint
// served, with its method, query parameters and body.
func TestOpenAPIListsEveryEndpoint(t *testing.T) {
	doc := openAPI()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Paths map[string]map[string]struct {
			OperationID string           `json:"operationId"`
			Parameters  []map[string]any `json:"parameters"`
			RequestBody map[string]any   `json:"requestBody"`
		} `json:"paths"`
	}
	must(t, json.Unmarshal(b, &parsed))
	for _, ep := range endpoints {
		op, ok := parsed.Paths["/v2/"+ep.Name][strings.ToLower(ep.Method)]
		if !ok || op.OperationID != ep.Name || len(op.Parameters) != len(ep.Query) || (op.RequestBody != nil) != (ep.Body != nil) {
			t.Errorf("%s: %+v", ep.Name, op)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
