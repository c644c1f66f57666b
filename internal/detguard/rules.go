package detguard

import "strings"

// forbiddenImports maps an import path to why importing it at all breaks
// determinism. An entry ending in "/..." also covers every package below it.
var forbiddenImports = map[string]string{
	"math/rand":    "uses a randomly seeded global source; use math/rand/v2 with rand.New and an explicit seed",
	"crypto/rand":  "reads operating-system entropy",
	"hash/maphash": "seeds its hashes randomly in every process",
	"os/...":       "operating-system I/O and process state",
	"syscall":      "operating-system calls",
	"io/ioutil":    "file I/O",
	"net/...":      "network I/O",
	"sync/...":     "concurrency primitives have no place in single-threaded code",
	"unsafe":       "bypasses the type system, so the guard cannot vouch for the code",
	"plugin":       "loads code at run time",
}

// allowedImports are exceptions to forbiddenImports: pure value packages.
var allowedImports = map[string]bool{
	"net/netip": true,
	"net/url":   true,
}

// memberRule forbids some package-level identifiers of one package.
type memberRule struct {
	rule string
	// forbidden lists banned identifiers with the reason; if allowed is set
	// instead, every identifier not in it is banned, so that functions added
	// to the package later are banned by default.
	forbidden map[string]string
	allowed   map[string]bool
	reason    string // used with allowed
}

var memberRules = map[string]memberRule{
	"time": {rule: RuleClock, forbidden: map[string]string{
		"Now":       "reads the wall clock",
		"Since":     "reads the wall clock",
		"Until":     "reads the wall clock",
		"Sleep":     "waits on the wall clock",
		"After":     "starts a wall-clock timer",
		"AfterFunc": "runs a function on another goroutine after a wall-clock delay",
		"Tick":      "starts a wall-clock ticker",
		"NewTimer":  "starts a wall-clock timer",
		"NewTicker": "starts a wall-clock ticker",
	}},
	"math/rand/v2": {
		rule: RuleRand,
		allowed: map[string]bool{
			"New": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true,
			"Rand": true, "Source": true, "PCG": true, "ChaCha8": true, "Zipf": true,
		},
		reason: "draws from the randomly seeded global source; draw from a *rand.Rand built with rand.New from a seed",
	},
	"runtime": {rule: RuleScheduler, forbidden: map[string]string{
		"Gosched":        "yields to other goroutines",
		"Goexit":         "ends the calling goroutine",
		"LockOSThread":   "pins the goroutine to an OS thread",
		"UnlockOSThread": "pins the goroutine to an OS thread",
	}},
	"path/filepath": {rule: RuleFS, forbidden: map[string]string{
		"Abs":          "reads the working directory",
		"EvalSymlinks": "reads the file system",
		"Glob":         "reads the file system",
		"Walk":         "reads the file system",
		"WalkDir":      "reads the file system",
	}},
}

// importProblem returns why importing path breaks determinism, or "".
func importProblem(path string) string {
	if allowedImports[path] {
		return ""
	}
	if reason, ok := forbiddenImports[path]; ok {
		return reason
	}
	for p := path; ; {
		if reason, ok := forbiddenImports[p+"/..."]; ok {
			return reason
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return ""
		}
		p = p[:i]
	}
}

// memberProblem returns the rule and reason that forbid using name from the
// package at path, or "" if it is fine.
func memberProblem(path, name string) (rule, reason string) {
	r, ok := memberRules[path]
	if !ok {
		return "", ""
	}
	if r.allowed != nil {
		if r.allowed[name] {
			return "", ""
		}
		return r.rule, r.reason
	}
	if reason, ok := r.forbidden[name]; ok {
		return r.rule, reason
	}
	return "", ""
}
