package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"dancu/internal/eid"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

// The register's endpoints, for officers: every one sits behind
// requireAccount, and each checks the account's role and area against the
// citizen's (or household's) place of permanent residence.

// getCitizen answers GET /v1/register/citizens/{pid}.
func (s *server) getCitizen(w http.ResponseWriter, r *http.Request) {
	v, ok := s.readableCitizen(w, r)
	if ok {
		writeJSON(w, v)
	}
}

// getCitizenHistory answers GET /v1/register/citizens/{pid}/history: every
// version of the record with the event that made it, oldest first.
func (s *server) getCitizenHistory(w http.ResponseWriter, r *http.Request) {
	v, ok := s.readableCitizen(w, r)
	if !ok {
		return
	}
	h, err := s.Register.History(r.Context(), v.PID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"pid": v.PID, "versions": h})
}

// getCitizenAsOf answers GET /v1/register/citizens/{pid}/as-of/{date}: the
// record as the register held it at the end of that day.
func (s *server) getCitizenAsOf(w http.ResponseWriter, r *http.Request) {
	v, ok := s.readableCitizen(w, r)
	if !ok {
		return
	}
	day, err := registry.ParseDate(r.PathValue("date"))
	if err != nil {
		s.writeError(w, r, badRequest{code: "invalid_date", field: "date", detail: "date: " + err.Error()})
		return
	}
	old, err := s.Register.AsOf(r.Context(), v.PID, day)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, old)
}

// getCitizenResidences answers GET /v1/register/citizens/{pid}/residences.
func (s *server) getCitizenResidences(w http.ResponseWriter, r *http.Request) {
	v, ok := s.readableCitizen(w, r)
	if !ok {
		return
	}
	list, err := s.Register.Residences(r.Context(), v.PID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"pid": v.PID, "residences": nonNil(list)})
}

// findCitizens answers GET /v1/register/citizens?name=…&birth_year=…,
// listing only the citizens the account may read.
func (s *server) findCitizens(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	year := 0
	if y := q.Get("birth_year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			s.writeError(w, r, badRequest{code: "invalid_parameter", field: "birth_year", detail: "birth_year must be a year such as 1990"})
			return
		}
		year = n
	}
	found, err := s.Register.Find(r.Context(), q.Get("name"), year)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, _ := AccountFrom(r.Context())
	out := []registry.CitizenView{}
	for _, c := range found {
		v := s.Register.View(c)
		if a.Can(eid.ReadCitizen, s.placeOf(v)) {
			out = append(out, v)
		}
	}
	writeJSON(w, map[string]any{"citizens": out})
}

