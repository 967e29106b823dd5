package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestOpenAPIDescribesEveryRoute checks openapi.json against the routes the
// server declares, both ways: no undocumented route, no documented
// operation without a route.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	s := &server{Deps: Deps{Metrics: prometheus.NewRegistry()}}
	s.metrics = newHTTPMetrics(s.Metrics)
	s.routes()
	declared := map[string]bool{}
	for _, p := range s.patterns {
		method, path, _ := strings.Cut(p, " ")
		key := strings.ToLower(method) + " " + path
		declared[key] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in openapi.json", p)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !declared[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which no route serves", strings.ToUpper(method), path)
			}
		}
	}
}
