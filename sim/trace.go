package sim

// traceHash is a running FNV-1a-style hash over every event the simulator
// processes. Two runs with the same options must end with the same hash;
// any divergence (a map order leaking, a stray clock read) changes it.
type traceHash uint64

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func newTraceHash() traceHash { return fnvOffset }

func (h *traceHash) add(v uint64) {
	x := uint64(*h)
	for range 8 {
		x ^= v & 0xff
		x *= fnvPrime
		v >>= 8
	}
	*h = traceHash(x)
}

func (h *traceHash) add2(a, b uint64) {
	h.add(a)
	h.add(b)
}

func (h *traceHash) addString(s string) {
	x := uint64(*h)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= fnvPrime
	}
	*h = traceHash(x)
}
