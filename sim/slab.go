package sim

// slab parks values in flight (messages, disk operations) in reusable
// slots, so that events refer to them by index and stay free of pointers,
// which keeps the agenda cheap for the garbage collector.
type slab[T any] struct {
	items []T
	free  []int32
}

// hold parks v and returns its slot.
func (s *slab[T]) hold(v T) int32 {
	if n := len(s.free); n > 0 {
		slot := s.free[n-1]
		s.free = s.free[:n-1]
		s.items[slot] = v
		return slot
	}
	s.items = append(s.items, v)
	return int32(len(s.items) - 1)
}

// take removes the value in slot and frees the slot.
func (s *slab[T]) take(slot int32) T {
	v := s.items[slot]
	var zero T
	s.items[slot] = zero
	s.free = append(s.free, slot)
	return v
}
