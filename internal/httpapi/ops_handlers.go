package httpapi

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"time"
)

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]string{"status": "ok", "version": s.Version})
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if s.Ready != nil {
		if err := s.Ready(ctx); err != nil {
			s.log.WarnContext(ctx, "not ready", "err", err)
			s.writeError(w, r, fmt.Errorf("%w: database unavailable", errNotReady))
			return
		}
	}
	writeJSON(w, map[string]string{"status": "ready"})
}

//go:embed openapi.json
var openapiDoc []byte

func (s *server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapiDoc)
}
