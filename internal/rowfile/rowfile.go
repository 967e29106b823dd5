// Package rowfile reads and writes files of flat rows of strings as NDJSON
// or CSV, one row at a time in constant memory: citizen records
// (registry.Record) for import and export, and any other flat row type
// (RowReader) such as the records of a batch verification.
//
// A bad row is reported with its line number and the reader goes on to the
// next; only an unreadable stream stops it. See docs/import.md.
package rowfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"dancu/internal/registry"
)

// Format is a file format.
type Format string

// The formats.
const (
	NDJSON Format = "ndjson"
	CSV    Format = "csv"
)

// FormatOf returns the format named by explicit ("ndjson" or "csv") or,
// when that is empty, by the extension of name (.ndjson, .jsonl, .csv).
func FormatOf(name, explicit string) (Format, error) {
	switch strings.ToLower(explicit) {
	case "ndjson", "jsonl":
		return NDJSON, nil
	case "csv":
		return CSV, nil
	case "":
	default:
		return "", fmt.Errorf("unknown format %q: use ndjson or csv", explicit)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".ndjson", ".jsonl":
		return NDJSON, nil
	case ".csv":
		return CSV, nil
	}
	return "", fmt.Errorf("cannot tell the format of %q from its name: give --format ndjson or csv", name)
}

// MaxLine is the longest row, in bytes, a reader accepts; a real record
// is under 2 KiB.
const MaxLine = 1 << 20

// RowError is a row that cannot be read; the reader goes on after it.
type RowError struct {
	Line int64
	Msg  string
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Row is a flat row type: Fields returns pointers to its string fields,
// in the order of the names its reader is given.
type Row[T any] interface {
	*T
	Fields() []*string
}

// Reader reads citizen records.
type Reader = RowReader[registry.Record, *registry.Record]

// RowReader reads rows of type T.
type RowReader[T any, P Row[T]] struct {
	names    []string // the field names, in the order of P.Fields
	required []string // CSV columns the header must have
	format   Format
	// NDJSON
	br   *bufio.Reader
	line int64
	// CSV
	cr      *csv.Reader
	columns []int // for each CSV column, the index of its Record field
	header  error
}

// NewReader reads records in format from r. A UTF-8 byte order mark at
// the start is skipped. For CSV the first row must be a header naming
// columns of RecordFields (in any order, any subset holding pid).
func NewReader(r io.Reader, format Format) *Reader {
	return NewRowReader[registry.Record](r, format, registry.RecordFields, "pid")
}

// NewRowReader reads rows of type T in format from r; names are the JSON
// keys and CSV column names of T's fields, in the order of T.Fields. A
// UTF-8 byte order mark at the start is skipped. For CSV the first row
// must be a header naming columns of names in any order, including every
// required one.
func NewRowReader[T any, P Row[T]](r io.Reader, format Format, names []string, required ...string) *RowReader[T, P] {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	rd := &RowReader[T, P]{names: names, required: required, format: format, br: br}
	if format == CSV {
		rd.cr = csv.NewReader(br)
		rd.cr.FieldsPerRecord = -1
		rd.cr.ReuseRecord = true
		rd.header = rd.readHeader()
	}
	return rd
}

func (r *RowReader[T, P]) readHeader() error {
	head, err := r.cr.Read()
	if err == io.EOF {
		return errors.New("the file is empty: a CSV file starts with a header row")
	}
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	index := map[string]int{}
	for i, name := range r.names {
		index[name] = i
	}
	seen := map[string]bool{}
	r.columns = make([]int, len(head))
	for i, name := range head {
		name = strings.TrimSpace(name)
		j, ok := index[name]
		if !ok {
			return fmt.Errorf("header: unknown column %q (columns are %s)", name, strings.Join(r.names, ", "))
		}
		if seen[name] {
			return fmt.Errorf("header: column %q appears twice", name)
		}
		seen[name] = true
		r.columns[i] = j
	}
	for _, name := range r.required {
		if !seen[name] {
			return fmt.Errorf("header: no %s column", name)
		}
	}
	return nil
}

// Next returns the next row and its line number. A *RowError reports a
// bad row (call Next again for the one after it); io.EOF ends the file;
// any other error means the stream cannot be read on.
func (r *RowReader[T, P]) Next() (int64, T, error) {
	if r.format == CSV {
		return r.nextCSV()
	}
	return r.nextNDJSON()
}

func (r *RowReader[T, P]) nextCSV() (int64, T, error) {
	var rec, zero T
	if r.header != nil {
		return 0, zero, r.header
	}
	for {
		row, err := r.cr.Read()
		if err == io.EOF {
			return 0, rec, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return int64(pe.StartLine), rec, &RowError{Line: int64(pe.StartLine), Msg: pe.Err.Error()}
			}
			return 0, rec, err
		}
		line, _ := r.cr.FieldPos(0)
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue // a blank line
		}
		if len(row) != len(r.columns) {
			return int64(line), rec, &RowError{Line: int64(line), Msg: fmt.Sprintf("the row has %d columns, the header %d", len(row), len(r.columns))}
		}
		fields := P(&rec).Fields()
		for i, v := range row {
			if !utf8.ValidString(v) {
				return int64(line), zero, &RowError{Line: int64(line), Msg: fmt.Sprintf("column %s is not valid UTF-8", r.names[r.columns[i]])}
			}
			*fields[r.columns[i]] = v
		}
		return int64(line), rec, nil
	}
}

