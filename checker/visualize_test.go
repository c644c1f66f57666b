package checker

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

func visualize(t *testing.T, h History, keys []Key, opts VisualizeOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := VisualizeWith(&buf, h, keys, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestVisualizeDrawsSelectedKeys(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		unknown(put(1, keyA, "v2", "", 3, never)),
		get(1, keyA, "v1", "t1", 4, 5),
		put(0, keyB, "w1", "t3", 6, 7),
		failed(del(3, keyA, "", 8, 9)), // client 3 has no checked op
	)
	page := visualize(t, h, []Key{keyA}, VisualizeOptions{})
	for _, want := range []string{"<html", "put(p/a)=v1 @t1", "floor=t1", "put(p/a)=v2 unknown",
		"delete(p/a) failed", `"Tag":"client 3"`, "read-after-write: Ok", "op #0"} {
		if !strings.Contains(page, want) {
			t.Errorf("page does not contain %q", want)
		}
	}
	if strings.Contains(page, "w1") {
		t.Error("page shows an op on an unselected key")
	}
	if all := visualize(t, h, nil, VisualizeOptions{}); !strings.Contains(all, "put(p/b)=w1 @t3") {
		t.Error("nil keys does not draw every key")
	}
	if again := visualize(t, h, []Key{keyA}, VisualizeOptions{}); again != page {
		t.Error("visualising a legal history twice gave different pages")
	}
}

func TestVisualizeShowsViolation(t *testing.T) {
	h := history(
		put(0, keyA, "v1", "t1", 1, 2),
		put(0, keyA, "v2", "t2", 3, 4),
		get(1, keyA, "v1", "t1", 5, 6),
	)
	var buf bytes.Buffer
	if err := Visualize(&buf, h, Check(h).Keys()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "read-after-write: Illegal") {
		t.Error("page does not state the illegal verdict")
	}
}

func TestVisualizeOptions(t *testing.T) {
	h := history(put(0, keyA, "v1", "\x01\x02", 1, 2))
	if page := visualize(t, h, nil, VisualizeOptions{}); !strings.Contains(page, "@0x0102") {
		t.Error("binary stamp not shown as hex by default")
	}
	page := visualize(t, h, nil, VisualizeOptions{
		FormatStamp: func(s Stamp) string { return "T" + string(rune('0'+len(s))) },
		Timeout:     time.Second,
		Annotations: []porcupine.Annotation{{Tag: "layout", Start: 1, Description: "apply v5"}},
	})
	for _, want := range []string{"put(p/a)=v1 @T2", "floor=T2", "apply v5"} {
		if !strings.Contains(page, want) {
			t.Errorf("page does not contain %q", want)
		}
	}
}
