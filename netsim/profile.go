package netsim

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// LinkProfile describes the behaviour of one directed link.
type LinkProfile struct {
	// Latency is the one-way propagation delay every copy pays.
	Latency time.Duration
	// Jitter adds a uniform extra delay in [0, Jitter) to each copy. Jitter
	// alone can already reorder closely spaced messages.
	Jitter time.Duration
	// Loss is the probability that a message is dropped in transit.
	Loss float64
	// Duplicate is the probability that a delivered message arrives twice;
	// the second copy draws its own jitter and reordering delay.
	Duplicate float64
	// Reorder is the probability that a copy is held back by an extra delay
	// in (0, ReorderDelay], so that messages sent after it overtake it.
	Reorder      float64
	ReorderDelay time.Duration
	// Bandwidth is in bytes per second; 0 means unlimited. A link transmits
	// one message at a time, so a message waits until the previous one on
	// the same directed link has been serialised.
	Bandwidth int64
}

// Validate reports whether p is usable: non-negative durations and
// bandwidth, and probabilities within [0, 1].
func (p LinkProfile) Validate() error {
	var errs []error
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Latency", p.Latency}, {"Jitter", p.Jitter}, {"ReorderDelay", p.ReorderDelay}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s %v is negative", d.name, d.v))
		}
	}
	for _, pr := range []struct {
		name string
		v    float64
	}{{"Loss", p.Loss}, {"Duplicate", p.Duplicate}, {"Reorder", p.Reorder}} {
		// The negated comparison also rejects NaN.
		if !(pr.v >= 0 && pr.v <= 1) {
			errs = append(errs, fmt.Errorf("%s %v is not a probability", pr.name, pr.v))
		}
	}
	if p.Bandwidth < 0 {
		errs = append(errs, fmt.Errorf("Bandwidth %d is negative", p.Bandwidth))
	}
	return errors.Join(errs...)
}

// String lists the non-zero fields, e.g. "latency=50ms loss=0.1".
func (p LinkProfile) String() string {
	var parts []string
	add := func(name string, set bool, v any) {
		if set {
			parts = append(parts, fmt.Sprintf("%s=%v", name, v))
		}
	}
	add("latency", p.Latency != 0, p.Latency)
	add("jitter", p.Jitter != 0, p.Jitter)
	add("loss", p.Loss != 0, p.Loss)
	add("duplicate", p.Duplicate != 0, p.Duplicate)
	add("reorder", p.Reorder != 0, p.Reorder)
	add("reorder-delay", p.ReorderDelay != 0, p.ReorderDelay)
	add("bandwidth", p.Bandwidth != 0, fmt.Sprintf("%dB/s", p.Bandwidth))
	if len(parts) == 0 {
		return "ideal"
	}
	return strings.Join(parts, " ")
}

// Config gives the default profile of every link by whether its two ends
// share a zone.
type Config struct {
	IntraZone LinkProfile // between two nodes of the same zone
	InterZone LinkProfile // between nodes of different zones
}

// Validate reports whether both profiles are usable.
func (c Config) Validate() error {
	var errs []error
	if err := c.IntraZone.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("IntraZone: %w", err))
	}
	if err := c.InterZone.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("InterZone: %w", err))
	}
	return errors.Join(errs...)
}

// DefaultConfig is a fault-free geo-distributed network: sub-millisecond
// links inside a zone and 50 ms links between zones, with modest jitter.
func DefaultConfig() Config {
	return Config{
		IntraZone: LinkProfile{Latency: 500 * time.Microsecond, Jitter: 100 * time.Microsecond},
		InterZone: LinkProfile{Latency: 50 * time.Millisecond, Jitter: 5 * time.Millisecond},
	}
}
