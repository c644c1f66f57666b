package transport

import (
	"bufio"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

const (
	// maxFrame bounds a frame's plaintext, so a peer cannot make us
	// allocate more than this for one frame.
	maxFrame   = 64 << 20
	maxSealed  = maxFrame + chacha20poly1305.Overhead
	headerSize = 4
	// refusalBit marks a plaintext refusal in place of a sealed frame;
	// sealed lengths never reach it.
	refusalBit = 1 << 31
	maxRefusal = 128
)

// sealer seals one direction's frames. Not safe for concurrent use.
type sealer struct {
	aead    cipher.AEAD
	counter uint64 // 2^64 frames is out of reach, so it never wraps
	nonce   [chacha20poly1305.NonceSize]byte
}

func newSealer(key []byte) *sealer {
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		panic(fmt.Sprintf("transport: chacha20poly1305 key: %v", err)) // keys are always 32 bytes
	}
	return &sealer{aead: aead}
}

// seal appends the length header and the sealed payload to dst.
func (s *sealer) seal(dst, payload []byte) []byte {
	var hdr [headerSize]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(payload)+chacha20poly1305.Overhead))
	binary.BigEndian.PutUint64(s.nonce[4:], s.counter)
	s.counter++
	dst = append(dst, hdr[:]...)
	return s.aead.Seal(dst, s.nonce[:], payload, hdr[:])
}

// opener opens one direction's frames. Not safe for concurrent use.
type opener struct {
	aead    cipher.AEAD
	counter uint64
	nonce   [chacha20poly1305.NonceSize]byte
}

func newOpener(key []byte) *opener {
	s := newSealer(key)
	return &opener{aead: s.aead}
}

// readFrame reads and opens the next frame. The plaintext is freshly
// allocated, so decoded values may keep references into it.
func (o *opener) readFrame(r io.Reader) ([]byte, error) {
	var hdr [headerSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > maxSealed {
		return nil, fmt.Errorf("frame of %d bytes exceeds the %d MiB limit", n, maxFrame>>20)
	}
	if n <= chacha20poly1305.Overhead {
		return nil, fmt.Errorf("frame of %d bytes is too short to hold a sealed payload", n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read frame body: %w", err)
	}
	binary.BigEndian.PutUint64(o.nonce[4:], o.counter)
	plain, err := o.aead.Open(buf[:0], o.nonce[:], buf, hdr[:])
	if err != nil {
		return nil, fmt.Errorf("frame %d failed authentication (corrupt, forged or replayed)", o.counter)
	}
	o.counter++
	return plain, nil
}

// readFrameOrRefusal is readFrame for the handshake, where the peer may
// answer with a refusal instead.
func (o *opener) readFrameOrRefusal(r *bufio.Reader, addr string) ([]byte, error) {
	hdr, err := r.Peek(headerSize)
	if err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr)
	if n&refusalBit == 0 {
		return o.readFrame(r)
	}
	n &^= refusalBit
	if n > maxRefusal {
		return nil, fmt.Errorf("refusal of %d bytes exceeds %d", n, maxRefusal)
	}
	if _, err := r.Discard(headerSize); err != nil {
		return nil, err
	}
	reason := make([]byte, n)
	if _, err := io.ReadFull(r, reason); err != nil {
		return nil, fmt.Errorf("read refusal: %w", err)
	}
	if string(reason) == refuseBadSecret {
		return nil, &secretMismatchError{addr: addr}
	}
	return nil, &refusedError{addr: addr, reason: printable(reason)}
}

// Reasons sent in refusals.
const (
	refuseBadSecret  = "bad secret"
	refuseBadHello   = "not a garage transport hello"
	refuseUnexpected = "you are not the node I dialled"
	refuseNotNode    = "only nodes may be dialled"
)

// writeRefusal tells the peer why we are closing, best effort: the
// connection is closed right after either way.
func writeRefusal(w io.Writer, reason string) {
	b := binary.BigEndian.AppendUint32(nil, refusalBit|uint32(len(reason)))
	_, _ = w.Write(append(b, reason...))
}

// printable keeps a peer-supplied string from injecting control characters
// into our logs.
func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}
