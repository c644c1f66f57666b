package checker

import (
	"fmt"
)

// The version properties hold over a versioned store's history: its Puts
// and Deletes carry the id of the version they create (Op.Version), and
// DeleteVersion, Get by version id and ListVersions name versions by it.
// What is current (a plain Get, a Range) is read-after-write's and the
// listing's, extended to leave out versions deleted by id (see
// index.floor); these two are about the versions themselves.
//
// A third, LockedKept, is about object lock: a version written locked
// (Op.Locked, a retention that outlasts the history) is never removed,
// whatever deletions by id were called.

// CheckVersions checks VersionsListed, VersionRead and LockedKept.
func CheckVersions(h History) []Violation {
	return newIndex(h).checkVersions()
}

func (ix *index) checkVersions() []Violation {
	var out []Violation
	for _, key := range ix.keys {
		log := ix.logs[key]
		for _, l := range log.listVersions {
			out = ix.checkVersionListing(key, ix.h[l], out)
		}
		for _, g := range log.versionGets {
			out = ix.checkVersionRead(key, ix.h[g], out)
		}
		out = ix.checkLockedKept(key, out)
	}
	return out
}

// checkLockedKept checks that no DeleteVersion of a locked version of key
// reports it removed, and that every ListVersions called after a locked
// version was acknowledged lists it.
func (ix *index) checkLockedKept(key Key, out []Violation) []Violation {
	log := ix.logs[key]
	for _, d := range log.deleteVersions {
		del := ix.h[d]
		w, ok := ix.versions[versionRef{key, del.Version}]
		if !ok || !ix.h[w].Locked || del.Outcome != OK || !del.Found {
			continue
		}
		out = append(out, Violation{Property: LockedKept, Key: key, Ops: []int{del.ID, ix.h[w].ID},
			Message: fmt.Sprintf("%v removed version %s, which %s under an object lock", del, del.Version, describeVersionWrite(ix.h[w]))})
	}
	for _, l := range log.listVersions {
		list := ix.h[l]
		listed := make(map[string]bool, len(list.Versions))
		for _, e := range list.Versions {
			listed[e.Version] = true
		}
		for _, w := range log.writes {
			write := ix.h[w]
			if !write.Locked || listed[write.Version] || write.Return >= list.Call {
				continue
			}
			out = append(out, Violation{Property: LockedKept, Key: key, Ops: []int{list.ID, write.ID},
				Message: fmt.Sprintf("%v does not list version %s, which %s under an object lock, acknowledged at seq %d", list, write.Version, describeVersionWrite(write), write.Return)})
		}
	}
	return out
}

// describeVersionWrite names the write that created a version.
func describeVersionWrite(op Op) string {
	return fmt.Sprintf("%s (version %s)", describeWrite(op), op.Version)
}

