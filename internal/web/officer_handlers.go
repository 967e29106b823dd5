package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"dancu/internal/eid"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

// The officer console: search and the citizen's record. Every page checks
// the account's role and area against the citizen's place (PlaceOf), as
// the API does; search results outside the area are left out.

type searchBody struct {
	Q, Year string
	// QError and YearError are message keys of the fields' errors.
	QError, YearError string
	Searched          bool
	Results           []resultRow
	// Truncated: the register returned its maximum; refine the search.
	Truncated bool
}

type resultRow struct {
	PID, Href, Name  string
	DOB, DOBISO      string
	Gender, Address  string
	Status           string
	AddressSplit     bool
	AddressMissing   bool
	StatusNotAlive   bool
	DateOfBirthEmpty bool
}

// maxQueryBytes bounds what the search form accepts (and shows again).
const maxQueryBytes = 200

// search answers GET /officer: the search form, and its results when a
// query was given. A 12-digit number goes straight to the record.
func (s *server) search(w http.ResponseWriter, r *http.Request, a eid.Account) {
	p := s.newPage(w, r, "search.title")
	p.Account, p.Nav = &a, "search"
	q := r.URL.Query()
	b := searchBody{Q: strings.TrimSpace(q.Get("q")), Year: strings.TrimSpace(q.Get("birth_year"))}
	status := http.StatusOK
	defer func() {
		if status == 0 { // redirected or failed
			return
		}
		p.Body = b
		p.HasError = b.QError != "" || b.YearError != ""
		s.render(w, r, status, "search", p)
	}()
	if b.Q == "" && b.Year == "" {
		return
	}
	if len(b.Q) > maxQueryBytes || len(b.Year) > maxQueryBytes {
		b.Q, b.Year, b.QError, status = "", "", "search.error.name_too_long", http.StatusBadRequest
		return
	}
	if allDigits(b.Q) {
		if len(b.Q) == 12 {
			status = 0
			http.Redirect(w, r, "/officer/citizens/"+b.Q, http.StatusSeeOther)
			return
		}
		b.QError, status = "search.error.pid_length", http.StatusBadRequest
		return
	}
	year := 0
	if b.Year != "" {
		n, err := strconv.Atoi(b.Year)
		if err != nil || len(b.Year) != 4 {
			b.YearError, status = "search.error.year", http.StatusBadRequest
		}
		year = n
	}
	if b.Q == "" {
		b.QError, status = "search.error.name_required", http.StatusBadRequest
	}
	if status != http.StatusOK {
		return
	}
	found, err := s.Register.Find(r.Context(), b.Q, year)
	var fe *registry.FieldError
	if errors.As(err, &fe) && errors.Is(err, registry.ErrInvalid) {
		status = http.StatusBadRequest
		switch fe.Field {
		case "birth_year":
			b.YearError = "search.error.year"
		case "name":
			b.QError = "search.error.name_required"
			if fe.Code == "too_long" {
				b.QError = "search.error.name_too_long"
			}
		default:
			b.QError = "search.error.name_required"
		}
		return
	}
	if err != nil {
		status = 0
		s.fail(w, r, &a, err)
		return
	}
	b.Searched = true
	b.Truncated = len(found) >= 100
	for _, c := range found {
		v := s.Register.View(c)
		if !a.Can(eid.ReadCitizen, PlaceOf(v)) {
			continue
		}
		row := resultRow{
			PID: string(c.PID), Href: citizenURL(c.PID), Name: c.FullName,
			DOB: formatDate(p.Lang, c.DateOfBirth), DOBISO: c.DateOfBirth.String(),
			Gender: p.T("gender." + c.Gender.String()),
			Status: p.T("status." + string(c.Status)), StatusNotAlive: c.Status != registry.StatusAlive,
		}
		if pl, ok := v.Places["permanent_address"]; ok {
			row.Address, row.AddressSplit = pl.Text, pl.Split
		} else {
			row.AddressMissing = true
		}
		b.Results = append(b.Results, row)
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func citizenURL(n pid.PID) string { return "/officer/citizens/" + url.PathEscape(string(n)) }

// citizen answers GET /officer/citizens/{pid}, with ?as_of=yyyy-mm-dd the
// record as the register held it at the end of that day.
func (s *server) citizen(w http.ResponseWriter, r *http.Request, a eid.Account) {
	ctx := r.Context()
	v, err := s.Register.Citizen(ctx, pid.PID(r.PathValue("pid")))
	if errors.Is(err, registry.ErrNotFound) || errors.Is(err, registry.ErrInvalid) || errors.Is(err, pid.ErrMalformed) {
		s.errorPage(w, r, http.StatusNotFound, &a)
		return
	}
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	if !a.Can(eid.ReadCitizen, PlaceOf(v)) {
		s.refuse(w, r, a, eid.ReadCitizen, "")
		return
	}
	p := s.newPage(w, r, "citizen.title")
	p.Account, p.Nav = &a, "search"
	rb := recordBuilder{s: s, r: r, p: p, a: a}
	b := citizenBody{PID: string(v.PID), Name: v.FullName, AsOfInput: r.URL.Query().Get("as_of")}
	status := http.StatusOK

	shown := v
	if b.AsOfInput != "" {
		day, err := registry.ParseDate(b.AsOfInput)
		if err == nil && !day.Full() {
			err = registry.ErrDateSyntax
		}
		if err != nil {
			b.AsOfError, status = "citizen.asof.error.date", http.StatusBadRequest
		} else {
			old, err := s.Register.AsOf(ctx, v.PID, day)
			switch {
			case errors.Is(err, registry.ErrNotFound):
				b.AsOfError = "citizen.asof.error.not_registered"
			case errors.Is(err, registry.ErrInvalid):
				b.AsOfError, status = "citizen.asof.error.date", http.StatusBadRequest
			case err != nil:
				s.fail(w, r, &a, err)
				return
			default:
				shown = old
				b.AsOf, b.AsOfISO = formatDate(p.Lang, day), day.String()
			}
		}
	}
	b.Shown = shown.FullName
	b.Groups = rb.fields(shown, b.AsOf == "")
	if b.AsOf == "" {
		if b.Household, err = rb.household(shown); err != nil {
			s.fail(w, r, &a, err)
			return
		}
		if b.Residences, err = rb.residences(shown.PID); err != nil {
			s.fail(w, r, &a, err)
			return
		}
	}
	history, err := s.Register.History(ctx, v.PID)
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	for _, ver := range slices.Backward(history) {
		b.History = append(b.History, rb.version(ver))
	}
	if s.Accesses != nil {
		b.ShowAccesses = true
		if b.Accesses, err = s.accessRows(r, p.Lang, v.PID); err != nil {
			s.fail(w, r, &a, err)
			return
		}
	}
	p.Body = b
	p.HasError = b.AsOfError != "" && status != http.StatusOK
	s.render(w, r, status, "citizen", p)
}

// accessRows lists the latest accesses of agencies to the citizen, with
// the agencies' names when the console knows them.
func (s *server) accessRows(r *http.Request, l lang, number pid.PID) ([]accessRow, error) {
	list, err := s.Accesses.Accesses(r.Context(), number, accessesShown)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	if s.Agencies != nil && len(list) > 0 {
		agencies, err := s.Agencies.List(r.Context())
		if err != nil {
			return nil, err
		}
		for _, ag := range agencies {
			names[ag.ID] = ag.Name
		}
	}
	rows := make([]accessRow, 0, len(list))
	for _, v := range list {
		name := names[v.AgencyID]
		if name == "" {
			name = v.AgencyID
		}
		fields := make([]string, len(v.Fields))
		for i, f := range v.Fields {
			fields[i] = s.msgs.textOr(l, "field."+f, f)
		}
		rows = append(rows, accessRow{At: formatTime(l, v.At), AtISO: v.At.UTC().Format("2006-01-02T15:04:05Z"), Agency: name,
			Operation: s.msgs.textOr(l, "op."+v.Operation, v.Operation), Purpose: v.Purpose, Fields: strings.Join(fields, ", "),
			Result: s.msgs.textOr(l, "access.result."+v.Result, v.Result)})
	}
	return rows, nil
}
