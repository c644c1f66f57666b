package transport

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/garagego/garage/node/cluster"
)

// Identity is a long-term ed25519 key pair; its public half is the node id.
type Identity struct {
	Key ed25519.PrivateKey
	ID  cluster.NodeID
}

// Files LoadOrCreateIdentity keeps in its directory: the 64-byte private key
// (seed ‖ public key, as libsodium and Garage store it) and the 32-byte
// public key, for operators and scripts.
const (
	keyFileName       = "node_key"
	publicKeyFileName = "node_key.pub"
)

// NewEphemeralIdentity returns a fresh identity that is never stored, for
// clients such as the CLI.
func NewEphemeralIdentity() Identity {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(fmt.Sprintf("transport: generate ed25519 key: %v", err))
	}
	return identityFromKey(key)
}

func identityFromKey(key ed25519.PrivateKey) Identity {
	var id cluster.NodeID
	copy(id[:], key.Public().(ed25519.PublicKey))
	return Identity{Key: key, ID: id}
}

// validate checks that ID is the public half of Key.
func (i Identity) validate() error {
	if len(i.Key) != ed25519.PrivateKeySize {
		return fmt.Errorf("identity key has %d bytes, want %d", len(i.Key), ed25519.PrivateKeySize)
	}
	if identityFromKey(i.Key).ID != i.ID {
		return errors.New("identity id is not the public key of its private key")
	}
	return nil
}

// LoadOrCreateIdentity reads the node key kept in dir, creating it (mode
// 0600) on first start. A key readable by group or others is refused: it
// would let anyone on the machine impersonate the node.
func LoadOrCreateIdentity(dir string) (Identity, error) {
	path := filepath.Join(dir, keyFileName)
	id, err := loadIdentity(path)
	if errors.Is(err, fs.ErrNotExist) {
		id, err = createIdentity(dir, path)
	}
	if err != nil {
		return Identity{}, err
	}
	if err := ensurePublicKeyFile(filepath.Join(dir, publicKeyFileName), id); err != nil {
		return Identity{}, err
	}
	return id, nil
}

func loadIdentity(path string) (Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return Identity{}, fmt.Errorf("open node key: %w", err)
	}
	defer f.Close()
	// Stat the open file rather than the path, so the checked file is the
	// one read.
	info, err := f.Stat()
	if err != nil {
		return Identity{}, fmt.Errorf("stat node key: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return Identity{}, fmt.Errorf("node key %s has mode %04o and is readable by group or others; run chmod 600 %s",
			path, perm, path)
	}
	raw, err := io.ReadAll(io.LimitReader(f, ed25519.PrivateKeySize+1))
	if err != nil {
		return Identity{}, fmt.Errorf("read node key %s: %w", path, err)
	}
	if len(raw) != ed25519.PrivateKeySize {
		return Identity{}, fmt.Errorf("node key %s is corrupt: %d bytes, want %d", path, len(raw), ed25519.PrivateKeySize)
	}
	key := ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
	if !bytes.Equal(key, raw) {
		return Identity{}, fmt.Errorf("node key %s is corrupt: its public half does not match its seed", path)
	}
	return identityFromKey(key), nil
}

// createIdentity writes a new key to a temporary file and links it into
// place, so a crash never leaves a truncated key and two processes starting
// together agree on one key.
func createIdentity(dir, path string) (Identity, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Identity{}, fmt.Errorf("create key directory: %w", err)
	}
	id := NewEphemeralIdentity()
	tmp, err := os.CreateTemp(dir, "."+keyFileName+"-*") // CreateTemp uses mode 0600
	if err != nil {
		return Identity{}, fmt.Errorf("create node key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(id.Key); err != nil {
		tmp.Close()
		return Identity{}, fmt.Errorf("write node key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return Identity{}, fmt.Errorf("sync node key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Identity{}, fmt.Errorf("close node key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadIdentity(path)
		}
		return Identity{}, fmt.Errorf("install node key: %w", err)
	}
	return id, nil
}

// ensurePublicKeyFile writes node_key.pub if missing. A file that names
// another key is an error: one of the two files was swapped, and the
// operator must decide which identity this node has.
func ensurePublicKeyFile(path string, id Identity) error {
	existing, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(existing, id.ID[:]):
		return nil
	case err == nil:
		return fmt.Errorf("public key %s does not match node key (node id %s)", path, id.ID.Hex())
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("read public key: %w", err)
	}
	if err := os.WriteFile(path, id.ID[:], 0o644); err != nil {
		return fmt.Errorf("write public key: %w", err)
	}
	return nil
}
