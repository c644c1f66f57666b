package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testSecret is a valid rpc_secret; testSecretBytes is what it decodes to.
const testSecret = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

var testSecretBytes = func() (b [32]byte) {
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

// minimalFile holds the required options only.
const minimalFile = `metadata_dir = "/var/lib/garage/meta"
data_dir = "/var/lib/garage/data"
replication_factor = 3
rpc_secret = "` + testSecret + `"
`

// parseEnv parses doc as garage.toml in an environment holding only env,
// so that tests never see the machine's variables.
func parseEnv(env map[string]string, doc string) (*Config, error) {
	l := loader{lookupEnv: func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}}
	return l.parse([]byte(doc), "garage.toml")
}

// mustParse parses doc in an empty environment and fails the test on error.
func mustParse(t *testing.T, doc string) *Config {
	t.Helper()
	c, err := parseEnv(nil, doc)
	if err != nil {
		t.Fatalf("parse failed: %v\nfile:\n%s", err, doc)
	}
	return c
}

// parseErr parses doc in env and returns the error text, failing the test if
// parsing succeeds.
func parseErr(t *testing.T, env map[string]string, doc string) string {
	t.Helper()
	_, err := parseEnv(env, doc)
	if err == nil {
		t.Fatalf("parse succeeded, want an error\nfile:\n%s", doc)
	}
	return err.Error()
}

// wantContains fails unless got contains every one of want.
func wantContains(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("error %q\ndoes not contain %q", got, w)
		}
	}
}

// configErrors returns the *Error values in err, however many there are.
func configErrors(err error) []*Error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var list []*Error
		for _, e := range joined.Unwrap() {
			list = append(list, configErrors(e)...)
		}
		return list
	}
	var one *Error
	if errors.As(err, &one) {
		return []*Error{one}
	}
	return nil
}

// writeSecretFile writes content to a new file with the given mode and
// returns its path.
func writeSecretFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is filtered by the umask; set it exactly.
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}
