package checker

import (
	"cmp"
	"slices"
	"sort"
)

// index groups a history by key once, in sorted orders, so that every check
// is a sweep plus binary searches: O(n log n) overall. It holds positions in
// the history slice, not op IDs, so that malformed IDs cannot confuse it.
type index struct {
	h        History
	keys     []Key // every key written or read by a Get, sorted
	logs     map[Key]*keyLog
	puts     map[string][]int    // every Put by value (on any key), in history order
	sortKeys map[string][]string // partition -> sorted sort keys with an acknowledged write
	ranges   []int               // acknowledged Ranges, by Call
}

// keyLog is the per-key part of the index.
type keyLog struct {
	writes  []int // acknowledged Puts and Deletes, by Call
	gets    []int // acknowledged Gets, by Call
	deletes []int // Deletes that did not fail, by Call
	floors  floorSweep
}

func newIndex(h History) *index {
	ix := &index{
		h:        h,
		logs:     make(map[Key]*keyLog),
		puts:     make(map[string][]int, len(h)/2),
		sortKeys: make(map[string][]string),
	}
	for i, op := range h {
		switch op.Kind {
		case Put, Delete:
			log := ix.log(op.Key)
			if op.Kind == Put {
				ix.puts[op.Value] = append(ix.puts[op.Value], i)
			} else if op.Outcome != Failed {
				log.deletes = append(log.deletes, i)
			}
			if op.Outcome == OK {
				log.writes = append(log.writes, i)
			}
		case Get:
			if op.Outcome == OK {
				log := ix.log(op.Key)
				log.gets = append(log.gets, i)
			}
		case Range:
			if op.Outcome == OK {
				ix.ranges = append(ix.ranges, i)
			}
		}
	}
	for key := range ix.logs {
		ix.keys = append(ix.keys, key)
	}
	slices.SortFunc(ix.keys, Key.compare)
	for _, key := range ix.keys {
		log := ix.logs[key]
		ix.sortByCall(log.writes)
		ix.sortByCall(log.gets)
		ix.sortByCall(log.deletes)
		log.floors = newFloorSweep(h, log.writes)
		if len(log.writes) > 0 {
			ix.sortKeys[key.Partition] = append(ix.sortKeys[key.Partition], key.Sort)
		}
	}
	ix.sortByCall(ix.ranges)
	return ix
}

func (ix *index) log(key Key) *keyLog {
	log := ix.logs[key]
	if log == nil {
		log = &keyLog{}
		ix.logs[key] = log
	}
	return log
}

// sortByCall orders history positions by Call, then ID, so that violations
// come out in the order a reader of the history would meet them.
func (ix *index) sortByCall(positions []int) {
	slices.SortFunc(positions, func(a, b int) int {
		if c := cmp.Compare(ix.h[a].Call, ix.h[b].Call); c != 0 {
			return c
		}
		return cmp.Compare(ix.h[a].ID, ix.h[b].ID)
	})
}

// floorAt returns the history position of the acknowledged write of key with
// the largest stamp among those that returned before seq, or -1 if none did.
func (ix *index) floorAt(key Key, seq int64) int {
	log := ix.logs[key]
	if log == nil {
		return -1
	}
	return log.floors.before(seq)
}

// floorSweep answers "largest stamp acknowledged before seq" for one key:
// acknowledged writes sorted by Return with a running maximum of the stamp,
// searched by binary search.
type floorSweep struct {
	returns []int64 // Return of each acknowledged write, ascending
	maxUpTo []int   // maxUpTo[i]: position of the largest stamp among the first i+1
}

func newFloorSweep(h History, writes []int) floorSweep {
	byReturn := slices.Clone(writes)
	slices.SortFunc(byReturn, func(a, b int) int {
		if c := cmp.Compare(h[a].Return, h[b].Return); c != 0 {
			return c
		}
		return cmp.Compare(h[a].ID, h[b].ID)
	})
	sweep := floorSweep{
		returns: make([]int64, len(byReturn)),
		maxUpTo: make([]int, len(byReturn)),
	}
	best := -1
	for i, w := range byReturn {
		if best < 0 || h[w].Stamp > h[best].Stamp {
			best = w
		}
		sweep.returns[i] = h[w].Return
		sweep.maxUpTo[i] = best
	}
	return sweep
}

func (s floorSweep) before(seq int64) int {
	n := sort.Search(len(s.returns), func(i int) bool { return s.returns[i] >= seq })
	if n == 0 {
		return -1
	}
	return s.maxUpTo[n-1]
}
