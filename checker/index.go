package checker

import (
	"cmp"
	"math"
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
	// versions holds, by key and version id, the write (Put or Delete,
	// whatever its outcome) that created the version; removals, what is
	// known of the version's deletions by id.
	versions map[versionRef]int
	removals map[versionRef]removal
}

// versionRef names one version of one key.
type versionRef struct {
	key     Key
	version string
}

// removal summarizes the DeleteVersions of one version that did not fail:
// the first call of any (from then on the version may be gone) and the
// acknowledged ones, by Return. An acknowledged one removed the version
// if it says it found it (Op.Found), or if the version's write was
// acknowledged before it was called (it had to find it): one that found
// nothing while the write was in flight did nothing, as in S3.
type removal struct {
	called int64
	oks    []int
}

// keyLog is the per-key part of the index.
type keyLog struct {
	writes  []int // acknowledged Puts and Deletes, by Call
	gets    []int // acknowledged Gets, by Call
	deletes []int // Deletes that did not fail, by Call
	floors  floorSweep
	// versionGets are the acknowledged Gets of one version by id (not in
	// gets), deleteVersions the DeleteVersions that did not fail, and
	// listVersions the acknowledged ListVersions, each by Call.
	versionGets, deleteVersions, listVersions []int
}

func newIndex(h History) *index {
	ix := &index{
		h:        h,
		logs:     make(map[Key]*keyLog),
		puts:     make(map[string][]int, len(h)/2),
		sortKeys: make(map[string][]string),
		versions: make(map[versionRef]int),
		removals: make(map[versionRef]removal),
	}
	for i, op := range h {
		switch op.Kind {
		case Put, Delete:
			log := ix.log(op.Key)
			if ref := (versionRef{op.Key, op.Version}); op.Version != "" {
				if _, dup := ix.versions[ref]; !dup {
					ix.versions[ref] = i
				}
			}
			if op.Kind == Put {
				ix.puts[op.Value] = append(ix.puts[op.Value], i)
			} else if op.Outcome != Failed {
				log.deletes = append(log.deletes, i)
			}
			if op.Outcome == OK {
				log.writes = append(log.writes, i)
			}
		case Get:
			switch {
			case op.Outcome != OK:
			case op.Version != "":
				log := ix.log(op.Key)
				log.versionGets = append(log.versionGets, i)
			default:
				log := ix.log(op.Key)
				log.gets = append(log.gets, i)
			}
		case DeleteVersion:
			if op.Outcome != Failed {
				log := ix.log(op.Key)
				log.deleteVersions = append(log.deleteVersions, i)
				ix.noteRemoval(i)
			}
		case ListVersions:
			if op.Outcome == OK {
				log := ix.log(op.Key)
				log.listVersions = append(log.listVersions, i)
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
		ix.sortByCall(log.versionGets)
		ix.sortByCall(log.deleteVersions)
		ix.sortByCall(log.listVersions)
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

// floor returns the history position of the write a read of key called at
// call and returning at ret must see at least: the acknowledged write with
// the largest stamp among those that returned before call, leaving out the
// versions a DeleteVersion called before ret may have removed (S3's rule:
// deleting the current version by id makes the previous one current). It
// is -1 if there is none. Keys no version was deleted of take the sweep.
func (ix *index) floor(key Key, call, ret int64) int {
	log := ix.logs[key]
	if log == nil {
		return -1
	}
	if len(log.deleteVersions) == 0 {
		return log.floors.before(call)
	}
	best := -1
	for _, w := range log.writes {
		op := ix.h[w]
		if op.Return >= call || ix.mayBeRemoved(op, ret) {
			continue
		}
		if best < 0 || op.Stamp > ix.h[best].Stamp {
			best = w
		}
	}
	return best
}

// noteRemoval records the DeleteVersion at position i in removals.
func (ix *index) noteRemoval(i int) {
	op := ix.h[i]
	ref := versionRef{op.Key, op.Version}
	r, seen := ix.removals[ref]
	if !seen {
		r.called = math.MaxInt64
	}
	r.called = min(r.called, op.Call)
	if op.Outcome == OK {
		r.oks = append(r.oks, i)
	}
	ix.removals[ref] = r
}

// mayBeRemoved reports whether a DeleteVersion of write's version that did
// not fail was called before seq.
func (ix *index) mayBeRemoved(write Op, seq int64) bool {
	r, ok := ix.removals[versionRef{write.Key, write.Version}]
	return ok && write.Version != "" && r.called < seq
}

// removedBefore returns the first DeleteVersion acknowledged before seq
// that removed write's version (see removal), if any.
func (ix *index) removedBefore(write Op, seq int64) (deletion Op, removed bool) {
	if write.Version == "" {
		return Op{}, false
	}
	for _, d := range ix.removals[versionRef{write.Key, write.Version}].oks {
		del := ix.h[d]
		if del.Return < seq && (del.Found || write.Outcome == OK && write.Return < del.Call) && (!removed || del.Return < deletion.Return) {
			deletion, removed = del, true
		}
	}
	return deletion, removed
}

// writeWithStamp returns the position of the acknowledged write of key
// stamped stamp, or -1.
func (ix *index) writeWithStamp(key Key, stamp Stamp) int {
	if log := ix.logs[key]; log != nil && stamp != "" {
		for _, w := range log.writes {
			if ix.h[w].Stamp == stamp {
				return w
			}
		}
	}
	return -1
}

// readRemoved reports, for a read of key called at call that returned the
// version stamped stamp, the write of that version if its deletion by id
// was acknowledged before the read was called: the version came back.
func (ix *index) readRemoved(key Key, stamp Stamp, call int64) (write int, deletion Op, removed bool) {
	if log := ix.logs[key]; log == nil || len(log.deleteVersions) == 0 {
		return -1, Op{}, false
	}
	if write = ix.writeWithStamp(key, stamp); write < 0 {
		return -1, Op{}, false
	}
	deletion, removed = ix.removedBefore(ix.h[write], call)
	return write, deletion, removed
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
