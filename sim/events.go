package sim

type eventKind uint8

const (
	evDeliver eventKind = iota + 1
	evTick
	evPersisted
	evClientNext
	evClientDeadline
	evFault
	evIODone
	evOperatorRetry
	evOperatorDeadline
)

// event is one entry of the simulator's agenda. Events run in (at, seq)
// order; seq is the order they were scheduled in, so ties never depend on
// anything but the run itself. Events hold no pointers (messages wait in the
// simulator's slab, referred to by index), which keeps the heap cheap for
// the garbage collector.
type event struct {
	at     int64
	seq    uint64
	req    uint64
	kind   eventKind
	node   int32 // target node
	inc    int32 // the target's incarnation when scheduled: stale events are dropped
	from   int32
	client int32
	ref    int32 // message slot (evDeliver), I/O slot (evIODone) or fault index (evFault)
}

// agenda is a binary min-heap of events, kept by value to spare the
// allocator on the hot path.
type agenda []event

func (a agenda) less(i, j int) bool {
	if a[i].at != a[j].at {
		return a[i].at < a[j].at
	}
	return a[i].seq < a[j].seq
}

func (a *agenda) push(e event) {
	*a = append(*a, e)
	h := *a
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (a *agenda) pop() event {
	h := *a
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h[last] = event{}
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h.less(l, m) {
			m = l
		}
		if r < len(h) && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*a = h
	return top
}
