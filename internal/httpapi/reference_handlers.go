package httpapi

import (
	"net/http"

	"dancu/internal/pid"
)

// decodePID answers what a personal identification number says about its
// holder. It reads nothing from the register: the answer is derived from
// the number alone.
func (s *server) decodePID(w http.ResponseWriter, r *http.Request) {
	p, err := pid.Parse(r.PathValue("pid"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, p.Decode())
}

// resolveAddress resolves the free-text address in the q parameter.
func (s *server) resolveAddress(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("q") {
		s.writeError(w, r, badRequest{code: "missing_parameter", field: "q", detail: "query parameter q (the address) is required"})
		return
	}
	res, err := s.Addresses.Resolve(q.Get("q"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, res)
}
