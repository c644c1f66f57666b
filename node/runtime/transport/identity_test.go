package transport

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOrCreateIdentityPersists(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "meta")
	first, err := LoadOrCreateIdentity(dir)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	info, err := os.Stat(filepath.Join(dir, keyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("node_key mode %04o, want 0600", perm)
	}
	pub, err := os.ReadFile(filepath.Join(dir, publicKeyFileName))
	if err != nil || !bytes.Equal(pub, first.ID[:]) {
		t.Errorf("node_key.pub = %x, %v; want the node id %x", pub, err, first.ID[:])
	}

	again, err := LoadOrCreateIdentity(dir)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if again.ID != first.ID || !bytes.Equal(again.Key, first.Key) {
		t.Fatal("reloading the key yields another identity")
	}
	if err := again.validate(); err != nil {
		t.Fatal(err)
	}

	// A lost public key file is rewritten.
	os.Remove(filepath.Join(dir, publicKeyFileName))
	if _, err := LoadOrCreateIdentity(dir); err != nil {
		t.Fatalf("reload without node_key.pub: %v", err)
	}
	if pub, _ := os.ReadFile(filepath.Join(dir, publicKeyFileName)); !bytes.Equal(pub, first.ID[:]) {
		t.Error("node_key.pub not rewritten")
	}
}

func TestLoadOrCreateIdentityRefusesBadFiles(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(dir string)
		want  string
	}{
		{"world-readable key", func(dir string) { os.Chmod(filepath.Join(dir, keyFileName), 0o644) }, "readable by group or others"},
		{"group-readable key", func(dir string) { os.Chmod(filepath.Join(dir, keyFileName), 0o640) }, "chmod 600"},
		{"truncated key", func(dir string) { os.WriteFile(filepath.Join(dir, keyFileName), []byte("short"), 0o600) }, "corrupt"},
		{"inconsistent key", func(dir string) {
			key := NewEphemeralIdentity().Key
			other := NewEphemeralIdentity().Key
			copy(key[32:], other[32:])
			os.WriteFile(filepath.Join(dir, keyFileName), key, 0o600)
		}, "corrupt"},
		{"public key of another node", func(dir string) {
			other := NewEphemeralIdentity().ID
			os.WriteFile(filepath.Join(dir, publicKeyFileName), other[:], 0o644)
		}, "does not match"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := LoadOrCreateIdentity(dir); err != nil {
				t.Fatal(err)
			}
			c.spoil(dir)
			_, err := LoadOrCreateIdentity(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("load after %s: %v, want an error containing %q", c.name, err, c.want)
			}
		})
	}
}

func TestEphemeralIdentitiesDiffer(t *testing.T) {
	a, b := NewEphemeralIdentity(), NewEphemeralIdentity()
	if a.ID == b.ID {
		t.Fatal("two ephemeral identities share an id")
	}
	if err := a.validate(); err != nil {
		t.Fatal(err)
	}
	a.ID = b.ID
	if a.validate() == nil {
		t.Fatal("identity whose id is not its key's public half validated")
	}
}
