package netsim_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/garagego/garage/netsim"
)

// A simulator schedules the arrivals Send returns and asks again when each
// comes due, because faults may have been injected in the meantime.
func Example() {
	cfg := netsim.Config{
		IntraZone: netsim.LinkProfile{Latency: 500 * time.Microsecond},
		InterZone: netsim.LinkProfile{Latency: 50 * time.Millisecond},
	}
	net := netsim.New([]int{0, 0, 1}, cfg, rand.New(rand.NewPCG(1, 2)))

	fmt.Println(time.Duration(net.Send(0, 0, 1, 100)[0]))
	arrival := net.Send(0, 0, 2, 100)[0]
	fmt.Println(time.Duration(arrival))

	net.Partition([]int{0, 1}, []int{2})
	fmt.Println(net.Deliver(0, 2), net.Describe())
	// Output:
	// 500µs
	// 50ms
	// false partition {0 1} {2}
}
