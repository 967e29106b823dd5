package httpapi

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"time"

	"dancu/internal/access"
)

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]string{"status": "ok", "version": s.Version})
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if s.Ready != nil {
		err := s.Ready(ctx)
		switch {
		case errors.Is(err, access.ErrNotReady):
			// Expected at start, for as long as the index takes to build.
			w.Header().Set("Retry-After", "5")
			s.writeError(w, r, fmt.Errorf("%w: the verification index is being built", errNotReady))
			return
		case err != nil:
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