func (r *RowReader[T, P]) nextNDJSON() (int64, T, error) {
	var rec, zero T
	for {
		raw, err := r.readLine()
		if err != nil {
			return r.line, rec, err
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		if !utf8.Valid(raw) {
			return r.line, rec, &RowError{Line: r.line, Msg: "not valid UTF-8"}
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			return r.line, zero, &RowError{Line: r.line, Msg: jsonMessage(err)}
		}
		if dec.More() {
			return r.line, zero, &RowError{Line: r.line, Msg: "more than one JSON value on the line"}
		}
		return r.line, rec, nil
	}
}

// readLine returns the next line without its newline, or a *RowError for
// a line longer than MaxLine (skipped to its end).
func (r *RowReader[T, P]) readLine() ([]byte, error) {
	r.line++
	var long []byte
	tooLong := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull && err != io.EOF {
			return nil, err
		}
		if len(long)+len(chunk) > MaxLine+1 { // +1: the newline
			tooLong, long = true, nil
		}
		if err == bufio.ErrBufferFull {
			if !tooLong {
				long = append(long, chunk...)
			}
			continue
		}
		switch {
		case tooLong:
			return nil, &RowError{Line: r.line, Msg: fmt.Sprintf("the line is longer than %d bytes", MaxLine)}
		case err == io.EOF && len(long)+len(chunk) == 0:
			return nil, io.EOF
		case long != nil:
			return append(long, chunk...), nil
		}
		return chunk, nil
	}
}

// jsonMessage says what is wrong with a JSON line in the file's terms.
func jsonMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("%s must be a string", te.Field)
		}
		return "a row must be a JSON object"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("broken JSON at byte %d: %v", se.Offset, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "broken JSON: the line ends inside a value"
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		return "unknown field " + strings.TrimPrefix(msg, "json: unknown field ")
	}
	return err.Error()
}

// Writer writes records.
type Writer struct {
	format Format
	bw     *bufio.Writer
	cw     *csv.Writer
	row    []string
}

// NewWriter writes records in format to w; for CSV it writes the header
// first. Call Flush at the end.
func NewWriter(w io.Writer, format Format) (*Writer, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	wr := &Writer{format: format, bw: bw}
	if format == CSV {
		wr.cw = csv.NewWriter(bw)
		wr.row = make([]string, len(registry.RecordFields))
		if err := wr.cw.Write(registry.RecordFields); err != nil {
			return nil, err
		}
	}
	return wr, nil
}

// Write writes one record.
func (w *Writer) Write(r registry.Record) error {
	if w.format == CSV {
		for i, f := range r.Fields() {
			w.row[i] = *f
		}
		return w.cw.Write(w.row)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.bw.Write(b)
	return err
}

// Flush writes what is buffered.
func (w *Writer) Flush() error {
	if w.cw != nil {
		w.cw.Flush()
		if err := w.cw.Error(); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}
