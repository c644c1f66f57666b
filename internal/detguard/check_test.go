package detguard

import (
	"slices"
	"strings"
	"testing"
)

func rulesOf(findings []Finding) []string {
	rules := make([]string, len(findings))
	for i, f := range findings {
		rules[i] = f.Rule
	}
	return rules
}

func TestRulesFire(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string // rules of the findings, in source order
	}{
		{"goroutine", `package p
func f() { go f() }`, []string{RuleGoroutine}},
		{"time.Now", `package p
import "time"
var start = time.Now()`, []string{RuleClock}},
		{"time.Now as a value", `package p
import "time"
var clock = time.Now`, []string{RuleClock}},
		{"renamed time import", `package p
import t "time"
func f() { t.Sleep(t.Second) }`, []string{RuleClock}},
		{"timers", `package p
import "time"
func f() { time.AfterFunc(0, nil); time.NewTicker(1); _ = time.Since }`, []string{RuleClock, RuleClock, RuleClock}},
		{"dot import of time", `package p
import . "time"
var start = Now()`, []string{RuleDotImport}},
		{"math/rand v1", `package p
import "math/rand"
var r = rand.New(rand.NewSource(1))`, []string{RuleImport}},
		{"global rand/v2", `package p
import "math/rand/v2"
var x = rand.IntN(3)`, []string{RuleRand}},
		{"renamed global rand/v2", `package p
import r "math/rand/v2"
func f(xs []int) { r.Shuffle(len(xs), func(i, j int) {}); _ = r.N(10) }`, []string{RuleRand, RuleRand}},
		{"crypto/rand", `package p
import "crypto/rand"
func f(b []byte) { rand.Read(b) }`, []string{RuleImport}},
		{"hash/maphash", `package p
import "hash/maphash"
var h maphash.Hash`, []string{RuleImport}},
		{"os.Open", `package p
import "os"
func f() { os.Open("x") }`, []string{RuleImport}},
		{"os/exec", `package p
import "os/exec"
var c = exec.Command("ls")`, []string{RuleImport}},
		{"net.Dial", `package p
import "net"
func f() { net.Dial("tcp", "x:1") }`, []string{RuleImport}},
		{"net/http", `package p
import _ "net/http"`, []string{RuleImport}},
		{"sync.Mutex", `package p
import "sync"
type s struct{ mu sync.Mutex }`, []string{RuleImport}},
		{"sync/atomic and unsafe", `package p
import (
	"sync/atomic"
	"unsafe"
)
var n atomic.Int64
var z = unsafe.Sizeof(n)`, []string{RuleImport, RuleImport}},
		{"channel make and send", `package p
func f() {
	ch := make(chan int, 1)
	ch <- 1
}`, []string{RuleChannel, RuleChannel}},
		{"select with receive", `package p
func f(ch chan int) {
	select {
	case v := <-ch:
		_ = v
	default:
	}
}`, []string{RuleChannel, RuleSelect, RuleChannel}},
		{"nested channel type reported once", `package p
var c chan<- chan int`, []string{RuleChannel}},
		{"runtime scheduler", `package p
import "runtime"
func f() { runtime.Gosched() }`, []string{RuleScheduler}},
		{"filesystem walk", `package p
import "path/filepath"
func f() { filepath.WalkDir(".", nil) }`, []string{RuleFS}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			findings, err := CheckSource("p.go", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := rulesOf(findings); !slices.Equal(got, tc.want) {
				t.Errorf("rules = %v, want %v; findings:\n%v", got, tc.want, findings)
			}
		})
	}
}

func TestAllowedCodeIsClean(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"duration arithmetic", `package p
import "time"
const tick = 10 * time.Millisecond
func f(d time.Duration, at time.Time) time.Time { return at.Add(d + tick + time.Duration(3)*time.Second) }`},
		{"seeded rand/v2", `package p
import "math/rand/v2"
func f(seed uint64) int {
	var r *rand.Rand = rand.New(rand.NewPCG(seed, 2))
	var _ rand.Source = rand.NewChaCha8([32]byte{})
	_ = rand.NewZipf(r, 2, 1, 10)
	return r.IntN(3)
}`},
		{"method named Now on a user type", `package p
type clock struct{}
func (clock) Now() int64 { return 0 }
func f(c clock) int64 { return c.Now() }`},
		{"local variable named time", `package p
import "time"
type fake struct{}
func (fake) Now() time.Duration { return 0 }
func (fake) Sleep(time.Duration) {}
func f() {
	time := fake{}
	time.Sleep(time.Now())
}`},
		{"parameter shadowing rand", `package p
import "math/rand/v2"
func f(rand *rand.Rand) int { return rand.IntN(3) }`},
		{"methods of time values", `package p
import "time"
func f(a, b time.Time) bool { return a.After(b) && time.Unix(0, 0).Before(a) }`},
		{"pure net and path packages", `package p
import (
	"net/netip"
	"path/filepath"
)
var a = netip.MustParseAddr("10.0.0.1")
var j = filepath.Join("a", "b")`},
		{"unrelated package with a forbidden member name", `package p
import "example.com/clock/v3"
var now = clock.Now()`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			findings, err := CheckSource("p.go", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if len(findings) > 0 {
				t.Errorf("clean code reported:\n%v", findings)
			}
		})
	}
}

func TestFindingPositionAndDetail(t *testing.T) {
	src := `package p

import t "time"

func f() {
	t.Sleep(1)
}`
	findings, err := CheckSource("dir/p.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := Finding{Pos: "dir/p.go:6:2", Rule: RuleClock, Detail: "time.Sleep waits on the wall clock"}
	if len(findings) != 1 || findings[0] != want {
		t.Fatalf("findings = %v, want [%v]", findings, want)
	}
	if s := findings[0].String(); !strings.HasPrefix(s, "dir/p.go:6:2: wall-clock: ") {
		t.Errorf("String() = %q", s)
	}
}

func TestCheckSourceRejectsSyntaxErrors(t *testing.T) {
	if _, err := CheckSource("p.go", []byte("package p\nfunc {")); err == nil {
		t.Error("syntax error not reported")
	}
}
