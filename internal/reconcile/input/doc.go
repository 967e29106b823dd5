// Package input reads the sectoral datasets that agencies (telecoms
// operators, banks, ministries) send to be reconciled (đối soát) against the
// population register, one record at a time in constant memory.
//
// The files are exports from Excel, from old case-management systems and from
// hand-written scripts, so the reader accepts what such exports really look
// like and says precisely what it cannot accept:
//
//   - CSV with a header row (or without one, columns then named by number),
//     delimited by comma, semicolon, tab or bar, sniffed from the header line;
//     Excel's "sep=;" first line is honoured. Quoted fields may hold
//     delimiters, doubled quotes and line breaks. Or NDJSON: one JSON object
//     a line, values strings or numbers. The format is sniffed from the first
//     byte that is not white space ('{' means NDJSON) unless it is given.
//   - UTF-8, with or without a byte-order mark. UTF-16 and UTF-32 (what
//     Excel's "Unicode text" writes), workbooks (.xlsx, .xls), PDF and gzip
//     files are rejected with a message saying how to export the data
//     properly. Invalid UTF-8 (Windows-1258, TCVN3 or Latin-1 exports) in the
//     first 64 KiB rejects the file, naming the line: such a file is
//     entirely in a legacy encoding and every row with a Vietnamese letter
//     would be garbled. A stray invalid byte further on only makes its row
//     invalid, so that a run over millions of rows is not lost to one byte
//     when the rows before it have already been reconciled.
//   - Agencies name their columns as they like: Options.Columns maps the
//     fields of this package (pid, old_id_number, full_name, date_of_birth,
//     gender, permanent_address, phone, record_key) to the file's column
//     names or JSON keys; ParseColumns reads the command-line form.
//   - Values as spreadsheets mangle them: ID and phone numbers with spaces,
//     dots and dashes, a 9-digit old ID number in the ID column, numbers
//     that lost a leading zero or turned into "1.23457E+11" (reported, never
//     guessed), dates in a dozen layouts including two-digit years and
//     Excel's "1990-05-12 00:00:00", genders written Nam, Nữ, NU, M, F or
//     female, phone numbers as +84, 84 or 0.
//
// Only a problem with the whole file (encoding, no header, a mapped column
// the header lacks) is an error from NewReader or Reader.Next. A problem
// with one row is reported on its Record, in FieldError values whose Kind
// lets a report count errors by kind, and the stream goes on: a file of a
// million rows with a hundred bad ones yields a million records.
//
// The reasons in FieldError name the offending value, so that an operator
// can find it in the agency's file; they are personal data and belong in the
// reconciliation report, not in a log.
package input
