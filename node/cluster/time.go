package cluster

import "time"

// Time is a reading of a node's local clock in nanoseconds since the Unix
// epoch. Drivers pass it in with every input; the node never reads a clock.
// In the simulator it is virtual time plus the node's skew.
type Time int64

// Add returns t+d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Millis is the reading in milliseconds, the unit of LWW timestamps (as in
// Garage, so timestamps stay comparable with wall-clock dates).
func (t Time) Millis() uint64 {
	if t < 0 {
		return 0
	}
	return uint64(t / Time(time.Millisecond))
}
