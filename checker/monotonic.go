package checker

import (
	"cmp"
	"fmt"
	"slices"
)

// CheckMonotonicReads checks P4: once an acknowledged Get returned a
// stamp, every Get of the same key called after that return sees a stamp
// at least as large, whichever client makes it. Quorum reads of
// last-writer-wins registers do not guarantee it on their own: a read
// that met the one replica a write in flight reached returns the new
// value, and a later read from two other replicas the old one (the seed
// talk's anomaly). Repair-on-read restores it by writing a read's value
// back to a write quorum before answering. Check does not include P4; the
// simulator asks for it when repair-on-read is on.
func CheckMonotonicReads(h History) []Violation {
	return newIndex(h).monotonicReads()
}

func (ix *index) monotonicReads() []Violation {
	var out []Violation
	for _, key := range ix.keys {
		gets := ix.logs[key].gets // by Call
		if len(gets) < 2 {
			continue
		}
		// Reads by Return with a running maximum of their stamps: the
		// newest value seen by any read that ended before a given call.
		seen := slices.Clone(gets)
		slices.SortFunc(seen, func(a, b int) int {
			if c := cmp.Compare(ix.h[a].Return, ix.h[b].Return); c != 0 {
				return c
			}
			return cmp.Compare(ix.h[a].ID, ix.h[b].ID)
		})
		newest, next := -1, 0
		for _, g := range gets {
			get := ix.h[g]
			for next < len(seen) && ix.h[seen[next]].Return < get.Call {
				if newest < 0 || ix.h[seen[next]].Stamp > ix.h[newest].Stamp {
					newest = seen[next]
				}
				next++
			}
			if newest < 0 || get.Stamp >= ix.h[newest].Stamp {
				continue
			}
			if readCollected(get) && ix.mayHaveDeleted(key, ix.h[newest].Stamp, get.Return) {
				continue // the tombstone of a later delete, collected
			}
			if len(ix.logs[key].deleteVersions) > 0 {
				if w := ix.writeWithStamp(key, ix.h[newest].Stamp); w >= 0 && ix.mayBeRemoved(ix.h[w], get.Return) {
					continue // the newer version read was deleted by id since: an older one is current again
				}
			}
			earlier := ix.h[newest]
			out = append(out, Violation{
				Property: MonotonicReads,
				Key:      key,
				Ops:      []int{get.ID, earlier.ID},
				Message: fmt.Sprintf("%s, older than what %s read, which returned at seq %d before the get was called at seq %d",
					describeRead(get), describeRead(earlier), earlier.Return, get.Call),
			})
		}
	}
	return out
}
