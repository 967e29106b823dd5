package input

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// columnKey is the form in which column names are compared: trimmed, NFC,
// lower case.
func columnKey(s string) string {
	return strings.ToLower(norm.NFC.String(strings.TrimSpace(s)))
}

// excelSep recognises the "sep=;" line Excel writes and reads at the top of
// a CSV file, returning the delimiter and the length of the line.
func excelSep(b []byte) (rune, int, bool) {
	if len(b) < 5 || !strings.EqualFold(string(b[:4]), "sep=") {
		return 0, 0, false
	}
	d, size := utf8.DecodeRune(b[4:])
	rest := b[4+size:]
	if !validDelimiter(d) {
		return 0, 0, false
	}
	switch {
	case bytes.HasPrefix(rest, []byte("\r\n")):
		return d, 4 + size + 2, true
	case bytes.HasPrefix(rest, []byte("\n")):
		return d, 4 + size + 1, true
	}
	return 0, 0, false
}

// sniffDelimiter picks the delimiter of a CSV file from its first line
// (which may span lines inside quotes): whichever of ';', ',', tab and '|'
// occurs most often outside quotes, ';' first on a tie, ',' if none does.
func sniffDelimiter(b []byte) rune {
	candidates := [...]byte{';', ',', '\t', '|'}
	var counts [len(candidates)]int
	quoted := false
scan:
	for _, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			break scan
		default:
			for i, d := range candidates {
				if c == d {
					counts[i]++
				}
			}
		}
	}
	best, n := rune(','), 0
	for i, c := range counts {
		if c > n {
			best, n = rune(candidates[i]), c
		}
	}
	return best
}

// readHeader reads the header row and finds the column of every field.
func (r *Reader) readHeader(cols mapping) error {
	head, err := r.readRow()
	if err == io.EOF {
		return fileErr(0, KindFormat, "the file has no header row")
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fileErr(int64(pe.StartLine)+r.lineOffset, KindColumns, "the header row: %s", quoteReason(pe, r.lineOffset))
	}
	if err != nil {
		return err
	}
	line := r.lastLine
	for _, h := range head {
		if !utf8.ValidString(h) {
			return fileErr(line, KindEncoding, "the header is not UTF-8; save the file as UTF-8")
		}
	}
	r.width = len(head)
	index := make(map[string][]int, len(head))
	for i, h := range head {
		k := columnKey(h)
		index[k] = append(index[k], i)
	}
	names := func() string {
		var b strings.Builder
		for i, h := range head {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(strings.TrimSpace(h)))
		}
		return b.String()
	}
	claimed := make(map[int]bool)
	found := false
	for f := range numFields {
		r.col[f] = -1
		name := cols[f]
		if name == "" {
			continue
		}
		at := index[columnKey(name)]
		switch {
		case len(at) > 1:
			return fileErr(line, KindColumns, "column %q (for %s) appears %d times in the header; give its number instead", name, f, len(at))
		case len(at) == 1:
			r.col[f] = at[0]
		default:
			n, err := strconv.Atoi(name)
			if err != nil || n < 1 {
				return fileErr(line, KindColumns, "column %q (for %s) is not in the header, whose columns are %s", name, f, names())
			}
			if n > len(head) {
				return fileErr(line, KindColumns, "column %d (for %s) is past the last column of the header, %d", n, f, len(head))
			}
			r.col[f] = n - 1
		}
		claimed[r.col[f]] = true
		found = true
	}
	// A field not mapped explicitly is read from a column of its own name,
	// unless an explicit mapping took that column.
	for f := range numFields {
		if cols[f] != "" {
			continue
		}
		at := index[fieldNames[f]]
		if len(at) > 1 {
			return fileErr(line, KindColumns, "column %q appears %d times in the header", fieldNames[f], len(at))
		}
		if len(at) == 1 && !claimed[at[0]] {
			r.col[f] = at[0]
			found = true
		}
	}
	if !found {
		return fileErr(line, KindColumns, "no column of the header is mapped to a field: give the columns to read (fields are %s); the header's columns are %s",
			strings.Join(fieldNames[:], ", "), names())
	}
	r.keyMapped = r.col[fKey] >= 0
	return nil
}

// numberedColumns maps the fields of a file without a header.
func (r *Reader) numberedColumns(cols mapping) error {
	found := false
	for f := range numFields {
		r.col[f] = -1
		if cols[f] == "" {
			continue
		}
		n, err := strconv.Atoi(cols[f])
		if err != nil || n < 1 {
			return fileErr(0, KindColumns, "a file without a header has its columns given by number (1 is the first), not %q (for %s)", cols[f], f)
		}
		r.col[f] = n - 1
		found = true
	}
	if !found {
		return fileErr(0, KindColumns, "a file without a header needs its columns given by number, such as pid=1,full_name=2")
	}
	r.keyMapped = r.col[fKey] >= 0
	return nil
}

// readRow reads the next CSV row, skipping blank ones (all cells empty or
// white space, as Excel writes below the data). A *csv.ParseError is a
// bad row; a *FileError or another error stops the file.
func (r *Reader) readRow() ([]string, error) {
	for {
		r.guard.n = 0
		row, err := r.cr.Read()
		if err != nil {
			if errors.Is(err, errTooLong) {
				return nil, fileErr(r.lastLine+1, KindTooLong, "a row starting after line %d is longer than %d bytes: probably a quote that is never closed", r.lastLine, MaxRecord)
			}
			return nil, err
		}
		line, _ := r.cr.FieldPos(0)
		r.lastLine = int64(line) + r.lineOffset
		if !blank(row) {
			return row, nil
		}
	}
}

func blank(row []string) bool {
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func (r *Reader) nextCSV() (Record, error) {
	row, err := r.readRow()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line := int64(pe.StartLine) + r.lineOffset
			r.lastLine = int64(pe.Line) + r.lineOffset
			return r.invalid(line, KindCSV, "%s", quoteReason(pe, r.lineOffset)), nil
		}
		return Record{}, err
	}
	line := r.lastLine
	if r.width == 0 { // the first row of a file without a header
		r.width = len(row)
		for f, c := range r.col {
			if c >= r.width {
				return Record{}, fileErr(line, KindColumns, "column %d (for %s) is past the last column of the first row, %d", c+1, field(f), r.width)
			}
		}
	}
	if len(row) != r.width {
		what := "the header"
		if r.noHeader {
			what = "the first row"
		}
		return r.invalid(line, KindColumns, "the row has %d columns but %s has %d (a delimiter inside a value that is not in quotes?)", len(row), what, r.width), nil
	}
	// Only the columns read are checked: a stray byte in a column of no
	// interest does not spoil the row.
	var raw [numFields]string
	for f, c := range r.col {
		if c >= 0 {
			if raw[f] = row[c]; !utf8.ValidString(raw[f]) {
				return r.invalid(line, KindEncoding, "%s", notUTF8(line)), nil
			}
		}
	}
	return r.build(line, &raw), nil
}

// quoteReason explains a CSV syntax error in the terms of someone fixing
// the file.
func quoteReason(pe *csv.ParseError, offset int64) string {
	// pe.Column counts bytes, which is not what an editor shows for a
	// line of Vietnamese text.
	at := fmt.Sprintf("line %d", int64(pe.Line)+offset)
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return "a quote (\") inside a value that does not start with a quote, at " + at + `: put the whole value in quotes and double the quote ("")`
	case errors.Is(pe.Err, csv.ErrQuote):
		return "a quoted value is not closed properly at " + at + `: a closing quote must be followed by the delimiter or the end of the line, and a quote inside the value doubled ("")`
	}
	return pe.Err.Error() + " at " + at
}
