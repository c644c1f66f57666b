package checker

import "fmt"

// CheckReadAfterWrite checks P1: every acknowledged Get returns a stamp at
// least as large as the stamp of every acknowledged write to the same key
// that returned before the Get was called. Writes of unknown outcome never
// oblige a read to see them; Gets that were not acknowledged returned
// nothing to check.
//
// This is a sweep: acknowledged writes sorted by Return with a running
// maximum of their stamps, searched by each Get's Call. PorcupineModel
// decides the same property; the two are cross-checked by tests.
func CheckReadAfterWrite(h History) []Violation {
	return newIndex(h).readAfterWrite()
}

func (ix *index) readAfterWrite() []Violation {
	var out []Violation
	for _, key := range ix.keys {
		log := ix.logs[key]
		for _, g := range log.gets {
			get := ix.h[g]
			w := log.floors.before(get.Call)
			if w < 0 || get.Stamp >= ix.h[w].Stamp {
				continue
			}
			write := ix.h[w]
			out = append(out, Violation{
				Property: ReadAfterWrite,
				Key:      key,
				Ops:      []int{get.ID, write.ID},
				Message: fmt.Sprintf("%s, older than %s, which was acknowledged at seq %d before the get was called at seq %d",
					describeRead(get), describeWrite(write), write.Return, get.Call),
			})
		}
	}
	return out
}
