package chaos

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/garagego/garage/sim/scenario"
)

func TestSeededPlanStrikesEveryClassInTheWindow(t *testing.T) {
	p, err := SeededPlan(7, 3, 90*time.Second, AllClasses)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Classes(); len(got) != len(AllClasses) {
		t.Fatalf("classes %v, want all of %v", got, AllClasses)
	}
	for i, a := range p.Actions {
		if a.At < margin || a.At > p.Duration-margin {
			t.Errorf("%v lies outside [%v, %v]", a, margin, p.Duration-margin)
		}
		if i > 0 && a.At < p.Actions[i-1].At {
			t.Errorf("actions out of order at %d: %v after %v", i, a, p.Actions[i-1])
		}
		if a.Node < 0 || a.Node >= 3 || a.From < 0 || a.From >= 3 || a.To < 0 || a.To >= 3 {
			t.Errorf("%v names a node out of range", a)
		}
	}
	// Every fault that lasts is undone.
	starts := map[Op]Op{OpPartition: OpHeal, OpBlock: OpUnblock, OpSlowNode: OpFastNode, OpKill: OpRestart, OpFreeze: OpResume, OpFillDisk: OpFreeDisk}
	for start, end := range starts {
		n := 0
		for _, a := range p.Actions {
			switch a.Op {
			case start:
				n++
			case end:
				n--
			}
		}
		if n != 0 {
			t.Errorf("%d more %s than %s", n, start, end)
		}
	}
	again, _ := SeededPlan(7, 3, 90*time.Second, AllClasses)
	other, _ := SeededPlan(8, 3, 90*time.Second, AllClasses)
	if !slices.EqualFunc(p.Actions, again.Actions, func(a, b Action) bool { return a.String() == b.String() }) {
		t.Error("the same seed drew another schedule")
	}
	if slices.EqualFunc(p.Actions, other.Actions, func(a, b Action) bool { return a.String() == b.String() }) {
		t.Error("another seed drew the same schedule")
	}
	if _, err := SeededPlan(1, 3, 20*time.Second, AllClasses); err == nil {
		t.Error("20 s accepted for 11 classes")
	}
	long, _ := SeededPlan(1, 3, 10*time.Minute, AllClasses)
	if len(long.Actions) <= len(p.Actions) {
		t.Errorf("a 10-minute run has %d actions, a 90 s one %d: want more faults in the long one", len(long.Actions), len(p.Actions))
	}
}

func TestParseClasses(t *testing.T) {
	if c, err := ParseClasses("all"); err != nil || len(c) != len(AllClasses) {
		t.Errorf("all: %v %v", c, err)
	}
	if c, err := ParseClasses("none"); err != nil || len(c) != 0 {
		t.Errorf("none: %v %v", c, err)
	}
	if c, err := ParseClasses("kill, freeze"); err != nil || !slices.Equal(c, []Class{Kill, Freeze}) {
		t.Errorf("kill, freeze: %v %v", c, err)
	}
	if _, err := ParseClasses("kill,fire"); err == nil || !strings.Contains(err.Error(), "fire") {
		t.Errorf("an unknown class: %v", err)
	}
}

// TestScenarioPlansOfCommittedScenarios: the committed scenarios whose
// events have real counterparts become plans with their timeline and
// network; the others are refused with the reason.
func TestScenarioPlansOfCommittedScenarios(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	replayable := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenario.Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ScenarioPlan(sc, 10)
		if err != nil {
			if !strings.Contains(err.Error(), "real") && !strings.Contains(err.Error(), "duration") && !strings.Contains(err.Error(), "seeded") {
				t.Errorf("%s refused without a reason: %v", f, err)
			}
			continue
		}
		replayable++
		if p.Nodes != sc.Options.Nodes || len(p.Actions) != len(sc.Timeline) || p.Duration != sc.Options.Duration/10 {
			t.Errorf("%s: plan of %d nodes, %d actions over %v from %d nodes, %d events over %v",
				f, p.Nodes, len(p.Actions), p.Duration, sc.Options.Nodes, len(sc.Timeline), sc.Options.Duration)
		}
		for i, a := range p.Actions {
			if a.At != sc.Timeline[i].At/10 {
				t.Errorf("%s: action %v at %v, event at %v", f, a, a.At, sc.Timeline[i].At)
			}
		}
	}
	if replayable < 5 {
		t.Errorf("only %d committed scenarios replay against real processes", replayable)
	}
}
