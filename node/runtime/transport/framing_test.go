package transport

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/node/cluster"
)

func testKeys() (sendKey, otherKey []byte) {
	return bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
}

func TestFramesRoundTripInOrder(t *testing.T) {
	key, _ := testKeys()
	s, o := newSealer(key), newOpener(key)
	var stream bytes.Buffer
	payloads := [][]byte{{byte(framePing)}, []byte("\x01hello"), bytes.Repeat([]byte{7}, 100000)}
	for _, p := range payloads {
		stream.Write(s.seal(nil, p))
	}
	for i, want := range payloads {
		got, err := o.readFrame(&stream)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("frame %d: %d bytes, %v", i, len(got), err)
		}
	}
	if _, err := o.readFrame(&stream); !errors.Is(err, io.EOF) {
		t.Fatalf("read past the end: %v, want EOF", err)
	}
}

func TestFramesRejectTamperingReplayAndWrongKey(t *testing.T) {
	key, other := testKeys()
	s := newSealer(key)
	first := s.seal(nil, []byte("\x01first"))
	second := s.seal(nil, []byte("\x01second"))

	cases := []struct {
		name   string
		key    []byte
		stream []byte
		want   string
	}{
		{"flipped ciphertext bit", key, flip(first, 6), "failed authentication"},
		{"flipped length bit", key, flip(first, 3), ""},
		{"reordered", key, second, "failed authentication"},
		{"replayed", key, append(append([]byte{}, first...), first...), "failed authentication"},
		{"wrong key", other, first, "failed authentication"},
		{"too long", key, []byte{0x7f, 0xff, 0xff, 0xff}, "exceeds the 64 MiB limit"},
		{"too short", key, []byte{0, 0, 0, 3, 1, 2, 3}, "too short"},
		{"truncated", key, first[:len(first)-1], "unexpected EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := newOpener(c.key)
			r := bytes.NewReader(c.stream)
			var err error
			for err == nil {
				_, err = o.readFrame(r)
			}
			if errors.Is(err, io.EOF) {
				t.Fatal("tampered stream read to its end without error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	b = append([]byte{}, b...)
	b[i] ^= 1
	return b
}

func TestPeerListRoundTripAndLimits(t *testing.T) {
	peers := []peerInfo{
		{id: cluster.NodeID{1}, addrs: []string{"10.0.0.1:3901", "[fd00::1]:3901"}},
		{id: cluster.NodeID{2}, addrs: []string{}},
	}
	frame := encodePeerListFrame(peers)
	if frameType(frame[0]) != framePeerList {
		t.Fatalf("frame type %d", frame[0])
	}
	got, err := decodePeerList(frame[1:])
	if err != nil {
		t.Fatal(err)
	}
	peers[1].addrs = nil
	if !reflect.DeepEqual(got, peers) {
		t.Fatalf("decoded %+v, want %+v", got, peers)
	}

	tooMany := make([]string, maxAddrsPerNode+1)
	for i := range tooMany {
		tooMany[i] = "h:1"
	}
	for name, body := range map[string][]byte{
		"too many addresses": encodePeerListFrame([]peerInfo{{addrs: tooMany}})[1:],
		"trailing bytes":     append(encodePeerListFrame(peers)[1:], 0),
		"truncated":          encodePeerListFrame(peers)[1:10],
		"huge count":         {0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		if _, err := decodePeerList(body); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

func TestParsePeer(t *testing.T) {
	id := NewEphemeralIdentity().ID
	p, err := ParsePeer(id.Hex() + "@127.0.0.1:3901")
	if err != nil || p.ID != id || p.Addr != "127.0.0.1:3901" {
		t.Fatalf("ParsePeer(id@addr) = %+v, %v", p, err)
	}
	if p.String() != id.Hex()+"@127.0.0.1:3901" {
		t.Errorf("String() = %q", p)
	}
	if p, err := ParsePeer("[::1]:3901"); err != nil || !p.ID.IsZero() || p.Addr != "[::1]:3901" {
		t.Fatalf("ParsePeer(addr) = %+v, %v", p, err)
	}
	for _, bad := range []string{"", "nohost", "host:", id.Hex() + "@", "abc@127.0.0.1:1", "127.0.0.1:0"} {
		if _, err := ParsePeer(bad); err == nil {
			t.Errorf("ParsePeer(%q) succeeded", bad)
		}
	}
}

func TestAdvertisedAddr(t *testing.T) {
	cases := []struct {
		public string
		bound  net.Addr
		want   string
	}{
		{"node1.example:3901", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, "node1.example:3901"},
		{"", &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 3901}, "10.1.2.3:3901"},
		{"", &net.TCPAddr{IP: net.IPv4zero, Port: 3901}, ""},
		{"", &net.TCPAddr{IP: net.IPv6unspecified, Port: 3901}, ""},
	}
	for _, c := range cases {
		if got := advertisedAddr(c.public, c.bound); got != c.want {
			t.Errorf("advertisedAddr(%q, %v) = %q, want %q", c.public, c.bound, got, c.want)
		}
	}
}

func TestBackoffGrowsToItsCap(t *testing.T) {
	tm := defaultTiming()
	for attempt, base := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 7: time.Minute, 50: time.Minute} {
		for range 20 {
			d := tm.backoff(attempt)
			if d < base*3/4 || d > base*5/4 {
				t.Fatalf("backoff(%d) = %v, want %v ±25%%", attempt, d, base)
			}
		}
	}
}

// handshakePair runs both sides of a handshake over loopback TCP.
func handshakePair(t *testing.T, a, b handshakeConfig) (sa, sb *session, errA, errB error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		if err != nil {
			errB = err
			return
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		sb, errB = handshake(nc, bufio.NewReader(nc), b)
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	sa, errA = handshake(nc, bufio.NewReader(nc), a)
	nc.Close()
	<-done
	return sa, sb, errA, errB
}

func TestHandshakeDerivesMatchingKeysAndIdentities(t *testing.T) {
	ida, idb := NewEphemeralIdentity(), NewEphemeralIdentity()
	sa, sb, errA, errB := handshakePair(t,
		handshakeConfig{identity: ida, role: RoleNode, secret: &secretA, expect: idb.ID, nodeOnly: true, addr: "b"},
		handshakeConfig{identity: idb, role: RoleNode, secret: &secretA, addr: "a"})
	if errA != nil || errB != nil {
		t.Fatalf("handshake: %v / %v", errA, errB)
	}
	if sa.peer != idb.ID || sb.peer != ida.ID || sa.role != RoleNode || sb.role != RoleNode {
		t.Fatalf("sessions name %s/%s, want %s/%s", sa.peer, sb.peer, idb.ID, ida.ID)
	}
	// Each side opens what the other seals, in both directions.
	for _, dir := range []struct{ from, to *session }{{sa, sb}, {sb, sa}} {
		got, err := dir.to.open.readFrame(bytes.NewReader(dir.from.seal.seal(nil, []byte("\x03"))))
		if err != nil || string(got) != "\x03" {
			t.Fatalf("cross-open: %q, %v", got, err)
		}
	}
}

func TestHandshakeWithDifferentSecretsFailsOnBothSides(t *testing.T) {
	_, _, errA, errB := handshakePair(t,
		handshakeConfig{identity: NewEphemeralIdentity(), role: RoleNode, secret: &secretA, addr: "b"},
		handshakeConfig{identity: NewEphemeralIdentity(), role: RoleNode, secret: &secretB, addr: "a"})
	for _, err := range []error{errA, errB} {
		if !errors.Is(err, ErrSecretMismatch) {
			t.Errorf("handshake across secrets: %v, want ErrSecretMismatch", err)
		}
	}
}
