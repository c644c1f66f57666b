package checker

import "fmt"

// CheckReadAfterWrite checks P1: every acknowledged Get returns a stamp at
// least as large as the stamp of every acknowledged write to the same key
// that returned before the Get was called. Writes of unknown outcome never
// oblige a read to see them; Gets that were not acknowledged returned
// nothing to check.
//
// A Get that found nothing and no stamp (no tombstone either) may come
// after the tombstone was collected: it is correct if a Delete that did
// not fail, called before the Get returned, may have the newest stamp
// (acknowledged with a stamp at least the floor, or of unknown outcome).
// A Get that returned a value older than an acknowledged Delete is
// reported as no-resurrection: the deleted value came back.
//
// This is a sweep: acknowledged writes sorted by Return with a running
// maximum of their stamps, searched by each Get's Call. PorcupineModel
// decides the same property; the two are cross-checked by tests.
func CheckReadAfterWrite(h History) []Violation {
	return newIndex(h).readAfterWrite()
}

// readCollected reports whether a Get found neither a value nor a
// tombstone: the key was never written, or its tombstone was collected.
func readCollected(get Op) bool { return !get.Found && get.Stamp == "" }

func (ix *index) readAfterWrite() []Violation {
	var out []Violation
	for _, key := range ix.keys {
		log := ix.logs[key]
		for _, g := range log.gets {
			get := ix.h[g]
			if w, d, removed := ix.readRemoved(key, get.Stamp, get.Call); removed {
				out = append(out, Violation{
					Property: Resurrection,
					Key:      key,
					Ops:      []int{get.ID, ix.h[w].ID, d.ID},
					Message: fmt.Sprintf("%s, the version %s wrote, whose deletion by id (%v) was acknowledged at seq %d before the get was called at seq %d",
						describeRead(get), ix.h[w], d, d.Return, get.Call),
				})
				continue
			}
			w := ix.floor(key, get.Call, get.Return)
			if w < 0 || get.Stamp >= ix.h[w].Stamp {
				continue
			}
			write := ix.h[w]
			if readCollected(get) && ix.mayHaveDeleted(key, write.Stamp, get.Return) {
				continue
			}
			property := ReadAfterWrite
			if write.Kind == Delete && get.Found {
				property = Resurrection
			}
			out = append(out, Violation{
				Property: property,
				Key:      key,
				Ops:      []int{get.ID, write.ID},
				Message: fmt.Sprintf("%s, older than %s, which was acknowledged at seq %d before the get was called at seq %d",
					describeRead(get), describeWrite(write), write.Return, get.Call),
			})
		}
	}
	return out
}
