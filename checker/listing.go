package checker

import (
	"fmt"
	"sort"
)

// CheckListing checks every acknowledged Range over partition P that covers
// sort keys [Start, C), where C is Next when the result was cut short and End
// otherwise (unbounded when ""):
//
//   - complete: every key of P in [Start, C) whose largest-stamp write
//     acknowledged before the Range was called is a Put is listed, unless a
//     Delete of that key that did not fail was called before the Range
//     returned and is not known to have a smaller stamp than that Put;
//   - not stale: no entry has a smaller stamp than the largest-stamp write of
//     its key acknowledged before the Range was called;
//   - well-shaped: entries are strictly sorted by sort key, lie in
//     [Start, C), are live (non-empty value and stamp), number at most Limit
//     when Limit > 0, and a cut result says where it stopped (Next, not past
//     End).
//
// That every entry was really written is P2 and is reported by
// CheckNoPhantom.
func CheckListing(h History) []Violation {
	return newIndex(h).listing()
}

func (ix *index) listing() []Violation {
	var out []Violation
	for _, r := range ix.ranges {
		out = ix.checkRange(ix.h[r], out)
	}
	return out
}

// coveredEnd is the exclusive upper bound of the sort keys a Range vouches
// for; bounded is false for "to the end of the partition". known is false
// when the Range does not say where it stopped.
func coveredEnd(rng Op) (end string, bounded, known bool) {
	if !rng.More {
		return rng.End, rng.End != "", true
	}
	if rng.Next == "" {
		return "", false, false
	}
	if rng.End != "" && rng.Next > rng.End {
		return rng.End, true, true
	}
	return rng.Next, true, true
}

func (ix *index) checkRange(rng Op, out []Violation) []Violation {
	partition := rng.Key.Partition
	report := func(sortKey string, msg string, ids ...int) {
		out = append(out, Violation{
			Property: Listing,
			Key:      Key{partition, sortKey},
			Ops:      append([]int{rng.ID}, ids...),
			Message:  fmt.Sprintf("%v over %s: %s", rng, describeBounds(rng), msg),
		})
	}

	end, bounded, known := coveredEnd(rng)
	switch {
	case !known:
		report("", "result cut short but no next key given")
	case rng.More && rng.End != "" && rng.Next > rng.End:
		report("", fmt.Sprintf("next key %q lies past the requested end", rng.Next))
	}
	if rng.Limit > 0 && len(rng.Entries) > rng.Limit {
		report("", fmt.Sprintf("returned %d entries, more than the limit", len(rng.Entries)))
	}

	listed := make(map[string]bool, len(rng.Entries))
	for i, e := range rng.Entries {
		listed[e.Sort] = true
		if i > 0 && e.Sort <= rng.Entries[i-1].Sort {
			report(e.Sort, fmt.Sprintf("entry %d (%q) is not after entry %d (%q)", i, e.Sort, i-1, rng.Entries[i-1].Sort))
		}
		if e.Sort < rng.Start || (bounded && e.Sort >= end) {
			report(e.Sort, fmt.Sprintf("entry %q lies outside the covered interval %s", e.Sort, interval(rng.Start, end, bounded)))
		}
		if e.Value == "" || e.Stamp == "" {
			report(e.Sort, fmt.Sprintf("entry %q is not live: value %q @%v", e.Sort, e.Value, e.Stamp))
		}
		key := Key{partition, e.Sort}
		if w, d, removed := ix.readRemoved(key, e.Stamp, rng.Call); removed {
			report(e.Sort, fmt.Sprintf("listed %v = %q @%v, a version whose deletion by id (%v) was acknowledged at seq %d before the range was called",
				key, e.Value, e.Stamp, d, d.Return), ix.h[w].ID, d.ID)
		}
		if w := ix.floor(key, rng.Call, rng.Return); w >= 0 && e.Stamp < ix.h[w].Stamp {
			write := ix.h[w]
			report(e.Sort, fmt.Sprintf("listed %v = %q @%v, older than %s, which was acknowledged at seq %d before the range was called",
				key, e.Value, e.Stamp, describeWrite(write), write.Return), write.ID)
		}
	}

	if !known {
		return out
	}
	sortKeys := ix.sortKeys[partition]
	for _, s := range sortKeys[sort.SearchStrings(sortKeys, rng.Start):] {
		if bounded && s >= end {
			break
		}
		if listed[s] {
			continue // a stale entry was reported above
		}
		key := Key{partition, s}
		w := ix.floor(key, rng.Call, rng.Return)
		if w < 0 || ix.h[w].Kind != Put {
			continue
		}
		write := ix.h[w]
		if ix.mayHaveDeleted(key, write.Stamp, rng.Return) {
			continue
		}
		report(s, fmt.Sprintf("did not list %v, whose latest write acknowledged before the range was called is %s (returned at seq %d), and no delete that could supersede it was called before the range returned",
			key, describeWrite(write), write.Return), write.ID)
	}
	return out
}

// mayHaveDeleted reports whether some Delete of key that did not fail was
// called before seq and is not known to have a stamp smaller than floor.
func (ix *index) mayHaveDeleted(key Key, floor Stamp, seq int64) bool {
	for _, d := range ix.logs[key].deletes {
		del := ix.h[d]
		if del.Call >= seq {
			return false // deletes are sorted by Call
		}
		if del.Outcome != OK || del.Stamp >= floor {
			return true
		}
	}
	return false
}

// describeBounds renders what a Range asked for.
func describeBounds(rng Op) string {
	s := interval(rng.Start, rng.End, rng.End != "")
	if rng.Limit > 0 {
		s += fmt.Sprintf(" limit %d", rng.Limit)
	}
	return s
}

func interval(start, end string, bounded bool) string {
	if !bounded {
		return fmt.Sprintf("[%q, end of partition)", start)
	}
	return fmt.Sprintf("[%q, %q)", start, end)
}