// getHousehold answers GET /v1/register/households/{id}.
func (s *server) getHousehold(w http.ResponseWriter, r *http.Request) {
	h, err := s.Register.Household(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.authorize(w, r, eid.ReadCitizen, s.placeOfAddress(h.Address)) {
		return
	}
	writeJSON(w, h)
}

// readableCitizen loads the citizen named in the path and checks that the
// account may read it; on false the response has been written.
func (s *server) readableCitizen(w http.ResponseWriter, r *http.Request) (registry.CitizenView, bool) {
	v, err := s.Register.Citizen(r.Context(), pid.PID(r.PathValue("pid")))
	if err != nil {
		s.writeError(w, r, err)
		return v, false
	}
	if !s.authorize(w, r, eid.ReadCitizen, s.placeOf(v)) {
		return v, false
	}
	return v, true
}

// placeOf is where a citizen belongs for an officer's area
// (registry.CitizenView.Area).
func (s *server) placeOf(v registry.CitizenView) eid.Place {
	province, commune := v.Area()
	return eid.Place{Province: province, Commune: commune}
}

func (s *server) placeOfAddress(a registry.Address) eid.Place {
	province, commune := s.Register.Place(a).Area()
	return eid.Place{Province: province, Commune: commune}
}

// maxEventBytes bounds an event's JSON body.
const maxEventBytes = 64 << 10

// recordEvent answers POST /v1/register/events/{kind}: the body is the
// event of that kind; the recording officer is the authenticated account,
// whatever the body says. It answers 201 with the recorded event.
func (s *server) recordEvent(w http.ResponseWriter, r *http.Request) {
	kind := registry.Kind(r.PathValue("kind"))
	rec, ok := s.eventRecorders()[kind]
	if !ok {
		s.writeError(w, r, fmt.Errorf("%w: no event kind %q", errNotFound, kind))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxEventBytes+1))
	if err != nil {
		s.writeError(w, r, badRequest{code: "invalid_body", detail: "the request body could not be read"})
		return
	}
	if len(body) > maxEventBytes {
		s.writeError(w, r, errTooLarge)
		return
	}
	a, _ := AccountFrom(r.Context())
	ev, err := rec(r.Context(), body, a, func(p eid.Place) error {
		if !a.Can(eid.RecordEvent, p) {
			return errForbidden
		}
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/register/citizens/"+string(ev.PID)+"/history")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(ev)
}

// recorder decodes one kind of event, checks the account may record it
// where it happens, and records it.
type recorder func(ctx context.Context, body []byte, a eid.Account, allow func(eid.Place) error) (registry.Event, error)

// eventRecorders maps each event kind to its recorder.
func (s *server) eventRecorders() map[registry.Kind]recorder {
	reg := s.Register
	bySubject := func(p pid.PID) func(context.Context) (eid.Place, error) {
		return func(ctx context.Context) (eid.Place, error) {
			v, err := reg.Citizen(ctx, p)
			if err != nil {
				return eid.Place{}, err
			}
			return s.placeOf(v), nil
		}
	}
	byHousehold := func(id string) func(context.Context) (eid.Place, error) {
		return func(ctx context.Context) (eid.Place, error) {
			h, err := reg.Household(ctx, id)
			if err != nil {
				return eid.Place{}, err
			}
			return s.placeOfAddress(h.Address), nil
		}
	}
	byAddress := func(a registry.Address) func(context.Context) (eid.Place, error) {
		return func(context.Context) (eid.Place, error) { return s.placeOfAddress(a), nil }
	}
	return map[registry.Kind]recorder{
		registry.KindInitialRegistration: recorderFor(reg.RegisterInitial, func(in *registry.InitialRegistration) func(context.Context) (eid.Place, error) {
			if in.HouseholdID != "" {
				return byHousehold(in.HouseholdID)
			}
			return byAddress(in.Citizen.PermanentAddress)
		}),
		registry.KindBirth: recorderFor(reg.RecordBirth, func(in *registry.Birth) func(context.Context) (eid.Place, error) {
			return byAddress(in.BirthRegistration)
		}),
		registry.KindDeath: recorderFor(reg.RecordDeath, func(in *registry.Death) func(context.Context) (eid.Place, error) {
			return bySubject(in.PID)
		}),
		registry.KindMissing: recorderFor(reg.RecordMissing, func(in *registry.Missing) func(context.Context) (eid.Place, error) {
			return bySubject(in.PID)
		}),
		registry.KindMarriage: recorderFor(reg.RecordMarriage, func(in *registry.Marriage) func(context.Context) (eid.Place, error) {
			return bySubject(in.PID)
		}),
		registry.KindDivorce: recorderFor(reg.RecordDivorce, func(in *registry.Divorce) func(context.Context) (eid.Place, error) {
			return bySubject(in.PID)
		}),
		registry.KindNameChange: recorderFor(reg.RecordNameChange, func(in *registry.NameChange) func(context.Context) (eid.Place, error) {
			return bySubject(in.PID)
		}),
		registry.KindPermanentResidence: recorderFor(reg.RecordPermanentResidence, func(in *registry.PermanentResidence) func(context.Context) (eid.Place, error) {
			return bySubject(in.PID)
		}),
		registry.KindTemporaryResidence: recorderFor(reg.RecordTemporaryResidence, func(in *registry.Stay) func(context.Context) (eid.Place, error) {
			return byAddress(in.Address)
		}),
		registry.KindTemporaryAbsence: recorderFor(reg.RecordTemporaryAbsence, func(in *registry.Stay) func(context.Context) (eid.Place, error) {
			return bySubject(in.PID)
		}),
		registry.KindOvernightStay: recorderFor(reg.RecordOvernightStay, func(in *registry.Stay) func(context.Context) (eid.Place, error) {
			return byAddress(in.Address)
		}),
		registry.KindIDCardIssuance: recorderFor(reg.RecordIDCardIssuance, func(in *registry.IDCardIssuance) func(context.Context) (eid.Place, error) {
			return bySubject(in.PID)
		}),
		registry.KindDataCorrection: recorderFor(reg.RecordDataCorrection, func(in *registry.DataCorrection) func(context.Context) (eid.Place, error) {
			return bySubject(in.PID)
		}),
		registry.KindRecordMerge: recorderFor(reg.RecordRecordMerge, func(in *registry.RecordMerge) func(context.Context) (eid.Place, error) {
			return bySubject(in.PID)
		}),
		registry.KindHouseholdSplit: recorderFor(reg.RecordHouseholdSplit, func(in *registry.HouseholdSplit) func(context.Context) (eid.Place, error) {
			return byHousehold(in.HouseholdID)
		}),
		registry.KindHouseholdMerge: recorderFor(reg.RecordHouseholdMerge, func(in *registry.HouseholdMerge) func(context.Context) (eid.Place, error) {
			return byHousehold(in.HouseholdID)
		}),
	}
}

// eventRequest is an event request type: every one embeds registry.Meta.
type eventRequest[T any] interface {
	*T
	EventMeta() *registry.Meta
}

// recorderFor builds the recorder of one kind from the service method that
// records it and a function telling where the event happens.
func recorderFor[T any, P eventRequest[T]](record func(context.Context, T) (registry.Event, error), where func(*T) func(context.Context) (eid.Place, error)) recorder {
	return func(ctx context.Context, body []byte, a eid.Account, allow func(eid.Place) error) (registry.Event, error) {
		var in T
		if err := decodeStrict(body, &in); err != nil {
			return registry.Event{}, err
		}
		P(&in).EventMeta().Actor = a.ID
		place, err := where(&in)(ctx)
		if err != nil {
			return registry.Event{}, err
		}
		if err := allow(place); err != nil {
			return registry.Event{}, err
		}
		return record(ctx, in)
	}
}

// decodeStrict reads one JSON object, refusing unknown fields and
// trailing data, with an error naming the problem.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest{code: "invalid_json", detail: "the body holds more than one JSON value"}
	}
	return nil
}

// jsonError turns a decoding error into a safe, precise client error.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return badRequest{code: "invalid_json", detail: "the body is empty; send a JSON object"}
	case errors.As(err, &syn):
		return badRequest{code: "invalid_json", detail: fmt.Sprintf("malformed JSON at byte %d", syn.Offset)}
	case errors.As(err, &typ):
		return badRequest{code: "invalid_json", field: typ.Field, detail: fmt.Sprintf("%s: expected %s, got %s", typ.Field, typ.Type, typ.Value)}
	case errors.Is(err, pid.ErrMalformed):
		return badRequest{code: "invalid_pid", detail: err.Error()}
	case errors.Is(err, registry.ErrDateSyntax), errors.Is(err, registry.ErrDateRange):
		return badRequest{code: "invalid_date", detail: err.Error()}
	}
	if msg := err.Error(); len(msg) < 200 {
		return badRequest{code: "invalid_json", detail: msg}
	}
	return badRequest{code: "invalid_json", detail: "the body is not a valid event"}
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
