package netsim

import (
	"testing"
	"time"
)

func BenchmarkSend(b *testing.B) {
	for _, bc := range []struct {
		name    string
		profile LinkProfile
	}{
		{"default", DefaultConfig().InterZone},
		{"faulty", faultyLink},
	} {
		b.Run(bc.name, func(b *testing.B) {
			n := newTestNetwork([]int{0, 0, 1, 1}, Config{IntraZone: bc.profile, InterZone: bc.profile}, 1)
			var now int64
			for i := 0; b.Loop(); i++ {
				now += int64(time.Microsecond)
				n.Send(now, i%4, (i+1+i/4%3)%4, 512) // never loopback
			}
		})
	}
}
