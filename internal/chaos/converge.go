package chaos

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/garagego/garage/checker"
	"github.com/garagego/garage/node/admin"
)

// convergence is how the replicas came to agree after healing, or not.
type convergence struct {
	Took     time.Duration
	Repaired bool // a `repair tables` pass was needed
	// Unrepaired lists the groups still apart when the repair pass
	// started.
	Unrepaired []string
	// Violations are the checker's, for the partitions whose replicas
	// still disagreed at the deadline.
	Violations []checker.Violation
	Err        error
}

// converge waits until every holder of every table partition reports the
// same Merkle root (the same items), all on one layout version. Half the
// time it leaves anti-entropy to itself (connections coming back sync the
// tables at once); then it runs `repair tables` on every node, as an
// operator would after an incident, and waits for the rest. At the
// deadline, the partitions still apart are read item by item and judged
// by checker.CheckConvergence.
func (e *env) converge(ctx context.Context, timeout time.Duration) convergence {
	start := time.Now()
	var c convergence
	var groups map[string]map[int]string
	for {
		var err error
		groups, err = e.digests()
		if err == nil && len(diverging(groups)) == 0 {
			c.Took = time.Since(start)
			return c
		}
		elapsed := time.Since(start)
		if elapsed > timeout {
			break
		}
		if !c.Repaired && elapsed > timeout/2 {
			c.Repaired, c.Unrepaired = true, diverging(groups)
			for i := range e.plan.Nodes {
				e.node(i).Call(admin.RepairTables{}, nil) //nolint:errcheck // a node that does not answer shows below
			}
		}
		select {
		case <-ctx.Done():
			c.Err = ctx.Err()
			return c
		case <-time.After(500 * time.Millisecond):
		}
	}
	c.Took = time.Since(start)
	if groups == nil {
		c.Err = fmt.Errorf("the nodes did not report their tables within %v", timeout)
		return c
	}
	var states []checker.ReplicaState
	for _, g := range diverging(groups) {
		var table string
		var partition int
		fmt.Sscanf(g, "%s partition %d", &table, &partition) //nolint:errcheck // our own format
		for node := range e.plan.Nodes {
			if _, holds := groups[g][node]; !holds {
				continue
			}
			var items []admin.TableItem
			if err := e.node(node).Call(admin.GetTableItems{Table: table, Partition: partition}, &items); err != nil {
				c.Err = fmt.Errorf("read %s from n%d: %w", g, node, err)
				return c
			}
			st := checker.ReplicaState{Group: g, Replica: name(node)}
			for _, it := range items {
				st.Items = append(st.Items, checker.Item{Key: checker.Key{Partition: it.Key}, Stamp: checker.Stamp(it.Hash)})
			}
			states = append(states, st)
		}
	}
	c.Violations = checker.CheckConvergence(states)
	if len(c.Violations) == 0 { // the last read raced the last repairs
		c.Violations = []checker.Violation{{Property: checker.Convergence,
			Message: fmt.Sprintf("replicas of %v still reported different roots after %v", diverging(groups), timeout)}}
	}
	return c
}

// digests reads every node's table digests: group ("table partition p")
// -> node -> root. It fails if a node does not answer or the nodes are not
// on one layout version.
func (e *env) digests() (map[string]map[int]string, error) {
	groups := map[string]map[int]string{}
	var version uint64
	for node := range e.plan.Nodes {
		var d admin.TableDigests
		if err := e.node(node).Call(admin.GetTableDigests{}, &d); err != nil {
			return nil, fmt.Errorf("n%d: %w", node, err)
		}
		if node > 0 && d.LayoutVersion != version {
			return nil, fmt.Errorf("n%d is on layout version %d, n0 on %d", node, d.LayoutVersion, version)
		}
		version = d.LayoutVersion
		for _, t := range d.Tables {
			for _, p := range t.Partitions {
				g := fmt.Sprintf("%s partition %d", t.Name, p.Partition)
				if groups[g] == nil {
					groups[g] = map[int]string{}
				}
				groups[g][node] = p.Root
			}
		}
	}
	return groups, nil
}

// diverging lists the groups whose holders disagree, sorted.
func diverging(groups map[string]map[int]string) []string {
	var out []string
	for g, roots := range groups {
		first := ""
		for _, r := range roots {
			if first == "" {
				first = r
			} else if r != first {
				out = append(out, g)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}
