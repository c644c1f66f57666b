package detguard

import "fmt"

// Finding is one violation of the determinism rule.
type Finding struct {
	Pos    string // file:line:col
	Rule   string // one of the Rule constants
	Detail string // what was found and why it is not deterministic
}

func (f Finding) String() string { return fmt.Sprintf("%s: %s: %s", f.Pos, f.Rule, f.Detail) }

// The rules a Finding can report.
const (
	RuleGoroutine = "goroutine"        // a go statement
	RuleChannel   = "channel"          // a channel type, send or receive
	RuleSelect    = "select"           // a select statement
	RuleImport    = "forbidden-import" // a package whose every use is nondeterministic
	RuleDotImport = "dot-import"       // a dot import that would hide uses from the guard
	RuleClock     = "wall-clock"       // reading the clock, sleeping or timers
	RuleRand      = "global-rand"      // the shared, randomly seeded source of math/rand/v2
	RuleScheduler = "scheduler"        // runtime calls that depend on or steer the scheduler
	RuleFS        = "filesystem"       // path/filepath functions that touch the file system
)
