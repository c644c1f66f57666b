package checker

import "fmt"

// CheckWriteOrder checks P3: when an acknowledged write W1 returned before
// another acknowledged write W2 to the same key was called, W2's stamp is
// larger than W1's. Stamps taken from skewed clocks without reading the
// current version first break this, and then a newer write silently loses.
func CheckWriteOrder(h History) []Violation {
	return newIndex(h).writeOrder()
}

func (ix *index) writeOrder() []Violation {
	var out []Violation
	for _, key := range ix.keys {
		log := ix.logs[key]
		for _, w := range log.writes {
			later := ix.h[w]
			e := log.floors.before(later.Call)
			if e < 0 || later.Stamp > ix.h[e].Stamp {
				continue
			}
			earlier := ix.h[e]
			out = append(out, Violation{
				Property: WriteOrder,
				Key:      key,
				Ops:      []int{later.ID, earlier.ID},
				Message: fmt.Sprintf("%s does not have a larger stamp than %s, which was acknowledged at seq %d before it was called at seq %d",
					describeWrite(later), describeWrite(earlier), earlier.Return, later.Call),
			})
		}
	}
	return out
}
