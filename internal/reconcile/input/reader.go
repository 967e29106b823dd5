package input

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dancu/internal/registry"
	"dancu/internal/vntext"
)

// MaxRecord is the longest row, in bytes, the reader accepts. A real row is
// under 2 KiB; a CSV row longer than this is almost always a quote that is
// never closed, which would otherwise swallow the rest of the file.
const MaxRecord = 1 << 20

// sniffSize is how much of the start of a file NewReader examines for its
// encoding, format and delimiter.
const sniffSize = 64 << 10

// Reader reads the records of a dataset. It is not safe for concurrent use.
type Reader struct {
	format Format
	delim  rune
	order  dateOrder
	today  registry.Date
	br     *bufio.Reader
	err    error // the file-level error that stopped the reader

	// keyMapped says the record key comes from the file, not the line.
	keyMapped bool

	// CSV
	cr         *csv.Reader
	guard      *guardReader
	lineOffset int64 // lines consumed before cr started (Excel's sep= line)
	lastLine   int64 // the line of the last row read
	noHeader   bool
	width      int // columns a row must have; 0 until the first row when noHeader
	col        [numFields]int

	// NDJSON
	line  int64
	json  jsonFields
	lines []byte // a line that did not fit the buffer
}

// NewReader starts reading a dataset from r: it checks the encoding, sniffs
// the format and the delimiter and reads the CSV header. It returns a
// *FileError when the file cannot be read as configured, any other error
// for bad options or a failing r.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	rd := &Reader{}
	var err error
	if rd.order, err = parseDateFormat(opts.DateFormat); err != nil {
		return nil, err
	}
	cols, err := checkColumns(opts.Columns)
	if err != nil {
		return nil, err
	}
	today := opts.Today
	if today.IsZero() {
		today = time.Now()
	}
	rd.today = registry.DateOf(today)
	switch strings.ToLower(string(opts.Format)) {
	case "":
	case "csv":
		rd.format = CSV
	case "ndjson", "jsonl":
		rd.format = NDJSON
	default:
		return nil, fmt.Errorf("unknown format %q: use csv or ndjson", opts.Format)
	}
	if d := opts.Delimiter; d != 0 && !validDelimiter(d) {
		return nil, fmt.Errorf("delimiter %q cannot separate CSV columns", d)
	}

	rd.guard = &guardReader{r: r}
	rd.br = bufio.NewReaderSize(rd.guard, 2*sniffSize)
	head, err := rd.br.Peek(sniffSize)
	atEOF := err != nil
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	if err := checkSignature(head); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		_, _ = rd.br.Discard(3)
		head = head[3:]
	}
	body := bytes.TrimLeft(head, " \t\r\n")
	if len(body) == 0 && atEOF {
		return nil, fileErr(0, KindFormat, "the file is empty")
	}
	if rd.format == "" {
		rd.format = CSV
		if len(body) > 0 && body[0] == '{' {
			rd.format = NDJSON
		}
	}
	if rd.format == NDJSON {
		rd.json = newJSONFields(cols)
		rd.keyMapped = cols[fKey] != ""
		return rd, nil
	}
	rd.delim = opts.Delimiter
	if d, n, ok := excelSep(head); ok {
		if rd.delim == 0 {
			rd.delim = d
		}
		_, _ = rd.br.Discard(n)
		head = head[n:]
		rd.lineOffset = 1
	}
	if rd.delim == 0 {
		rd.delim = sniffDelimiter(head)
	}
	rd.guard.on = true
	rd.cr = csv.NewReader(rd.br)
	rd.cr.Comma = rd.delim
	rd.cr.FieldsPerRecord = -1
	rd.cr.ReuseRecord = true
	if opts.NoHeader {
		rd.noHeader = true
		if err := rd.numberedColumns(cols); err != nil {
			return nil, err
		}
		return rd, nil
	}
	if err := rd.readHeader(cols); err != nil {
		return nil, err
	}
	return rd, nil
}

// Format returns the format of the file, given or sniffed.
func (r *Reader) Format() Format { return r.format }

// Delimiter returns the CSV delimiter, given or sniffed (0 for NDJSON).
func (r *Reader) Delimiter() rune { return r.delim }

// Next returns the next record. A problem with the row is on the record;
// io.EOF ends the file; any other error (a *FileError, or an error of the
// underlying reader) means nothing more can be read, and Next returns it
// again if called again.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	var rec Record
	var err error
	if r.cr != nil {
		rec, err = r.nextCSV()
	} else {
		rec, err = r.nextNDJSON()
	}
	if err != nil && err != io.EOF {
		r.err = err
	}
	return rec, err
}

