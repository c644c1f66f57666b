package checker

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/anishathalye/porcupine"
)

// DefaultVisualizeTimeout bounds porcupine's search when Visualize is not
// given a timeout. The floor model is cheap, so this is only a safety net
// against pathological histories.
const DefaultVisualizeTimeout = time.Minute

// VisualizeOptions tunes VisualizeWith. The zero value is usable.
type VisualizeOptions struct {
	// FormatStamp renders stamps in operation and state descriptions.
	// Nil means Stamp.String (printable as is, otherwise hex).
	FormatStamp func(Stamp) string
	// Timeout bounds porcupine's search; zero means
	// DefaultVisualizeTimeout. On timeout the partial result is drawn.
	Timeout time.Duration
	// Annotations are drawn as well, e.g. nemesis events and layout
	// versions (porcupine.Annotation with a Tag), in sequence-number time.
	Annotations []porcupine.Annotation
}

// Visualize writes porcupine's HTML page for the P1 floor model over the
// operations on keys (all keys when keys is nil), typically Report.Keys().
// Operations the model leaves out (unknown or failed writes, unacknowledged
// Gets) are drawn as annotations on their client's row.
func Visualize(w io.Writer, h History, keys []Key) error {
	return VisualizeWith(w, h, keys, VisualizeOptions{})
}

// VisualizeWith is Visualize with options.
func VisualizeWith(w io.Writer, h History, keys []Key, opts VisualizeOptions) error {
	formatStamp := opts.FormatStamp
	if formatStamp == nil {
		formatStamp = Stamp.String
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultVisualizeTimeout
	}
	selected := selectKeys(h, keys)
	model := floorModel(formatStamp)
	ops := PorcupineOperations(selected)
	result, info := porcupine.CheckOperationsVerbose(model, ops, timeout)
	info.AddAnnotations(leftOutAnnotations(selected, maxClient(ops)))
	info.AddAnnotations(resultAnnotation(selected, result))
	info.AddAnnotations(opts.Annotations)
	return porcupine.Visualize(model, info, w)
}

// selectKeys keeps the Puts, Deletes and Gets on keys (all when keys is nil).
func selectKeys(h History, keys []Key) History {
	var want map[Key]bool
	if keys != nil {
		want = make(map[Key]bool, len(keys))
		for _, k := range keys {
			want[k] = true
		}
	}
	var out History
	for _, op := range h {
		if (op.Kind.isWrite() || op.Kind == Get) && (want == nil || want[op.Key]) {
			out = append(out, op)
		}
	}
	return out
}

// leftOutAnnotations draws the operations PorcupineOperations drops, so the
// page still shows everything that happened on the selected keys. The page
// numbers rows after the highest client among the checked operations, so a
// client beyond that one gets a row of its own through a tag.
func leftOutAnnotations(h History, lastClient int) []porcupine.Annotation {
	last := lastFiniteSeq(h)
	var out []porcupine.Annotation
	for _, op := range h {
		if op.Outcome == OK {
			continue
		}
		desc := fmt.Sprintf("%v(%v)", op.Kind, op.Key)
		if op.Kind == Put {
			desc += "=" + op.Value
		}
		color := "#fff1a8" // unknown: may have happened
		if op.Outcome == Failed {
			color = "#e0e0e0"
		}
		end := op.Return
		if end == math.MaxInt64 {
			end = max(last, op.Call)
		}
		var tag string
		if op.Client > lastClient {
			tag = fmt.Sprintf("client %d", op.Client)
		}
		out = append(out, porcupine.Annotation{
			ClientId:        op.Client,
			Tag:             tag,
			Start:           op.Call,
			End:             end,
			Description:     desc + " " + op.Outcome.String(),
			Details:         fmt.Sprintf("%v, outcome %v: not part of the P1 check", op, op.Outcome),
			BackgroundColor: color,
		})
	}
	return out
}

// resultAnnotation states porcupine's verdict on its own row.
func resultAnnotation(h History, result porcupine.CheckResult) []porcupine.Annotation {
	if len(h) == 0 {
		return nil
	}
	first := h[0].Call
	for _, op := range h {
		first = min(first, op.Call)
	}
	return []porcupine.Annotation{{
		Tag:         "checker",
		Start:       first,
		Description: fmt.Sprintf("read-after-write: %s", result),
		Details:     "porcupine floor model: state = largest stamp linearised so far; a get is legal iff its stamp >= floor",
	}}
}

func lastFiniteSeq(h History) int64 {
	var last int64
	for _, op := range h {
		last = max(last, op.Call)
		if op.Return != math.MaxInt64 {
			last = max(last, op.Return)
		}
	}
	return last
}

// maxClient is the highest client id among ops, -1 if there are none.
func maxClient(ops []porcupine.Operation) int {
	last := -1
	for _, op := range ops {
		last = max(last, op.ClientId)
	}
	return last
}
