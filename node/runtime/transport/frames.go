package transport

import (
	"fmt"
	"net"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

// frameType is the first byte of every frame's plaintext.
type frameType byte

const (
	frameAuth     frameType = 0 // handshake only
	frameRPC      frameType = 1
	framePeerList frameType = 2
	framePing     frameType = 3
	framePong     frameType = 4
)

var (
	pingFrame = []byte{byte(framePing)}
	pongFrame = []byte{byte(framePong)}
)

// initialFrameSize fits most rpc messages without regrowing.
const initialFrameSize = 128

// Limits on a gossiped peer list, far above any real cluster, so a hostile
// list cannot grow our address book without bound.
const (
	maxGossipNodes  = 4096
	maxAddrsPerNode = 8
	maxAddrLen      = 255
	minGossipEntry  = len(cluster.NodeID{}) + 1 // id and address count
)

// encodeRPCFrame encodes m as the plaintext of an rpc frame.
func encodeRPCFrame(m rpc.Message) ([]byte, error) {
	if m.Body == nil {
		return nil, fmt.Errorf("transport: message %d to %s has no body", m.ID, m.To)
	}
	buf := make([]byte, 1, initialFrameSize)
	buf[0] = byte(frameRPC)
	e := wire.NewEncoder(buf)
	m.Encode(e)
	if e.Len() > maxFrame {
		return nil, fmt.Errorf("%w: %s is %d bytes", ErrTooLarge, m, e.Len())
	}
	return e.Bytes(), nil
}

// peerInfo is one gossiped node: its id and the addresses it can be
// reached at, best first.
type peerInfo struct {
	id    cluster.NodeID
	addrs []string
}

func encodePeerListFrame(peers []peerInfo) []byte {
	e := wire.NewEncoder([]byte{byte(framePeerList)})
	e.Uvarint(uint64(len(peers)))
	for _, p := range peers {
		e.Raw(p.id[:])
		e.Uvarint(uint64(len(p.addrs)))
		for _, a := range p.addrs {
			e.String(a)
		}
	}
	return e.Bytes()
}

func decodePeerList(body []byte) ([]peerInfo, error) {
	d := wire.NewDecoder(body)
	n := d.Len(minGossipEntry)
	if n > maxGossipNodes {
		return nil, fmt.Errorf("peer list of %d nodes exceeds %d", n, maxGossipNodes)
	}
	peers := make([]peerInfo, 0, n)
	for range n {
		var p peerInfo
		d.Fixed(p.id[:])
		k := d.Len(1)
		if k > maxAddrsPerNode {
			return nil, fmt.Errorf("peer list entry with %d addresses exceeds %d", k, maxAddrsPerNode)
		}
		for range k {
			p.addrs = append(p.addrs, d.String())
		}
		if d.Err() != nil {
			break
		}
		peers = append(peers, p)
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("peer list: %w", err)
	}
	return peers, nil
}

// validAddr accepts host:port addresses worth dialling.
func validAddr(addr string) bool {
	if len(addr) == 0 || len(addr) > maxAddrLen {
		return false
	}
	host, port, err := net.SplitHostPort(addr)
	return err == nil && host != "" && port != "" && port != "0"
}
