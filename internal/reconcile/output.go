package reconcile

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// RecordsColumns are the columns of records.csv, in order.
var RecordsColumns = []string{
	"record_key", "line", "status", "pid", "differing_fields", "duplicate_of", "deceased", "over_limit",
	"probability", "decided", "corrections", "errors",
}

// RecordsWriter writes records.csv: one row per input record, in the
// file's order.
type RecordsWriter struct {
	w      *csv.Writer
	reg    *Register
	reveal []string
	row    []string
}

// NewRecordsWriter writes the header of records.csv to w. reveal lists the
// fields whose register values the corrections column may show.
func NewRecordsWriter(w io.Writer, reg *Register, reveal []string) (*RecordsWriter, error) {
	rw := &RecordsWriter{w: csv.NewWriter(w), reg: reg, reveal: reveal, row: make([]string, len(RecordsColumns))}
	return rw, rw.w.Write(RecordsColumns)
}

// Row is one record's outcome, as records.csv and the API's NDJSON write
// it.
type Row struct {
	RecordKey       string            `json:"record_key"`
	Line            int64             `json:"line"`
	Status          Status            `json:"status"`
	PID             string            `json:"pid,omitempty"`
	DifferingFields []string          `json:"differing_fields,omitempty"`
	DuplicateOf     string            `json:"duplicate_of,omitempty"`
	Deceased        bool              `json:"deceased"`
	OverLimit       bool              `json:"over_limit"`
	Probability     float64           `json:"probability,omitempty"`
	Decided         bool              `json:"decided,omitempty"`
	Corrections     map[string]string `json:"corrections,omitempty"`
	Errors          []string          `json:"errors,omitempty"`
}

// RowOf is the row of an outcome. The corrections hold the register's
// values of the differing fields that reveal lists, and only those: an
// agency learns no more of the register than its scope allows.
func RowOf(reg *Register, o *Outcome, reveal []string) Row {
	row := Row{RecordKey: o.Record.Key, Line: o.Record.Line, Status: o.Status, DuplicateOf: o.DuplicateOf,
		Deceased: o.Deceased, OverLimit: o.OverLimit, Decided: o.Decided}
	if o.Status == StatusMatch || o.Status == StatusCorrected {
		row.PID = string(o.PID)
	}
	if o.Status != StatusInvalid {
		row.Probability = math.Round(o.Probability*1e6) / 1e6
	}
	for f := range numFields {
		if o.Differing&(1<<f) == 0 {
			continue
		}
		name := outputNames[f]
		row.DifferingFields = append(row.DifferingFields, name)
		if f == fieldID || !slices.Contains(reveal, name) {
			continue
		}
		if v, ok := reg.RegisterValue(o.PID, name); ok {
			if row.Corrections == nil {
				row.Corrections = map[string]string{}
			}
			row.Corrections[name] = v
		}
	}
	for _, e := range o.Record.Errors {
		row.Errors = append(row.Errors, e.Error())
	}
	return row
}

// Write writes one outcome.
func (rw *RecordsWriter) Write(o *Outcome) error {
	r := RowOf(rw.reg, o, rw.reveal)
	row := rw.row
	row[0] = r.RecordKey
	row[1] = strconv.FormatInt(r.Line, 10)
	row[2] = string(r.Status)
	row[3] = r.PID
	row[4] = strings.Join(r.DifferingFields, ";")
	row[5] = r.DuplicateOf
	row[6] = boolText(r.Deceased)
	row[7] = boolText(r.OverLimit)
	row[8] = ""
	if r.Probability > 0 {
		row[8] = strconv.FormatFloat(r.Probability, 'f', 6, 64)
	}
	row[9] = boolText(r.Decided)
	row[10] = corrections(r.Corrections)
	row[11] = strings.Join(r.Errors, "; ")
	return rw.w.Write(row)
}

// Flush writes what is buffered.
func (rw *RecordsWriter) Flush() error {
	rw.w.Flush()
	return rw.w.Error()
}

// corrections writes the corrections column: field=value;… in the order of
// the fields.
func corrections(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, name := range outputNames {
		if v, ok := m[name]; ok {
			parts = append(parts, name+"="+strings.ReplaceAll(v, ";", ","))
		}
	}
	return strings.Join(parts, ";")
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// WriteReport writes report.json and report.html into dir.
func WriteReport(dir string, rep *Report) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeFile(filepath.Join(dir, "report.json"), append(data, '\n')); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := reportPage.Execute(&b, pageData(rep)); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return writeFile(filepath.Join(dir, "report.html"), b.Bytes())
}

// writeFile writes a file whole or not at all: a reader never sees half a
// report.
func writeFile(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

//go:embed report.html.tmpl
var reportTemplate string

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	// A percentage is never broken from its number: a no-break space.
	"pct":   func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "\u00a0%" },
	"round": func(f float64) string { return groupDigits(int64(math.Round(f))) },
	"num":   func(n int64) string { return groupDigits(n) },
	"int64": func(n int) int64 { return int64(n) },
	"count": func(m map[Status]int64, s string) int64 { return m[Status(s)] },
}).Parse(reportTemplate))

// groupDigits writes n with thin spaces between thousands, as Vietnamese
// and English readers both read it.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

type statusRow struct {
	Status Status
	Label  string
	Count  int64
	Share  float64
}

type fieldRow struct {
	Field string
	Count int64
}

type page struct {
	*Report
	StatusRows []statusRow
	FieldRows  []fieldRow
	Model      string
}

var statusLabels = map[Status]string{
	StatusMatch:     "Khớp / Match",
	StatusCorrected: "Khớp, cần sửa / Match with corrections",
	StatusAmbiguous: "Cần xem xét / Ambiguous (review)",
	StatusNotFound:  "Không tìm thấy / Not found",
	StatusInvalid:   "Không hợp lệ / Invalid",
}

func pageData(rep *Report) page {
	p := page{Report: rep}
	for _, s := range Statuses {
		share := 0.0
		if rep.Records > 0 {
			share = float64(rep.Statuses[s]) / float64(rep.Records)
		}
		p.StatusRows = append(p.StatusRows, statusRow{s, statusLabels[s], rep.Statuses[s], share})
	}
	for _, f := range outputNames {
		if n := rep.Differing[f]; n > 0 {
			p.FieldRows = append(p.FieldRows, fieldRow{f, n})
		}
	}
	if rep.Model.Params != nil {
		p.Model = rep.Model.Params.Table()
	}
	return p
}
