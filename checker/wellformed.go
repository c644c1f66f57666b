package checker

import "fmt"

// CheckWellFormed reports recording mistakes that would make the other checks
// meaningless: duplicate IDs, empty intervals, unknown kinds or outcomes,
// acknowledged writes without a stamp, Put values that are empty (the
// tombstone) or not unique, and Get results that contradict themselves.
func CheckWellFormed(h History) []Violation {
	var out []Violation
	report := func(op Op, msg string, others ...int) {
		out = append(out, Violation{
			Property: WellFormed,
			Key:      keyOf(op),
			Ops:      append([]int{op.ID}, others...),
			Message:  fmt.Sprintf("%v: %s", op, msg),
		})
	}
	firstByID := make(map[int]int, len(h))
	firstByValue := make(map[string]int, len(h)/2)
	firstByVersion := make(map[string]int)
	for i, op := range h {
		if first, seen := firstByID[op.ID]; seen {
			report(op, fmt.Sprintf("ID already used by %v", h[first]), h[first].ID)
		} else {
			firstByID[op.ID] = i
		}
		if op.Client < 0 {
			report(op, "negative client id")
		}
		if op.Call >= op.Return {
			report(op, "call is not before return")
		}
		if op.Outcome < OK || op.Outcome > Failed {
			report(op, fmt.Sprintf("invalid %v", op.Outcome))
		}
		switch op.Kind {
		case Put:
			if op.Value == "" {
				report(op, `writes the empty value, which is reserved for tombstones`)
			} else if op.Copy {
				// a copy writes a value again, by definition
			} else if first, seen := firstByValue[op.Value]; seen && !h[first].Copy {
				report(op, fmt.Sprintf("value %q already written by %v; values must be unique", op.Value, h[first]), h[first].ID)
			} else {
				firstByValue[op.Value] = i
			}
			fallthrough
		case Delete:
			if op.Outcome == OK && op.Stamp == "" {
				report(op, "acknowledged without a stamp")
			}
			if first, seen := firstByVersion[op.Version]; seen && op.Version != "" {
				report(op, fmt.Sprintf("version %s already created by %v; version ids must be unique", op.Version, h[first]), h[first].ID)
			} else if op.Version != "" {
				firstByVersion[op.Version] = i
			}
		case Get:
			if op.Outcome != OK {
				break
			}
			switch {
			case op.Found && op.Value == "":
				report(op, "found the empty value, which is reserved for tombstones")
			case op.Found && op.Stamp == "":
				report(op, "found a value without a stamp")
			case !op.Found && op.Value != "":
				report(op, fmt.Sprintf("not found but returned value %q", op.Value))
			}
		case Range:
			if op.Limit < 0 {
				report(op, fmt.Sprintf("negative limit %d", op.Limit))
			}
		case DeleteVersion:
			if op.Version == "" {
				report(op, "names no version")
			}
		case ListVersions:
			for i, e := range op.Versions {
				switch {
				case e.Version == "" || e.Stamp == "":
					report(op, fmt.Sprintf("lists a version without an id or a stamp (entry %d)", i))
				case e.Marker != (e.Value == ""):
					report(op, fmt.Sprintf("lists version %s with value %q as marker %v", e.Version, e.Value, e.Marker))
				}
			}
		default:
			report(op, fmt.Sprintf("invalid %v", op.Kind))
		}
	}
	return out
}

// keyOf is the key a violation about op is filed under.
func keyOf(op Op) Key {
	if op.Kind == Range {
		return Key{Partition: op.Key.Partition}
	}
	return op.Key
}
