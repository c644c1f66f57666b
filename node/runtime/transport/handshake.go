package transport

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/garagego/garage/node/cluster"
)

// Domain-separation labels for the handshake's derived values.
const (
	transcriptLabel = "garage-go transport v1 transcript"
	keysLabel       = "garage-go transport v1 session keys"
	authLabel       = "garage-go transport v1 auth"
)

// handshakeConfig is one side's view of a handshake.
type handshakeConfig struct {
	identity Identity
	role     Role
	secret   *[32]byte
	expect   cluster.NodeID // zero: accept any node
	nodeOnly bool           // refuse clients (we dialled, so we want a node)
	addr     string         // peer address, for errors
}

// session is an authenticated, keyed connection.
type session struct {
	peer cluster.NodeID
	role Role
	seal *sealer
	open *opener
}

// handshake runs our side of the handshake over nc. Reads go through rd,
// which the connection must keep using: the peer may send frames right
// behind its authentication frame. The caller bounds it with a deadline.
// handshakeBy runs the handshake on nc with deadline as the connection's
// deadline, cutting it short if ctx ends, and clears the deadline after.
// A context that ended is named in the error.
func handshakeBy(ctx context.Context, nc net.Conn, rd *bufio.Reader, deadline time.Time, hc handshakeConfig) (*session, error) {
	err := nc.SetDeadline(deadline)
	var s *session
	if err == nil {
		stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
		s, err = handshake(nc, rd, hc)
		if !stop() && err == nil {
			err = ctx.Err()
		}
	}
	if err == nil {
		err = nc.SetDeadline(time.Time{})
	}
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		err = fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	return s, err
}

func handshake(nc net.Conn, rd *bufio.Reader, hc handshakeConfig) (*session, error) {
	eph, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate ephemeral key: %w", err)
	}
	ours := buildHello(hc.secret, hc.role, hc.identity.ID, eph.PublicKey())
	if _, err := nc.Write(ours); err != nil {
		return nil, fmt.Errorf("send hello: %w", err)
	}
	raw := make([]byte, helloSize)
	if _, err := io.ReadFull(rd, raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errNoHello
		}
		return nil, fmt.Errorf("read hello: %w", err)
	}

	theirs, err := parseHello(hc.secret, raw)
	switch {
	case errors.Is(err, ErrSecretMismatch):
		writeRefusal(nc, refuseBadSecret)
		return nil, &secretMismatchError{addr: hc.addr}
	case err != nil:
		writeRefusal(nc, refuseBadHello)
		return nil, err
	case bytes.Equal(raw, ours):
		return nil, errors.New("peer echoed our own hello")
	case theirs.static == hc.identity.ID:
		return nil, errSelfConnection
	case hc.nodeOnly && theirs.role != RoleNode:
		writeRefusal(nc, refuseNotNode)
		return nil, fmt.Errorf("peer at %s is a %s, not a node", hc.addr, theirs.role)
	case !hc.expect.IsZero() && theirs.static != hc.expect:
		writeRefusal(nc, refuseUnexpected)
		return nil, &unexpectedNodeError{addr: hc.addr, got: theirs.static, want: hc.expect}
	}

	peerEph, err := ecdh.X25519().NewPublicKey(theirs.eph)
	if err != nil {
		return nil, fmt.Errorf("peer ephemeral key: %w", err)
	}
	shared, err := eph.ECDH(peerEph) // fails on low-order points
	if err != nil {
		return nil, fmt.Errorf("key exchange: %w", err)
	}
	oursFirst := bytes.Compare(ours, raw) < 0
	transcript := transcriptHash(ours, raw, oursFirst)
	sendKey, recvKey, err := sessionKeys(shared, hc.secret, transcript, oursFirst)
	if err != nil {
		return nil, err
	}
	s := &session{peer: theirs.static, role: theirs.role, seal: newSealer(sendKey), open: newOpener(recvKey)}

	sig := ed25519.Sign(hc.identity.Key, authMessage(transcript, hc.role, oursFirst))
	auth := append([]byte{byte(frameAuth), byte(hc.role)}, sig...)
	if _, err := nc.Write(s.seal.seal(nil, auth)); err != nil {
		return nil, fmt.Errorf("send authentication: %w", err)
	}
	reply, err := s.open.readFrameOrRefusal(rd, hc.addr)
	if err != nil {
		return nil, fmt.Errorf("read authentication: %w", err)
	}
	if len(reply) != 2+ed25519.SignatureSize || frameType(reply[0]) != frameAuth || Role(reply[1]) != theirs.role {
		return nil, fmt.Errorf("peer at %s sent a malformed authentication frame", hc.addr)
	}
	if !ed25519.Verify(theirs.static[:], authMessage(transcript, theirs.role, !oursFirst), reply[2:]) {
		return nil, fmt.Errorf("peer at %s failed to prove it holds the key of node %s", hc.addr, theirs.static.Hex())
	}
	return s, nil
}

// transcriptHash covers both hellos in byte order, so both sides compute
// the same value.
func transcriptHash(ours, theirs []byte, oursFirst bool) []byte {
	first, second := ours, theirs
	if !oursFirst {
		first, second = theirs, ours
	}
	h := sha256.New()
	h.Write([]byte(transcriptLabel))
	h.Write(first)
	h.Write(second)
	return h.Sum(nil)
}

// sessionKeys derives one key per direction. Salting with the rpc secret
// means the keys depend on it even if the hello MAC were bypassed.
func sessionKeys(shared []byte, secret *[32]byte, transcript []byte, oursFirst bool) (send, recv []byte, err error) {
	okm, err := hkdf.Key(sha256.New, shared, secret[:], keysLabel+string(transcript), 64)
	if err != nil {
		return nil, nil, fmt.Errorf("derive session keys: %w", err)
	}
	fromFirst, fromSecond := okm[:32], okm[32:]
	if oursFirst {
		return fromFirst, fromSecond, nil
	}
	return fromSecond, fromFirst, nil
}

// authMessage is what a side signs: the session it is in, the role it
// claims and which hello is its own, so a signature can neither move to
// another session nor be reflected back at the side that made it.
func authMessage(transcript []byte, role Role, signerFirst bool) []byte {
	m := make([]byte, 0, len(authLabel)+len(transcript)+2)
	m = append(m, authLabel...)
	m = append(m, transcript...)
	m = append(m, byte(role))
	if signerFirst {
		return append(m, 0)
	}
	return append(m, 1)
}
