// Package transport carries rpc.Messages between Garage nodes, and between a
// node and command-line clients, over authenticated and encrypted TCP
// connections. It is the production counterpart of the simulator's network:
// like that network it may drop messages, but it never corrupts them and
// never reorders the messages of one connection.
//
// Every participant holds an ed25519 key pair whose public half is its node
// id, and every member of a cluster shares a 32-byte rpc_secret. Only holders
// of the secret can complete a handshake, and every peer proves that it
// holds the private key of the id it claims.
//
// # Handshake
//
// Both ends of a fresh connection run the same steps, within a deadline of
// 10 s for the dialler and 5 s for an inbound connection, which has proved
// nothing yet:
//
//  1. Hello, in the clear, 134 bytes, sent by both sides at once:
//
//     "GRGv1" | role (0 node, 1 client) | ed25519 static public key (32) |
//     X25519 ephemeral public key (32) | random nonce (32) |
//     HMAC-SHA256(rpc_secret, label ‖ all preceding fields) (32)
//
//     A MAC that does not verify means the peer does not share our
//     rpc_secret: we send a refusal, close, and log why. A refusal is a
//     4-byte big-endian length with its top bit set followed by a short
//     ASCII reason; sealed frames never set that bit. A hello carrying our
//     own node id is a node that dialed itself and is closed quietly.
//
//  2. Session keys. The transcript is SHA-256(label ‖ lower hello ‖ higher
//     hello), the hellos taken in byte order so that both sides agree.
//     HKDF-SHA256 of the X25519 shared secret, with the rpc_secret as salt
//     and label ‖ transcript as info, yields 64 bytes: the first 32 key the
//     direction from the sender of the lower hello, the next 32 the other.
//
//  3. Authentication, the first sealed frame each way: type 0 | role |
//     ed25519 signature over label ‖ transcript ‖ role ‖ position, where
//     position is 0 if the signer's hello sorts lower. It proves possession
//     of the identity key and binds it to this session's ephemeral keys and
//     nonces, so it cannot be replayed into another session or reflected
//     back at its signer.
//
// A dialer that expected a particular node id (from "id@host:port") refuses
// a peer whose hello names another id, with an error naming both.
//
// # Frames
//
// After the handshake each direction is a stream of frames: a 4-byte
// big-endian length, then a ChaCha20-Poly1305 ciphertext sealed with the
// direction's key, a nonce made of the direction's frame counter and the
// length bytes as additional data. The plaintext, at most 64 MiB, is a type
// byte followed by a body:
//
//	1 rpc        an rpc.Message, as written by Message.Encode
//	2 peer list  uvarint count, then per node: id (32) | uvarint address
//	             count | length-prefixed addresses
//	3 ping       empty
//	4 pong       empty
//
// A frame that fails to authenticate or to decode closes the connection; an
// rpc message whose From is not the authenticated peer is dropped, since a
// peer cannot speak for another.
//
// # Connections
//
// A Transport keeps at most one active connection per peer. When two nodes
// dial each other at once, both keep the connection dialed by the smaller id
// (between connections dialed by the same side, the newer one); the loser is
// retired by the side that dialed it once the winner has carried a frame from
// the peer, which proves the peer adopted the winner too, so neither side
// ever sees the peer go down. Outbound frames go through a bounded queue per
// connection drained by one writer goroutine, so Send never blocks on the
// network. Every connection sends a ping each ping interval and is closed
// when nothing has arrived for three intervals.
//
// Inbound connections wait for their handshake in a bounded gate: at most
// 128 at once, 8 per source address, 32 of them kept for trusted sources
// (addresses of known nodes, sources that once authenticated as a node,
// and 127.0.0.1/::1 for the local CLI). A new connection is never turned
// away; when a bound is reached, the oldest handshake counting against it
// is closed, so idle connections held without the secret cannot lock the
// cluster or its operator out.
//
// Known cluster nodes not connected are redialled with jittered exponential
// backoff. Nodes gossip the nodes they have reached, with their advertised
// addresses, on connect and periodically; a node learned this way is dialled,
// so a cluster bootstrapped through one node becomes a full mesh. Clients
// are never gossiped or redialled; replies reach them by their ephemeral id.
package transport
