package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// maxBodyBytes bounds every request body; endpoints that stream large
// uploads raise it for themselves.
const maxBodyBytes = 1 << 20

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != batchPath && r.URL.Path != reconcilePath { // uploads stream and set their own bound
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// batchPath is the batch verification's route.
const batchPath = "/v1/verify/batch"

func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, kv := range securityHeaders {
			h[kv.name] = kv.value
		}
		next.ServeHTTP(w, r)
	})
}

// securityHeaders are set on every response. Their values are shared by
// every response's header map, saving the hot path an allocation each:
// net/http copies values when it writes them, and a handler that sets
// one of these headers replaces the slice rather than writing into it
// (an Add appends to a slice at full capacity, so to a copy).
var securityHeaders = [...]struct {
	name  string
	value []string
}{
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Referrer-Policy", []string{"no-referrer"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Content-Security-Policy", []string{"default-src 'none'; frame-ancestors 'none'"}},
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dancu_http_requests_total",
			Help: "HTTP requests served, by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dancu_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the server's writer (to flush
// a streamed response).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// instrument counts and times requests under route, a fixed label (the
// pattern, never the raw path, which may hold a personal ID number).
func (s *server) instrument(route string, h http.HandlerFunc) http.Handler {
	dur := s.metrics.duration.WithLabelValues(route)
	ok := s.metrics.requests.WithLabelValues(route, "200") // most answers: no label lookup
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		h(rec, r)
		dur.Observe(time.Since(start).Seconds())
		if rec.status == 0 || rec.status == http.StatusOK {
			ok.Inc()
			return
		}
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
	})
}
