package transport

import (
	"fmt"
	"testing"

	"github.com/garagego/garage/node/rpc"
)

// BenchmarkRoundTrip measures request/response round trips between two
// transports over loopback, one at a time and with 64 in flight.
func BenchmarkRoundTrip(b *testing.B) {
	for _, inFlight := range []int{1, 64} {
		b.Run(fmt.Sprintf("inflight=%d", inFlight), func(b *testing.B) {
			server := startNode(b, withEcho())
			client := startNode(b, withBootstrap(Peer{ID: server.ID(), Addr: server.Addr()}))
			eventually(b, "connection", func() bool { return client.connected(server.ID()) && server.connected(client.ID()) })

			body := textBody{"ping"}
			next := uint64(0)
			send := func() {
				next++
				err := client.Send(rpc.Message{From: client.ID(), To: server.ID(), ID: next, Body: body})
				if err != nil {
					b.Fatalf("send: %v", err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range min(inFlight, b.N) {
				send()
			}
			for done := 0; done < b.N; done++ {
				if m := client.rec.next(b); !m.Response {
					b.Fatalf("unexpected request %v", m)
				}
				if int(next) < b.N {
					send()
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
		})
	}
}
