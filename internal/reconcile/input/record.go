package input

import (
	"fmt"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

// Record is one row of a dataset. Parsed values are empty (zero) when the
// file does not give them or when they are wrong; Raw keeps the text as it
// was in the file, for the reconciliation report.
type Record struct {
	// Line is the physical line (1-based) where the row starts; a quoted
	// field with line breaks makes a row span several lines.
	Line int64
	// Key is the agency's key for the row (record_key, trimmed) or, when
	// no record_key is mapped, the line number as text. In NDJSON the key
	// "record_key" is read when Columns does not map the field; a line
	// without it gets its line number.
	Key string

	// PID is the 12-digit personal ID number, from the pid column or from
	// a 12-digit number in the old_id_number column.
	PID string
	// OldID is the old ID card number: 9 digits (also when found in the
	// pid column) or 12 digits in the old_id_number column differing from
	// PID.
	OldID string
	// FullName is the name trimmed, white space collapsed, in NFC with
	// tone marks placed canonically (vntext.Normalize). Case is kept: the
	// matcher folds it itself.
	FullName string
	// DateOfBirth is the date of birth, possibly partial (year only, or
	// year and month).
	DateOfBirth registry.Date
	// DateSwappable is true when DateOfBirth is a full date whose day and
	// month are both 12 or less and differ: someone may have swapped them,
	// in the export or at data entry.
	DateSwappable bool
	// Gender is pid.Male, pid.Female or pid.GenderUnknown.
	Gender pid.Gender
	// Address is the permanent address, normalised like FullName.
	Address string
	// Phone is a Vietnamese number in national form, "0" and 9 or 10
	// digits ("0912345678"), or a foreign one as "+" and its digits.
	Phone string

	// Raw is the text of each field as the file gave it.
	Raw Raw
	// Errors are the problems found in the row; a field with an error has
	// no parsed value (but keeps its Raw text).
	Errors []FieldError
	// Invalid means the row could not be read at all (wrong number of
	// columns, broken JSON, not UTF-8, bad quotes): only Line, Key (when it
	// is the line number) and Errors are set.
	Invalid bool
}

// Raw is the text of each field as it was in the file ("" when absent).
type Raw struct {
	PID, OldID, FullName, DateOfBirth, Gender, Address, Phone string
}

// Kind classifies a problem, for counting problems by kind in a report.
type Kind string

// The kinds of problem. Those marked "row" make the record Invalid; those
// marked "file" are only found in a *FileError.
const (
	KindEncoding   Kind = "encoding"    // row, file: not UTF-8 text
	KindColumns    Kind = "columns"     // row: wrong number of columns; file: header and mapping
	KindCSV        Kind = "csv"         // row: misplaced quotes
	KindJSON       Kind = "json"        // row: not a JSON object
	KindTooLong    Kind = "too_long"    // row, file: longer than MaxRecord
	KindFormat     Kind = "format"      // file: empty, not a CSV or NDJSON text file
	KindBadValue   Kind = "bad_value"   // a JSON value that is not a string or a number
	KindBadID      Kind = "bad_id"      // pid or old_id_number malformed
	KindIDConflict Kind = "id_conflict" // pid and old_id_number give different old IDs
	KindBadDate    Kind = "bad_date"    // not a date, or an impossible one
	KindFutureDate Kind = "future_date" // a date after Options.Today
	KindBadGender  Kind = "bad_gender"  // not a gender this package reads
	KindBadPhone   Kind = "bad_phone"   // not a phone number
	KindMissingKey Kind = "missing_key" // record_key mapped but empty
)

// FieldError is a problem with one field of a row, or with the whole row
// when Field is "".
type FieldError struct {
	// Field is the field name (FieldPID …), or "" for the row.
	Field string
	// Value is the offending text ("" for a row problem).
	Value string
	// Kind classifies the problem.
	Kind Kind
	// Reason says what is wrong, naming the value, in English.
	Reason string
}

func (e FieldError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// FileError is a problem with the whole file, after which nothing more is
// read. Errors of the underlying reader are returned as they are.
type FileError struct {
	// Line is the line the problem was found on, 0 if none.
	Line int64
	// Kind is KindEncoding, KindFormat, KindColumns or KindTooLong.
	Kind Kind
	// Msg says what is wrong and, where it can, how to fix the file.
	Msg string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func fileErr(line int64, kind Kind, format string, args ...any) *FileError {
	return &FileError{Line: line, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
