// Package faultnet is a controllable TCP relay network for fault injection
// between named endpoints ("n1", "n2", ...) running as real processes on
// loopback.
//
// Every node gets a proxy listener (Listen) that forwards to its real
// listener, and it advertises the proxy's address instead of its own. Each
// node dials out from its own loopback IP (AddSource), so the proxy knows
// which node an accepted connection comes from. Connections from IPs nobody
// registered belong to the pseudo-source "" and are never faulted.
//
// Faults are keyed by the direction bytes flow in (Direction), whichever end
// dialled: Block and SetShape on ("n1", "n2") govern the bytes n1 sends to
// n2 both on connections n1 opened to n2 and on connections n2 opened to n1.
//
// The relay never corrupts, reorders or drops bytes within a direction;
// only Reset, HalfOpen and Close end a stream early. Each direction holds at
// most a fixed number of bytes; beyond that the proxy stops reading and TCP
// backpressure pushes back on the sender.
//
// When an endpoint half-closes, the proxy delivers what it still holds in
// that direction and then half-closes the other endpoint; when a socket
// fails, it aborts both endpoints with a TCP RST.
//
// The proxy's own kernel answers TCP keepalive probes, so endpoints notice
// Block and HalfOpen only through their application-level timeouts.
package faultnet
