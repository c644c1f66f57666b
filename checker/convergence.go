package checker

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Item is one key as a replica stores it: the stamp of the newest write it
// holds, tombstones included.
type Item struct {
	Key   Key
	Stamp Stamp
}

// ReplicaState is what one replica holds for one group of keys that must
// converge, typically one table partition.
type ReplicaState struct {
	Group   string // what must agree, e.g. "object/partition 17"
	Replica string // the node holding this copy
	Items   []Item // in any order; tombstones included unless every replica has collected them
}

// MaxDivergentKeysPerGroup bounds how many disagreeing keys CheckConvergence
// reports one by one for a group; the rest are counted in one violation.
const MaxDivergentKeysPerGroup = 5

// CheckConvergence checks P5, after healing and quiescence: every replica of
// a group holds exactly the same set of (key, stamp). It names, for the first
// few keys that differ, which replica holds which stamp.
func CheckConvergence(replicas []ReplicaState) []Violation {
	byGroup := make(map[string][]ReplicaState)
	for _, r := range replicas {
		byGroup[r.Group] = append(byGroup[r.Group], r)
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	var out []Violation
	for _, g := range groups {
		members := byGroup[g]
		slices.SortStableFunc(members, func(a, b ReplicaState) int { return cmp.Compare(a.Replica, b.Replica) })
		out = append(out, checkGroup(g, members)...)
	}
	return out
}

func checkGroup(group string, members []ReplicaState) []Violation {
	var out []Violation
	report := func(key Key, msg string) {
		out = append(out, Violation{Property: Convergence, Key: key, Message: fmt.Sprintf("group %s: %s", group, msg)})
	}
	held := make([]map[Key]Stamp, len(members))
	var keys []Key
	seen := make(map[Key]bool)
	for i, m := range members {
		if i > 0 && m.Replica == members[i-1].Replica {
			report(Key{}, fmt.Sprintf("replica %s appears more than once", m.Replica))
		}
		held[i] = make(map[Key]Stamp, len(m.Items))
		for _, it := range m.Items {
			if old, dup := held[i][it.Key]; dup && old != it.Stamp {
				report(it.Key, fmt.Sprintf("replica %s holds %v twice, @%v and @%v", m.Replica, it.Key, old, it.Stamp))
			}
			held[i][it.Key] = max(held[i][it.Key], it.Stamp)
			if !seen[it.Key] {
				seen[it.Key] = true
				keys = append(keys, it.Key)
			}
		}
	}
	slices.SortFunc(keys, Key.compare)
	divergent := 0
	for _, key := range keys {
		if agree(held, key) {
			continue
		}
		divergent++
		if divergent <= MaxDivergentKeysPerGroup {
			report(key, "replicas disagree on "+key.String()+": "+describeHolders(members, held, key))
		}
	}
	if extra := divergent - MaxDivergentKeysPerGroup; extra > 0 {
		report(Key{}, fmt.Sprintf("%d more keys differ (%d in all, first %d shown)", extra, divergent, MaxDivergentKeysPerGroup))
	}
	return out
}

func agree(held []map[Key]Stamp, key Key) bool {
	first, firstHas := held[0][key]
	for _, h := range held[1:] {
		stamp, has := h[key]
		if has != firstHas || stamp != first {
			return false
		}
	}
	return true
}

func describeHolders(members []ReplicaState, held []map[Key]Stamp, key Key) string {
	parts := make([]string, len(members))
	for i, m := range members {
		if stamp, has := held[i][key]; has {
			parts[i] = fmt.Sprintf("%s @%v", m.Replica, stamp)
		} else {
			parts[i] = m.Replica + " missing"
		}
	}
	return strings.Join(parts, ", ")
}
