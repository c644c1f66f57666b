package object

import "github.com/garagego/garage/node/model"

// Bugs are deliberate faults in the versioned object operations, planted
// by the simulator (sim.Options.ObjectBugs) to prove that its version
// checks fail when the core gets versions wrong. Nothing else sets them.
type Bugs struct {
	// GetVersionReturnsCurrent makes a Get by version id read the current
	// version instead of the one named.
	GetVersionReturnsCurrent bool
	// DeleteVersionWrongVersion makes DeleteVersion abort the newest other
	// listed version of the key (when there is one) instead of the one
	// named, and still report the named one as deleted.
	DeleteVersionWrongVersion bool
	// ListVersionsSkipsFirst makes ListVersions leave out the newest
	// version of every key that has more than one.
	ListVersionsSkipsFirst bool
	// DeleteVersionIgnoresLock makes DeleteVersion delete a version whatever
	// its object lock says.
	DeleteVersionIgnoresLock bool
	// LocalBlockListUnchecked makes a get serve this node's copy of a
	// version's block list whenever it has one, without checking it holds
	// every block of the object.
	LocalBlockListUnchecked bool
}

// PlantBugs sets the planted bugs (the simulator's hook; see Bugs).
func (s *Service) PlantBugs(b Bugs) { s.bugs = b }

// plantedWrongVersion is the version DeleteVersionWrongVersion aborts in
// place of v: the newest other listed one, else v itself.
func plantedWrongVersion(o model.Object, v model.ObjectVersion) model.ObjectVersion {
	for _, other := range o.Listed() {
		if other.ID != v.ID {
			return other
		}
	}
	return v
}
