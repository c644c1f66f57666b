package checker

import (
	"fmt"
	"slices"
	"strings"
)

// CheckNoPhantom checks P2: whatever a read returned was actually written.
//
//   - A value returned by a Get, or as a Range entry, must have been written
//     to that key by a Put that did not fail and was called before the read
//     returned. If that Put was acknowledged, the stamps must match. If its
//     outcome is unknown, its stamp is unknown too, but a write has only one
//     stamp: every read of that value must report the same one.
//   - A tombstone returned by a Get (not found, non-empty stamp) must come
//     from a Delete of that key that did not fail and was called before the
//     Get returned, with the same stamp if the Delete was acknowledged. A
//     Delete of unknown outcome may explain any tombstone stamp.
//
// Reads of the initial state (not found, empty stamp) are never phantoms;
// whether they are stale is P1's business.
func CheckNoPhantom(h History) []Violation {
	return newIndex(h).noPhantom()
}

// observation is one (key, value, stamp) a read returned: the result of the
// Get at history position pos (entry -1), or entry number entry of the Range
// at pos.
type observation struct {
	pos   int
	entry int
}

func (ix *index) noPhantom() []Violation {
	listed := ix.listedByKey()
	keys := slices.Clone(ix.keys)
	for key := range listed {
		if ix.logs[key] == nil {
			keys = append(keys, key)
		}
	}
	slices.SortFunc(keys, Key.compare)
	var out []Violation
	// stampOfUnknown pins the stamp first seen for a Put of unknown outcome.
	stampOfUnknown := make(map[int]observation)
	for _, key := range keys {
		var gets []int
		if log := ix.logs[key]; log != nil {
			gets = log.gets
		}
		for _, obs := range ix.mergeByCall(gets, listed[key]) {
			if v, bad := ix.checkObservation(key, obs, stampOfUnknown); bad {
				out = append(out, v)
			}
		}
	}
	return out
}

func (ix *index) checkObservation(key Key, obs observation, stampOfUnknown map[int]observation) (Violation, bool) {
	value, found, stamp := ix.observed(obs)
	readReturn := ix.h[obs.pos].Return
	if !found {
		if stamp == "" {
			return Violation{}, false // the initial state: never a phantom
		}
		reason, related := ix.explainTombstone(key, stamp, readReturn)
		if reason == "" {
			return Violation{}, false
		}
		return ix.phantom(key, obs, reason, related), true
	}
	puts, reason, related := ix.explainValue(key, value, stamp, readReturn)
	if reason != "" {
		return ix.phantom(key, obs, reason, related), true
	}
	// puts are the candidates; an acknowledged one with this stamp comes
	// first and settles it. Otherwise each is of unknown outcome: one whose
	// stamp is not pinned yet, or pinned to this one, explains the read (a
	// value copied back to a key it was once put to has several).
	if ix.h[puts[0]].Outcome != Unknown {
		return Violation{}, false
	}
	var conflict int = -1
	for _, put := range puts {
		first, seen := stampOfUnknown[put]
		if !seen {
			stampOfUnknown[put] = obs
			return Violation{}, false
		}
		if _, _, firstStamp := ix.observed(first); firstStamp == stamp {
			return Violation{}, false
		}
		if conflict < 0 {
			conflict = put
		}
	}
	first := stampOfUnknown[conflict]
	_, _, firstStamp := ix.observed(first)
	reason = fmt.Sprintf("but %s was already read with stamp %v by %v",
		describeWrite(ix.h[conflict]), firstStamp, ix.h[first.pos])
	return ix.phantom(key, obs, reason, []int{ix.h[conflict].ID, ix.h[first.pos].ID}), true
}

// observed returns what obs saw.
func (ix *index) observed(obs observation) (value string, found bool, stamp Stamp) {
	op := ix.h[obs.pos]
	if obs.entry < 0 {
		return op.Value, op.Found, op.Stamp
	}
	e := op.Entries[obs.entry]
	return e.Value, true, e.Stamp
}

