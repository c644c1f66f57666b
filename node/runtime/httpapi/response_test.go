package httpapi

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// slowObserver takes its time before it records a request, as a metrics
// registry under contention might.
type slowObserver struct {
	mu   sync.Mutex
	seen []int
}

func (o *slowObserver) Observe(_ string, status int, _ time.Duration) {
	time.Sleep(50 * time.Millisecond)
	o.mu.Lock()
	o.seen = append(o.seen, status)
	o.mu.Unlock()
}

// TestRequestObservedBeforeClientSeesAnswer: a client that has read the
// whole of a small answer finds the request already observed, so a
// scrape right after a request counts it.
func TestRequestObservedBeforeClientSeesAnswer(t *testing.T) {
	o := &slowObserver{}
	url := serveTest(t, context.Background(), testAPI{observer: o})
	for range 3 {
		send(t, http.MethodPut, url+"/thing", "body", nil)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.seen) != 3 {
		t.Fatalf("observed %v after three answered requests, want three", o.seen)
	}
}
