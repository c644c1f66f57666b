package config

import (
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Peer is a node to contact when joining the cluster.
type Peer struct {
	ID   [32]byte // the node's public key
	Addr string   // host:port of its RPC endpoint
}

// String returns the peer in the <hex id>@<host:port> form ParsePeer reads.
func (p Peer) String() string { return hex.EncodeToString(p.ID[:]) + "@" + p.Addr }

// ParsePeer parses "<64 hex digits node id>@<host:port>", the form `garage
// node id` prints and bootstrap_peers lists.
func ParsePeer(s string) (Peer, error) {
	idHex, addr, ok := strings.Cut(s, "@")
	if !ok {
		return Peer{}, fmt.Errorf("invalid peer %q: expected <node id>@<host:port>", s)
	}
	var p Peer
	if err := decodeKey(idHex, &p.ID); err != nil {
		return Peer{}, fmt.Errorf("invalid peer %q: node id: %w", s, err)
	}
	if err := checkDialAddr(addr); err != nil {
		return Peer{}, fmt.Errorf("invalid peer %q: %w", s, err)
	}
	p.Addr = addr
	return p, nil
}

// decodeKey decodes exactly 32 bytes written as 64 hex digits. Its errors
// never quote the input, which may be a secret.
// ParseRPCSecret reads an rpc_secret as given on a command line: 64 hex
// digits.
func ParseRPCSecret(s string) ([32]byte, error) {
	var secret [32]byte
	err := decodeKey(s, &secret)
	return secret, err
}

func decodeKey(s string, dst *[32]byte) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("must be %d hex digits, got %d characters", 2*len(dst), len(s))
	}
	if _, err := hex.Decode(dst[:], []byte(s)); err != nil {
		return fmt.Errorf("must be %d hex digits: contains a non-hex character", 2*len(dst))
	}
	return nil
}

// checkBindAddr accepts host:port to listen on; the host may be empty to
// mean every interface, and port 0 lets the system choose.
func checkBindAddr(addr string) error {
	_, _, err := splitHostPort(addr)
	return err
}

// checkDialAddr accepts host:port to connect to: both parts are required.
func checkDialAddr(addr string) error {
	host, port, err := splitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "" {
		return fmt.Errorf("address %q has no host", addr)
	}
	if port == 0 {
		return fmt.Errorf("address %q has port 0", addr)
	}
	return nil
}

func splitHostPort(addr string) (host string, port uint16, err error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("address %q is not host:port", addr)
	}
	n, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return "", 0, fmt.Errorf("address %q has an invalid port (expected 0 to 65535)", addr)
	}
	return host, uint16(n), nil
}
