package transport

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/binary"
	"io"
	"testing"
)

// TestGarbageIsLoggedAndClosed feeds one transport a series of malformed
// connections; each must be logged and closed, and the transport must
// still serve a well-behaved peer afterwards.
func TestGarbageIsLoggedAndClosed(t *testing.T) {
	b := startNode(t)

	cases := []struct {
		name string
		// feed misbehaves on a fresh connection to b.
		feed func(t *testing.T) *rawPeer
		warn string // expected in a warning on b
	}{
		{
			name: "random bytes",
			feed: func(t *testing.T) *rawPeer {
				p := dialRaw(t, b.Addr())
				junk := make([]byte, 300)
				rand.Read(junk)
				junk[0] = 'x'
				p.nc.Write(junk)
				return p
			},
			warn: "does not speak the garage transport protocol",
		},
		{
			name: "hello with a bad MAC",
			feed: func(t *testing.T) *rawPeer {
				p := dialRaw(t, b.Addr())
				eph, _ := ecdh.X25519().GenerateKey(rand.Reader)
				p.nc.Write(buildHello(&secretB, RoleNode, p.id.ID, eph.PublicKey()))
				// b answers with its hello, then a refusal saying why.
				if _, err := io.ReadFull(p.rd, make([]byte, helloSize)); err != nil {
					t.Fatalf("read b's hello: %v", err)
				}
				var hdr [4]byte
				if _, err := io.ReadFull(p.rd, hdr[:]); err != nil {
					t.Fatalf("read refusal: %v", err)
				}
				reason := make([]byte, binary.BigEndian.Uint32(hdr[:])&^refusalBit)
				io.ReadFull(p.rd, reason)
				if hdr[0]&0x80 == 0 || string(reason) != refuseBadSecret {
					t.Fatalf("refusal %x %q, want %q", hdr, reason, refuseBadSecret)
				}
				return p
			},
			warn: "does not share our rpc_secret",
		},
		{
			name: "huge length prefix",
			feed: func(t *testing.T) *rawPeer {
				p := handshakeRaw(t, b.Addr(), secretA, RoleNode)
				p.nc.Write([]byte{0x7f, 0xff, 0xff, 0xff})
				return p
			},
			warn: "exceeds the 64 MiB limit",
		},
		{
			name: "frame that fails authentication",
			feed: func(t *testing.T) *rawPeer {
				p := handshakeRaw(t, b.Addr(), secretA, RoleNode)
				frame := binary.BigEndian.AppendUint32(nil, 64)
				frame = append(frame, make([]byte, 64)...)
				rand.Read(frame[4:])
				p.nc.Write(frame)
				return p
			},
			warn: "failed authentication",
		},
		{
			name: "undecodable rpc message",
			feed: func(t *testing.T) *rawPeer {
				p := handshakeRaw(t, b.Addr(), secretA, RoleNode)
				p.sendFrame(t, []byte{byte(frameRPC), 1, 2, 3})
				return p
			},
			warn: "undecodable rpc message",
		},
		{
			name: "unknown frame type",
			feed: func(t *testing.T) *rawPeer {
				p := handshakeRaw(t, b.Addr(), secretA, RoleNode)
				p.sendFrame(t, []byte{0x7f})
				return p
			},
			warn: "unexpected frame type",
		},
		{
			name: "peer list from a client",
			feed: func(t *testing.T) *rawPeer {
				p := handshakeRaw(t, b.Addr(), secretA, RoleClient)
				p.sendFrame(t, encodePeerListFrame(nil))
				return p
			},
			warn: "client sent a peer list",
		},
		{
			name: "malformed peer list",
			feed: func(t *testing.T) *rawPeer {
				p := handshakeRaw(t, b.Addr(), secretA, RoleNode)
				p.sendFrame(t, []byte{byte(framePeerList), 0xff, 0xff, 0xff, 0x7f})
				return p
			},
			warn: "peer list",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.feed(t)
			p.waitClosed(t)
			eventually(t, "a warning containing "+c.warn, func() bool { return hasWarn(b.logs, c.warn) })
		})
	}

	eventually(t, "every misbehaving peer to be gone", func() bool {
		b.mu.RLock()
		defer b.mu.RUnlock()
		return len(b.links) == 0 && len(b.handshaking) == 0
	})
	a := startNode(t, withBootstrap(Peer{ID: b.ID(), Addr: b.Addr()}))
	eventually(t, "a good peer to connect", func() bool { return a.connected(b.ID()) && b.connected(a.ID()) })
	exchange(t, a, b, 5)
}
