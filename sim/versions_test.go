package sim

import (
	"testing"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node/object"
)

// versionedOpts is the versioned workload the tests below run: most
// operations on objects, a third of them on versions by id.
func versionedOpts() Options {
	return Options{ObjectShare: 60, Versioned: true}
}

// versionSeeds is how many seeds the versioned tests run with faults.
func versionSeeds(t *testing.T) int {
	if testing.Short() {
		return 12
	}
	return 40
}

// TestVersionedSeedsWithFaults: a versioned bucket under the random
// faults (partitions, cuts, crashes, skew, disk faults; layout changes on
// a third of the seeds) satisfies every property, the version ones
// included, and the version operations do strike: versions are deleted
// by id, read by id and listed.
func TestVersionedSeedsWithFaults(t *testing.T) {
	n := versionSeeds(t)
	layout := versionedOpts()
	layout.LayoutChanges = true
	results := append(runSeeds(t, n-n/3, versionedOpts()), runSeeds(t, n/3, layout)...)
	var deleted, read, listings, listed, skews, layoutChanges int
	for _, r := range results {
		if !r.Ok() {
			t.Errorf("seed %d failed; replay with: garage sim run --seed %d --objects 60 --versioned%s\n%s", r.Options.Seed, r.Options.Seed,
				map[bool]string{true: " --layout-changes"}[r.Options.LayoutChanges], r.Summary())
		}
		deleted += r.Stats.VersionsDeleted
		read += r.Stats.VersionReadsFound
		listings += r.Stats.VersionListings
		skews += r.Stats.Faults[Skew]
		layoutChanges += r.Stats.LayoutApplied
		for _, op := range r.History {
			listed += len(op.Versions)
		}
	}
	t.Logf("%d seeds: %d versions deleted by id, %d read by id, %d listings of %d versions; %d skews, %d layout changes",
		len(results), deleted, read, listings, listed, skews, layoutChanges)
	if deleted < 5*n || read < 5*n || listings < 20*n || listed < 5*listings || skews < n || layoutChanges < n/3 {
		t.Errorf("the versioned workload did not strike enough")
	}
}

// TestVersionChecksCatchPlantedBugs proves the version properties can
// fail: each bug planted in the core's version operations is caught, on
// the property it breaks, on most of the seeds that pass above.
func TestVersionChecksCatchPlantedBugs(t *testing.T) {
	n := max(versionSeeds(t)/4, 6)
	for _, tc := range []struct {
		name       string
		bugs       object.Bugs
		properties []checker.Property // at least one of them must be violated
		shown      checker.Property   // and this one on some seed
	}{
		// A read by id gets the current version's bytes.
		{"get-version-returns-current", object.Bugs{GetVersionReturnsCurrent: true}, []checker.Property{checker.VersionRead}, checker.VersionRead},
		// A deletion by id removes another version: the one named is still
		// listed, read by id, or current — a plain get returns it after its
		// deletion (the current-version rule, read-after-write's, shown on
		// its no-resurrection side).
		{"delete-version-wrong-version", object.Bugs{DeleteVersionWrongVersion: true},
			[]checker.Property{checker.VersionsListed, checker.VersionRead, checker.Resurrection}, checker.Resurrection},
		// The current version of a key with several is not listed.
		{"list-versions-skips-first", object.Bugs{ListVersionsSkipsFirst: true}, []checker.Property{checker.VersionsListed}, checker.VersionsListed},
		// A deletion by id removes a version under an object lock.
		{"delete-version-ignores-lock", object.Bugs{DeleteVersionIgnoresLock: true}, []checker.Property{checker.LockedKept}, checker.LockedKept},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := versionedOpts()
			o.ObjectBugs = tc.bugs
			caught := 0
			counts := map[checker.Property]int{}
			for _, r := range runSeeds(t, n, o) {
				hit := false
				for _, p := range tc.properties {
					counts[p] += r.Report.Count(p)
					hit = hit || r.Report.Count(p) > 0
				}
				if hit {
					caught++
				}
			}
			t.Logf("%s: caught on %d of %d seeds (%v)", tc.name, caught, n, counts)
			if caught < n*3/4 {
				t.Errorf("%s: caught on only %d of %d seeds", tc.name, caught, n)
			}
			if counts[tc.shown] == 0 {
				t.Errorf("%s: no %s violation on any seed", tc.name, tc.shown)
			}
		})
	}
}
