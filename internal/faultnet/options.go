package faultnet

import "time"

// Defaults of the options.
const (
	DefaultBufferSize  = 2 << 20 // bytes held per direction of a connection
	DefaultDialTimeout = 5 * time.Second
)

// chunkSize is the most the proxy reads from a socket at once; each read is
// one chunk, the unit of delay, jitter and loss.
const chunkSize = 32 << 10

// An Option tunes a Network.
type Option func(*config)

type config struct {
	seed        uint64
	bufferSize  int
	dialTimeout time.Duration
}

func defaultConfig() config {
	return config{bufferSize: DefaultBufferSize, dialTimeout: DefaultDialTimeout}
}

// WithSeed seeds the random source of jitter and loss draws (default 0).
// Draws are reproducible per connection given the order connections are
// accepted in; real TCP timing is not.
func WithSeed(seed uint64) Option {
	return func(c *config) { c.seed = seed }
}

// WithBufferSize bounds the bytes held per direction of a connection
// (default DefaultBufferSize). Values below one chunk are raised to one.
func WithBufferSize(bytes int) Option {
	return func(c *config) { c.bufferSize = max(bytes, chunkSize) }
}

// WithDialTimeout bounds how long a proxy tries to reach its target
// (default DefaultDialTimeout).
func WithDialTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.dialTimeout = d
		}
	}
}
