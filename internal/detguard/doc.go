// Package detguard enforces, at the source level, the project's rule that
// node logic, the simulator and the checker are deterministic: given the
// same inputs and seed they must do the same thing, so that a simulated run
// can be replayed exactly.
//
// It reports the constructs that break that promise: goroutines, channels
// and select, synchronisation primitives, the wall clock and timers, global
// or operating-system randomness, and operating-system or network I/O.
// Imported package names are resolved with go/types, so renaming an import
// does not evade the guard and a local variable that happens to be called
// time is not mistaken for the package.
//
// It cannot see everything: map iteration whose order reaches an output, for
// instance, needs review by people rather than syntax.
package detguard