// checkVersionListing checks one ListVersions of key:
//   - every version acknowledged before it was called is listed, unless a
//     DeleteVersion of it that did not fail was called before it returned;
//   - no version whose deletion by id was acknowledged before it was called
//     is listed;
//   - every listed version was created by a write of key that did not fail
//     and was called before the listing returned, with that write's stamp,
//     value and kind (data or marker);
//   - versions come newest first.
func (ix *index) checkVersionListing(key Key, l Op, out []Violation) []Violation {
	report := func(msg string, ids ...int) {
		out = append(out, Violation{Property: VersionsListed, Key: key, Ops: append([]int{l.ID}, ids...), Message: fmt.Sprintf("%v: %s", l, msg)})
	}
	listed := make(map[string]bool, len(l.Versions))
	for i, e := range l.Versions {
		listed[e.Version] = true
		if i > 0 && e.Stamp >= l.Versions[i-1].Stamp {
			report(fmt.Sprintf("version %s @%v is listed after %s @%v, which is not newer", e.Version, e.Stamp, l.Versions[i-1].Version, l.Versions[i-1].Stamp))
		}
		w, ok := ix.versions[versionRef{key, e.Version}]
		if !ok {
			report(fmt.Sprintf("lists version %s @%v, which no write of %v created", e.Version, e.Stamp, key))
			continue
		}
		write := ix.h[w]
		switch {
		case write.Outcome == Failed:
			report(fmt.Sprintf("lists version %s, but %s", e.Version, describeVersionWrite(write)), write.ID)
		case write.Call >= l.Return:
			report(fmt.Sprintf("lists version %s, but %v was called at seq %d, after the listing returned", e.Version, write, write.Call), write.ID)
		case write.Outcome == OK && write.Stamp != e.Stamp:
			report(fmt.Sprintf("lists version %s @%v, but %s", e.Version, e.Stamp, describeVersionWrite(write)), write.ID)
		case e.Marker != (write.Kind == Delete):
			report(fmt.Sprintf("lists version %s as marker %v, but %s", e.Version, e.Marker, describeVersionWrite(write)), write.ID)
		case !e.Marker && e.Value != write.Value:
			report(fmt.Sprintf("lists version %s = %q, but %s", e.Version, e.Value, describeVersionWrite(write)), write.ID)
		}
		if d, removed := ix.removedBefore(write, l.Call); removed {
			report(fmt.Sprintf("lists version %s, whose deletion by id (%v) was acknowledged at seq %d before the listing was called", e.Version, d, d.Return),
				write.ID, d.ID)
		}
	}
	for _, w := range ix.logs[key].writes {
		write := ix.h[w]
		if write.Version == "" || listed[write.Version] || write.Return >= l.Call || ix.mayBeRemoved(write, l.Return) {
			continue
		}
		report(fmt.Sprintf("does not list %s, acknowledged at seq %d before the listing was called, and no deletion of it by id was called before the listing returned",
			describeVersionWrite(write), write.Return), write.ID)
	}
	return out
}

// checkVersionRead checks one Get of key by version id: it returns exactly
// the bytes the version's write wrote (the sim's value, read back from the
// content), or the marker a Delete wrote; it finds nothing only if the
// version was not acknowledged before the Get was called or a deletion of
// it by id may have happened by the time it returned; and never finds a
// version whose deletion by id was acknowledged before it was called.
func (ix *index) checkVersionRead(key Key, g Op, out []Violation) []Violation {
	report := func(msg string, ids ...int) {
		out = append(out, Violation{Property: VersionRead, Key: key, Ops: append([]int{g.ID}, ids...), Message: fmt.Sprintf("%s: %s", describeVersionRead(g), msg)})
	}
	w, exists := ix.versions[versionRef{key, g.Version}]
	readSome := g.Found || g.Stamp != "" // a value or a marker
	if !exists {
		if readSome {
			report(fmt.Sprintf("but no write of %v created version %s", key, g.Version))
		}
		return out
	}
	write := ix.h[w]
	if !readSome {
		if write.Outcome == OK && write.Return < g.Call && !ix.mayBeRemoved(write, g.Return) {
			report(fmt.Sprintf("but %s was acknowledged at seq %d, before the get was called, and no deletion of it by id was called before the get returned",
				describeVersionWrite(write), write.Return), write.ID)
		}
		return out
	}
	switch {
	case write.Outcome == Failed:
		report("but "+describeVersionWrite(write), write.ID)
	case write.Call >= g.Return:
		report(fmt.Sprintf("but %v was called at seq %d, after the get returned", write, write.Call), write.ID)
	case write.Outcome == OK && write.Stamp != g.Stamp:
		report("but "+describeVersionWrite(write), write.ID)
	case g.Found != (write.Kind == Put):
		report("but "+describeVersionWrite(write), write.ID)
	case g.Found && g.Value != write.Value:
		report("but "+describeVersionWrite(write), write.ID)
	}
	if d, removed := ix.removedBefore(write, g.Call); removed {
		report(fmt.Sprintf("but its deletion by id (%v) was acknowledged at seq %d before the get was called", d, d.Return), write.ID, d.ID)
	}
	return out
}

// describeVersionRead names what a Get by version id returned.
func describeVersionRead(op Op) string {
	switch {
	case op.Found:
		return fmt.Sprintf("%v of version %s read %q @%v", op, op.Version, op.Value, op.Stamp)
	case op.Stamp != "":
		return fmt.Sprintf("%v of version %s read a delete marker @%v", op, op.Version, op.Stamp)
	}
	return fmt.Sprintf("%v of version %s found nothing", op, op.Version)
}