// listedByKey groups the entries of acknowledged Ranges by key, each group
// in (Call, ID, entry) order because ranges are visited by Call.
func (ix *index) listedByKey() map[Key][]observation {
	listed := make(map[Key][]observation)
	for _, r := range ix.ranges {
		rng := ix.h[r]
		for i, e := range rng.Entries {
			if e.Value == "" {
				continue // a tombstone listed as live: the listing check reports it
			}
			key := Key{rng.Key.Partition, e.Sort}
			listed[key] = append(listed[key], observation{r, i})
		}
	}
	return listed
}

// mergeByCall merges a key's Gets and Range entries, both already in
// (Call, ID) order, into one list in that order.
func (ix *index) mergeByCall(gets []int, listed []observation) []observation {
	merged := make([]observation, 0, len(gets)+len(listed))
	for len(gets) > 0 || len(listed) > 0 {
		if len(listed) == 0 || (len(gets) > 0 && ix.before(gets[0], listed[0].pos)) {
			merged = append(merged, observation{gets[0], -1})
			gets = gets[1:]
		} else {
			merged = append(merged, listed[0])
			listed = listed[1:]
		}
	}
	return merged
}

// before orders history positions by (Call, ID).
func (ix *index) before(a, b int) bool {
	if ix.h[a].Call != ix.h[b].Call {
		return ix.h[a].Call < ix.h[b].Call
	}
	return ix.h[a].ID < ix.h[b].ID
}

// explainValue finds the Puts that may justify reading value@stamp from
// key in an op that returned at seq readReturn: an acknowledged one with
// that stamp (alone), else every one of unknown outcome that could have.
// When none can, it returns why, and the IDs of the Puts it considered.
func (ix *index) explainValue(key Key, value string, stamp Stamp, readReturn int64) ([]int, string, []int) {
	candidates := ix.puts[value]
	if len(candidates) == 0 {
		return nil, fmt.Sprintf("but no put ever wrote %q", value), nil
	}
	var reasons []string
	var related, unknown []int
	for _, p := range candidates {
		put := ix.h[p]
		switch {
		case put.Key != key:
			reasons = append(reasons, fmt.Sprintf("%v wrote it to %v", put, put.Key))
		case put.Outcome == Failed:
			reasons = append(reasons, fmt.Sprintf("%v failed", put))
		case put.Call >= readReturn:
			reasons = append(reasons, fmt.Sprintf("%v was called at seq %d, after the read returned at seq %d", put, put.Call, readReturn))
		case put.Outcome == OK && put.Stamp != stamp:
			reasons = append(reasons, fmt.Sprintf("%v was given stamp %v", put, put.Stamp))
		case put.Outcome == OK:
			return []int{p}, "", nil
		default:
			unknown = append(unknown, p)
			continue
		}
		related = append(related, put.ID)
	}
	if len(unknown) > 0 {
		return unknown, "", nil
	}
	return nil, "but " + strings.Join(reasons, "; "), related
}

// explainTombstone reports why no Delete justifies reading a tombstone with
// stamp from key in an op that returned at seq readReturn, or "" if one does.
func (ix *index) explainTombstone(key Key, stamp Stamp, readReturn int64) (string, []int) {
	var started []int
	if log := ix.logs[key]; log != nil {
		for _, d := range log.deletes {
			del := ix.h[d]
			if del.Call >= readReturn {
				break // deletes are sorted by Call
			}
			if del.Outcome == Unknown || del.Stamp == stamp {
				return "", nil
			}
			started = append(started, del.ID)
		}
	}
	if len(started) == 0 {
		return fmt.Sprintf("but no delete of %v that did not fail was called before the read returned at seq %d", key, readReturn), nil
	}
	return fmt.Sprintf("but none of the %d acknowledged deletes of %v called before the read returned at seq %d has that stamp",
		len(started), key, readReturn), started
}

func (ix *index) phantom(key Key, obs observation, reason string, related []int) Violation {
	read := ix.h[obs.pos]
	what := describeRead(read)
	if obs.entry >= 0 {
		e := read.Entries[obs.entry]
		what = fmt.Sprintf("%v listed %v = %q @%v", read, key, e.Value, e.Stamp)
	}
	return Violation{
		Property: NoPhantom,
		Key:      key,
		Ops:      append([]int{read.ID}, related...),
		Message:  what + ", " + reason,
	}
}
