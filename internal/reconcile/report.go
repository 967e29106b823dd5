package reconcile

import (
	"slices"
	"strconv"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/reconcile/fellegi"
	"dancu/internal/reconcile/input"
	"dancu/internal/registry"
)

// Report summarises a run: report.json is this, and report.html shows it.
type Report struct {
	Dataset    string    `json:"dataset"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Seconds is the whole run, FitSeconds the part spent fitting the
	// model on the sample.
	Seconds          float64 `json:"seconds"`
	FitSeconds       float64 `json:"fit_seconds"`
	RecordsPerMinute float64 `json:"records_per_minute"`
	Citizens         int     `json:"register_citizens"`

	Records  int64            `json:"records"`
	Statuses map[Status]int64 `json:"statuses"`
	// ReviewShare is the share of records left for an officer.
	ReviewShare float64 `json:"review_share"`
	// Differing counts, among linked records, those differing in each
	// field.
	Differing map[string]int64 `json:"differing_fields"`
	// Duplicates are records of a citizen an earlier record already
	// linked; OverLimit those beyond MaxPerCitizen; Deceased those linked
	// to a dead citizen; Decided those linked by an officer's decision.
	Duplicates    int64 `json:"duplicates"`
	OverLimit     int64 `json:"over_limit"`
	MaxPerCitizen int   `json:"max_per_citizen,omitempty"`
	Deceased      int64 `json:"deceased"`
	Decided       int64 `json:"decided"`

	Scorecard Scorecard         `json:"scorecard"`
	Provinces []ProvinceSummary `json:"provinces"`
	Errors    ErrorSummary      `json:"row_errors"`
	Model     ModelSummary      `json:"model"`
	provinces map[uint16]*ProvinceSummary
	firstOf   map[uint64]firstRecord
	units     *adminunit.Directory
	present   uint8 // the fields the dataset maps
	// AsOf is the date the dataset describes (today when not given).
	AsOf registry.Date `json:"as_of"`
}

type firstRecord struct {
	key   string
	count int32
}

// Scorecard measures a dataset by the four words of the programme's
// motto, each a share from 0 to 1:
//
//   - Correct ("đúng"): of the fields the linked records give, the share
//     that agree with the register.
//   - Complete ("đủ"): of the fields the dataset maps, the share its
//     records fill.
//   - Clean ("sạch"): the share of records that are neither a repeat of a
//     citizen already listed, nor invalid, nor carry an invalid value.
//   - Live ("sống"): of the linked records, the share whose citizen is
//     alive and still lives at the address given (when one is). Dead
//     counts the others' citizens who died, DeadSince those who died after
//     the dataset's date (Config.AsOf): the list was right then and has
//     not been kept up; the rest were listed dead.
type Scorecard struct {
	Correct  float64 `json:"correct"`
	Complete float64 `json:"complete"`
	Clean    float64 `json:"clean"`
	Live     float64 `json:"live"`

	Records      int64 `json:"records"`
	Linked       int64 `json:"linked"`
	FieldsGiven  int64 `json:"fields_given"`
	FieldsAgree  int64 `json:"fields_agree"`
	FieldsMapped int64 `json:"fields_mapped"`
	FieldsFilled int64 `json:"fields_filled"`
	Unclean      int64 `json:"unclean"`
	Dead         int64 `json:"dead"`
	DeadSince    int64 `json:"dead_since_as_of"`
	Moved        int64 `json:"moved"`
}

// ProvinceSummary is the run's outcome for one 2025 province: the linked
// citizen's, or for records not linked the one their address names.
type ProvinceSummary struct {
	Code      string           `json:"code"`
	Name      string           `json:"name"`
	Statuses  map[Status]int64 `json:"statuses"`
	Scorecard Scorecard        `json:"scorecard"`
}

// ErrorSummary counts the rows' problems by kind and keeps the first.
type ErrorSummary struct {
	Rows   int64                `json:"rows"`
	ByKind map[input.Kind]int64 `json:"by_kind"`
	First  []RowError           `json:"first"`
}

// RowError is one problem of one row.
type RowError struct {
	Line   int64      `json:"line"`
	Key    string     `json:"record_key"`
	Field  string     `json:"field,omitempty"`
	Kind   input.Kind `json:"kind"`
	Reason string     `json:"reason"`
}

// maxRowErrors is how many row errors the report lists.
const maxRowErrors = 200

// ModelSummary is the fitted model and how it decides.
type ModelSummary struct {
	Params     *fellegi.Params    `json:"params"`
	Thresholds fellegi.Thresholds `json:"thresholds"`
	SampleSize int                `json:"sample_size"`
	// Explanation says in words how the thresholds decide.
	Explanation string `json:"explanation"`
}

// newReport starts the report of a run whose cfg has its defaults
// filled.
func newReport(reg *Register, cfg *Config, params *fellegi.Params) *Report {
	r := &Report{
		Dataset: cfg.Dataset, Citizens: reg.Len(), Statuses: map[Status]int64{}, Differing: map[string]int64{},
		MaxPerCitizen: cfg.MaxPerCitizen,
		Errors:        ErrorSummary{ByKind: map[input.Kind]int64{}},
		Model: ModelSummary{Params: params, Thresholds: cfg.Thresholds, SampleSize: cfg.SampleSize,
			Explanation: "Each record is compared with its candidates, the citizens that share its number or a blocking key " +
				"(name and year of birth, name and date, phone…). A candidate's weight is log2(m/u) summed over the fields " +
				"both sides give, an exact agreement on the full name counting more the rarer the name is in the register. " +
				"As a record is one citizen at most, its candidates compete: the probability that it is a given candidate " +
				"is that candidate's odds over one plus the sum of all candidates' odds. The best candidate is linked when " +
				"that probability reaches the link threshold; otherwise the record is ambiguous, for an officer to decide, " +
				"when the probability that it is any of its candidates reaches the review threshold, and not found when not."},
		provinces: map[uint16]*ProvinceSummary{}, firstOf: map[uint64]firstRecord{}, units: reg.units,
	}
	for _, s := range Statuses {
		r.Statuses[s] = 0
	}
	r.present = mappedFields(cfg.Input.Columns)
	r.AsOf = cfg.AsOf
	return r
}

// mappedFields has a bit per compared field the columns map.
func mappedFields(cols map[string]string) uint8 {
	var b uint8
	for i, name := range [numFields][]string{{"pid", "old_id_number"}, {"full_name"}, {"date_of_birth"}, {"gender"}, {"permanent_address"}, {"phone"}} {
		for _, n := range name {
			if cols[n] != "" {
				b |= 1 << i
			}
		}
	}
	return b
}

// add counts one outcome, filling its duplicate and limit columns.
func (r *Report) add(o *Outcome) {
	r.Records++
	linked := o.Status == StatusMatch || o.Status == StatusCorrected
	if linked {
		n := o.PID.Uint64()
		first, seen := r.firstOf[n]
		if seen {
			o.DuplicateOf = first.key
			r.Duplicates++
		} else {
			first.key = o.Record.Key
		}
		first.count++
		r.firstOf[n] = first
		if r.MaxPerCitizen > 0 && int(first.count) > r.MaxPerCitizen {
			o.OverLimit = true
			r.OverLimit++
		}
		if o.Deceased {
			r.Deceased++
		}
		if o.Decided {
			r.Decided++
		}
		for f := range numFields {
			if o.Differing&(1<<f) != 0 {
				r.Differing[outputNames[f]]++
			}
		}
	}
	r.Statuses[o.Status]++
	if len(o.Record.Errors) > 0 {
		r.Errors.Rows++
		for _, e := range o.Record.Errors {
			r.Errors.ByKind[e.Kind]++
			if len(r.Errors.First) < maxRowErrors {
				r.Errors.First = append(r.Errors.First, RowError{Line: o.Record.Line, Key: o.Record.Key, Field: e.Field, Kind: e.Kind, Reason: e.Reason})
			}
		}
	}
	p := r.provinces[o.Province]
	if p == nil {
		p = &ProvinceSummary{Statuses: map[Status]int64{}}
		if o.Province != 0 {
			p.Code = r.units.Provinces(adminunit.Era2025)[o.Province-1].Code
			p.Name = r.units.Provinces(adminunit.Era2025)[o.Province-1].Name
		}
		r.provinces[o.Province] = p
	}
	p.Statuses[o.Status]++
	r.Scorecard.count(o, r.present, linked, r.AsOf)
	p.Scorecard.count(o, r.present, linked, r.AsOf)
}

func (s *Scorecard) count(o *Outcome, mapped uint8, linked bool, asOf registry.Date) {
	s.Records++
	for f := range numFields {
		bit := uint8(1) << f
		if mapped&bit != 0 {
			s.FieldsMapped++
			if o.present&bit != 0 {
				s.FieldsFilled++
			}
		}
	}
	if o.DuplicateOf != "" || o.Status == StatusInvalid || len(o.Record.Errors) > 0 {
		s.Unclean++
	}
	if !linked {
		return
	}
	s.Linked++
	for f := range numFields {
		bit := uint8(1) << f
		if o.present&bit == 0 {
			continue
		}
		s.FieldsGiven++
		if o.Differing&bit == 0 {
			s.FieldsAgree++
		}
	}
	switch {
	case o.Deceased:
		s.Dead++
		if o.DiedOn.Year != 0 && o.DiedOn.SurelyAfter(asOf) {
			s.DeadSince++
		}
	case o.present&(1<<fieldAddress) != 0 && o.Differing&(1<<fieldAddress) != 0:
		s.Moved++
	}
}

func (s *Scorecard) finish() {
	share := func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	s.Correct = share(s.FieldsAgree, s.FieldsGiven)
	s.Complete = share(s.FieldsFilled, s.FieldsMapped)
	s.Clean = share(s.Records-s.Unclean, s.Records)
	s.Live = share(s.Linked-s.Dead-s.Moved, s.Linked)
}

func (r *Report) finish(start time.Time, fit time.Duration) {
	r.StartedAt = start.UTC().Truncate(time.Second)
	now := time.Now()
	r.FinishedAt = now.UTC().Truncate(time.Second)
	r.Seconds = now.Sub(start).Seconds()
	r.FitSeconds = fit.Seconds()
	if r.Seconds > 0 {
		r.RecordsPerMinute = float64(r.Records) / r.Seconds * 60
	}
	if r.Records > 0 {
		r.ReviewShare = float64(r.Statuses[StatusAmbiguous]) / float64(r.Records)
	}
	r.Scorecard.finish()
	for _, p := range r.provinces {
		p.Scorecard.finish()
		r.Provinces = append(r.Provinces, *p)
	}
	slices.SortFunc(r.Provinces, func(a, b ProvinceSummary) int {
		switch {
		case a.Code == "":
			return 1
		case b.Code == "":
			return -1
		}
		return cmpString(a.Code, b.Code)
	})
	r.firstOf = nil // the memory of a run's citizens goes with it
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// RegisterValue is the register's value of a compared field for a linked
// record, as corrections show it.
func (reg *Register) RegisterValue(number pid.PID, field string) (string, bool) {
	who, ok := reg.find(number.Uint64())
	if !ok {
		return "", false
	}
	p := &reg.people[who]
	switch field {
	case "full_name":
		return reg.name(p), true
	case "date_of_birth":
		dob := p.dob.date()
		return dob.String(), dob.Year != 0
	case "gender":
		return string(p.gender), p.gender != pid.GenderUnknown
	case "permanent_address":
		if p.commune == 0 {
			return "", false
		}
		return reg.units.Format(adminunit.Era2025, communeCode(p.commune))
	case "phone":
		if p.phone == 0 {
			return "", false
		}
		return "0" + uitoa(p.phone), true
	}
	return "", false
}

// communeCode writes a 2025 commune code with its five digits.
func communeCode(code int32) string {
	s := uitoa(uint64(code))
	for len(s) < 5 {
		s = "0" + s
	}
	return s
}

func uitoa(n uint64) string { return strconv.FormatUint(n, 10) }
