package httpapi

import "time"

// Observer is told of every finished request, for metrics: the endpoint
// the API routed it to (its own name for it, "" if unrouted), the status
// it answered and how long it took. An API's Config holds one; nil
// observes nothing. Observe runs on the request's goroutine after the
// answer is flushed, so it must be cheap and safe for concurrent use.
type Observer interface {
	Observe(endpoint string, status int, took time.Duration)
}

// Observe reports a request started at start to o, if there is one.
func Observe(o Observer, endpoint string, status int, start time.Time) {
	if o != nil {
		o.Observe(endpoint, status, time.Since(start))
	}
}