// build parses the raw values of the row starting at line.
func (r *Reader) build(line int64, raw *[numFields]string) Record {
	rec := Record{
		Line: line,
		Raw: Raw{PID: raw[fPID], OldID: raw[fOldID], FullName: raw[fName], DateOfBirth: raw[fDOB],
			Gender: raw[fGender], Address: raw[fAddress], Phone: raw[fPhone]},
	}
	if key := strings.TrimSpace(raw[fKey]); key != "" {
		rec.Key = key
	} else if r.keyMapped {
		rec.addError(FieldRecordKey, raw[fKey], KindMissingKey, "the record key is empty")
	} else {
		rec.Key = strconv.FormatInt(line, 10)
	}
	parseIDs(&rec, raw[fPID], raw[fOldID])
	rec.FullName = vntext.Normalize(raw[fName])
	if raw[fDOB] != "" {
		d, swappable, bad := parseDate(raw[fDOB], r.order, r.today)
		if bad != nil {
			rec.addError(FieldDateOfBirth, raw[fDOB], bad.kind, bad.reason)
		}
		rec.DateOfBirth, rec.DateSwappable = d, swappable
	}
	var reason string
	if rec.Gender, reason = parseGender(raw[fGender]); reason != "" {
		rec.addError(FieldGender, raw[fGender], KindBadGender, reason)
	}
	rec.Address = vntext.Normalize(raw[fAddress])
	if rec.Phone, reason = parsePhone(raw[fPhone]); reason != "" {
		rec.addError(FieldPhone, raw[fPhone], KindBadPhone, reason)
	}
	return rec
}

// validDelimiter reports whether encoding/csv accepts d as a delimiter.
func validDelimiter(d rune) bool {
	return d != 0 && d != '"' && d != '\r' && d != '\n' && d != utf8.RuneError && utf8.ValidRune(d)
}

// invalid returns the record of a row that cannot be read.
func (r *Reader) invalid(line int64, kind Kind, format string, args ...any) Record {
	rec := Record{Line: line, Invalid: true}
	if !r.keyMapped {
		rec.Key = strconv.FormatInt(line, 10)
	}
	rec.Errors = []FieldError{{Kind: kind, Reason: fmt.Sprintf(format, args...)}}
	return rec
}

// notUTF8 is the reason given for a row that is not UTF-8. Such a row is
// invalid and the run goes on: a file exported in a legacy encoding gets
// an error on every row with a letter outside ASCII, each saying how to
// fix the file, rather than no report at all.
func notUTF8(line int64) string {
	return fmt.Sprintf("not UTF-8 (line %d): the file may be a Windows-1258, TCVN3 or Latin-1 export; save it as UTF-8 (in Excel: Save As, \"CSV UTF-8\")", line)
}

// checkSignature rejects files that are not UTF-8 text by their first
// bytes: byte-order marks of UTF-16 and UTF-32, NUL bytes (UTF-16 without
// a mark, or a binary file) and the signatures of the files agencies send
// by mistake.
func checkSignature(b []byte) error {
	sigs := []struct {
		prefix string
		msg    string
	}{
		{"\xff\xfe\x00\x00", "the file is UTF-32; save it as UTF-8"},
		{"\x00\x00\xfe\xff", "the file is UTF-32; save it as UTF-8"},
		{"\xff\xfe", "the file is UTF-16; save it as UTF-8 (in Excel: Save As, \"CSV UTF-8\")"},
		{"\xfe\xff", "the file is UTF-16; save it as UTF-8 (in Excel: Save As, \"CSV UTF-8\")"},
		{"PK\x03\x04", "the file is a zip archive, probably an Excel workbook (.xlsx); save the sheet as \"CSV UTF-8\""},
		{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "the file is an Excel 97-2003 workbook (.xls); save the sheet as \"CSV UTF-8\""},
		{"%PDF", "the file is a PDF document; export the data as CSV UTF-8"},
		{"\x1f\x8b", "the file is compressed with gzip; decompress it first"},
	}
	for _, s := range sigs {
		if bytes.HasPrefix(b, []byte(s.prefix)) {
			return fileErr(0, KindEncoding, "%s", s.msg)
		}
	}
	if bytes.IndexByte(b, 0) < 0 {
		return nil
	}
	// UTF-16 without a byte-order mark: ASCII characters come out as a
	// byte and a NUL, the NUL second in little-endian files.
	sample := b[:min(len(b), 1024)]
	var even, odd int
	for i, c := range sample {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	if half := len(sample) / 2; half > 0 && (odd*3 > half*2 && even*8 < odd || even*3 > half*2 && odd*8 < even) {
		return fileErr(0, KindEncoding, "the file is UTF-16; save it as UTF-8 (in Excel: Save As, \"CSV UTF-8\")")
	}
	line := int64(bytes.Count(b[:bytes.IndexByte(b, 0)], []byte("\n")) + 1)
	return fileErr(line, KindEncoding, "the file holds NUL bytes: it is not a text file, or not UTF-8; save it as CSV UTF-8")
}

// guardReader counts the bytes read since the reader last finished a row,
// so that a row cannot grow without bound (see MaxRecord).
type guardReader struct {
	r  io.Reader
	n  int64
	on bool // off for NDJSON, whose lines are bounded by readLine
}

var errTooLong = errors.New("row too long")

func (g *guardReader) Read(p []byte) (int, error) {
	if g.on && g.n > MaxRecord {
		return 0, errTooLong
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}
