package input

import (
	"fmt"
	"strings"
	"time"
)

// Format is the format of a dataset.
type Format string

// The formats. The zero Format means "sniff it from the content".
const (
	CSV    Format = "csv"
	NDJSON Format = "ndjson"
)

// The field names of this package: what Options.Columns maps to the file's
// columns.
const (
	FieldPID         = "pid"               // personal ID number (số định danh cá nhân)
	FieldOldID       = "old_id_number"     // old identity card number (CMND)
	FieldFullName    = "full_name"         // full name (họ và tên)
	FieldDateOfBirth = "date_of_birth"     // date of birth
	FieldGender      = "gender"            // gender (giới tính)
	FieldAddress     = "permanent_address" // permanent residence (thường trú)
	FieldPhone       = "phone"             // phone number
	FieldRecordKey   = "record_key"        // the agency's own key for the row
)

// field indexes a field name.
type field int

const (
	fPID field = iota
	fOldID
	fName
	fDOB
	fGender
	fAddress
	fPhone
	fKey
	numFields
)

// fieldNames is the name of each field, in the order of the field indexes.
var fieldNames = [numFields]string{FieldPID, FieldOldID, FieldFullName,
	FieldDateOfBirth, FieldGender, FieldAddress, FieldPhone, FieldRecordKey}

func (f field) String() string { return fieldNames[f] }

// Fields returns the field names Options.Columns accepts.
func Fields() []string { return append([]string(nil), fieldNames[:]...) }

// fieldOf returns the field named name (case-insensitive).
func fieldOf(name string) (field, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for f, n := range fieldNames {
		if n == name {
			return field(f), true
		}
	}
	return 0, false
}

// Options says how to read a dataset. The zero Options reads a CSV or NDJSON
// file whose columns are named like the fields, dates in day/month order.
type Options struct {
	// Format is CSV, NDJSON or "" to sniff it: a file whose first byte
	// that is not white space is '{' is NDJSON. "jsonl" is NDJSON.
	Format Format
	// Delimiter is the CSV delimiter; 0 sniffs it from the first line:
	// whichever of ';', ',', tab and '|' occurs most often outside quotes
	// (';' on a tie, as Excel writes it in Vietnamese locales; ',' if none
	// occurs).
	Delimiter rune
	// NoHeader says the CSV file has no header row; Columns must then name
	// columns by number, 1 being the first.
	NoHeader bool
	// Columns maps field names (FieldPID …) to the file's column names or
	// JSON keys, matched case-insensitively after trimming white space. A
	// CSV column may also be given by number (1 is the first) when no
	// header column has that name. A field not in Columns is read from the
	// column or key named like the field, if there is one.
	Columns map[string]string
	// DateFormat fixes the order of day and month in dates written with the
	// year last: "dd/mm/yyyy" (also d/m/yyyy, dd-mm-yy, dd.mm.yyyy) or
	// "mm/dd/yyyy" (US exports). "yyyy-mm-dd" declares ISO dates, and a
	// full date with the year last is then an error. Empty reads day/month,
	// the Vietnamese convention, except where only month/day is possible
	// (05/13/1990 is 13 May). Whatever the format, yyyy-mm-dd, mm/yyyy,
	// yyyy-mm and yyyy are read, a two-digit year is put in the latest
	// century that does not make the date later than Today, and a time of
	// midnight after the date ("1990-05-12 00:00:00") is ignored.
	DateFormat string
	// Today is the date dates of birth may not be after, and the pivot of
	// two-digit years; the zero Time means now.
	Today time.Time
}

// ParseColumns reads the command-line form of Options.Columns,
// "pid=COL,full_name=COL,…": field names as listed in Fields, each at most
// once, each with a non-empty column name or number. Column names cannot
// hold commas; give such a column by number. An empty s is no mapping.
func ParseColumns(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	cols := map[string]string{}
	for i, item := range strings.Split(s, ",") {
		name, col, ok := strings.Cut(item, "=")
		name, col = strings.TrimSpace(name), strings.TrimSpace(col)
		f, known := fieldOf(name)
		switch {
		case strings.TrimSpace(item) == "":
			return nil, fmt.Errorf("columns: item %d is empty (two commas in a row, or a comma at the end)", i+1)
		case !ok:
			return nil, fmt.Errorf("columns: %q has no \"=\": write field=column, for example full_name=Ho ten", strings.TrimSpace(item))
		case name == "":
			return nil, fmt.Errorf("columns: %q names no field before \"=\"", strings.TrimSpace(item))
		case !known:
			return nil, fmt.Errorf("columns: unknown field %q (fields are %s)", name, strings.Join(fieldNames[:], ", "))
		case col == "":
			return nil, fmt.Errorf("columns: field %s has no column after \"=\"", f)
		}
		if prev, dup := cols[f.String()]; dup {
			return nil, fmt.Errorf("columns: field %s is given twice (%q and %q)", f, prev, col)
		}
		cols[f.String()] = col
	}
	return cols, nil
}

// mapping is Options.Columns checked: the column of each field, "" when
// the field is not mapped explicitly.
type mapping [numFields]string

func checkColumns(cols map[string]string) (mapping, error) {
	var m mapping
	for name, col := range cols {
		f, ok := fieldOf(name)
		if !ok {
			return m, fmt.Errorf("columns: unknown field %q (fields are %s)", name, strings.Join(fieldNames[:], ", "))
		}
		if m[f] != "" {
			return m, fmt.Errorf("columns: field %s is given twice", f)
		}
		if m[f] = strings.TrimSpace(col); m[f] == "" {
			return m, fmt.Errorf("columns: field %s has no column", f)
		}
	}
	return m, nil
}
