package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// API counts one HTTP API's requests, by endpoint (or, for the website
// endpoint, by method, as Garage labels it): <prefix>_request_counter,
// <prefix>_error_counter (status ≥ 400, by status_code) and
// <prefix>_request_duration. It is an httpapi.Observer.
type API struct {
	requests *prometheus.CounterVec
	errors   *prometheus.CounterVec
	duration *prometheus.HistogramVec
	status   func(int) string
	label    string
	// series caches each endpoint's request counter and histogram, so a
	// request costs two atomic adds and no label hashing.
	series sync.Map // string → *endpointSeries
}

type endpointSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newAPI(reg *prometheus.Registry, prefix, label, what string, status func(int) string) *API {
	a := &API{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + "_request_counter",
			Help: "Requests to the " + what + "."}, []string{label}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + "_error_counter",
			Help: "Requests to the " + what + " answered with an error status (4xx, 5xx)."}, []string{label, "status_code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: prefix + "_request_duration",
			Help: "Duration of requests to the " + what + ", in seconds.", Buckets: prometheus.DefBuckets}, []string{label}),
		status: status,
		label:  label,
	}
	reg.MustRegister(a.requests, a.errors, a.duration)
	return a
}

// Observe counts one finished request.
func (a *API) Observe(endpoint string, status int, took time.Duration) {
	if a.label == "method" {
		endpoint = method(endpoint)
	} else if endpoint == "" {
		endpoint = "Unknown"
	}
	s := a.endpoint(endpoint)
	s.requests.Inc()
	s.duration.Observe(took.Seconds())
	if status >= 400 {
		a.errors.WithLabelValues(endpoint, a.status(status)).Inc()
	}
}

func (a *API) endpoint(name string) *endpointSeries {
	if s, ok := a.series.Load(name); ok {
		return s.(*endpointSeries)
	}
	s := &endpointSeries{requests: a.requests.WithLabelValues(name), duration: a.duration.WithLabelValues(name)}
	got, _ := a.series.LoadOrStore(name, s)
	return got.(*endpointSeries)
}

// method bounds the website's method label: a client picks the method,
// and must not mint series.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch:
		return m
	}
	return "OTHER"
}

// statusCodes holds the status labels, made once rather than per error.
var statusCodes, statusTexts = func() (codes, texts [600]string) {
	for i := 100; i < 600; i++ {
		codes[i] = strconv.Itoa(i)
		texts[i] = codes[i]
		if t := http.StatusText(i); t != "" {
			texts[i] += " " + t
		}
	}
	return
}()

// statusCode is the S3, K2V and admin APIs' label: "404".
func statusCode(s int) string {
	if s >= 100 && s < 600 {
		return statusCodes[s]
	}
	return strconv.Itoa(s)
}

// statusText is the website's, as Garage writes it: "404 Not Found".
func statusText(s int) string {
	if s >= 100 && s < 600 {
		return statusTexts[s]
	}
	return strconv.Itoa(s)
}
