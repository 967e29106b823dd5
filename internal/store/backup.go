package store

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dancu/internal/config"
)

// A backup is a logical, engine-neutral copy of every dancu table: a gzip
// stream of JSON lines.
//
//	{"format":"dancu-backup","format_version":1,"schema_version":N,"engine":"sqlite","created_at":"…","dancu_version":"…"}
//	{"table":"pid_claims","columns":["pid","claimed_at"]}
//	["001204012345",1767225600000000]
//	…
//	{"end":true,"tables":T,"rows":R,"sha256":"…"}
//
// Values are JSON null, true/false, strings, integers (no fraction, no
// exponent: int64 exactly) and floats (always written with a fraction or an
// exponent, so 3.0 stays a float). Bytes are {"b64":"…"}; text that is not
// valid UTF-8 is {"sb64":"…"}; floats JSON cannot spell (NaN, ±Inf) are
// {"f":"NaN"}; a time the driver handed over as one is {"t":"RFC 3339"}.
// The trailer's sha256 covers every preceding line, each with its "\n".
const (
	backupFormat        = "dancu-backup"
	backupFormatVersion = 1
	// maxBackupLine bounds one line of a backup being restored, so a
	// corrupt file cannot make restore allocate without limit.
	maxBackupLine = 256 << 20
)

// BackupSummary describes a backup that was written.
type BackupSummary struct {
	Engine        Engine
	SchemaVersion int
	Tables        []TableRows // in the order they were written
	Rows          int64
	Bytes         int64 // compressed bytes written
	Took          time.Duration
}

// RestoreSummary describes a backup that was loaded.
type RestoreSummary struct {
	SourceEngine  Engine    // the engine the backup was taken on
	CreatedAt     time.Time // when the backup was taken
	SchemaVersion int       // the backup's schema version
	Tables        []TableRows
	Rows          int64
	Migrated      []Applied // steps run after loading, for a backup from an older schema
	Took          time.Duration
}

// TableRows counts the rows of one table in a backup.
type TableRows struct {
	Table string
	Rows  int64
}

// ErrNotEmpty means a restore was refused because the database already
// holds dancu data.
var ErrNotEmpty = errors.New("the database already holds data")

// ErrBadBackup means the backup file is not a complete, intact dancu
// backup (truncated, corrupted or of another format).
var ErrBadBackup = errors.New("not a complete dancu backup")

type backupHeader struct {
	Format        string `json:"format"`
	FormatVersion int    `json:"format_version"`
	SchemaVersion int    `json:"schema_version"`
	Engine        Engine `json:"engine"`
	CreatedAt     string `json:"created_at"`
	DancuVersion  string `json:"dancu_version"`
}

type backupTable struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
}

type backupTrailer struct {
	End    bool   `json:"end"`
	Tables int    `json:"tables"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// Backup writes every dancu table (all but schema_migrations, found in the
// catalog, so tables added by later migrations are included) to w, read in
// one consistent snapshot: a read transaction on SQLite, where WAL mode
// gives snapshot isolation and lets the writer carry on, and a REPEATABLE
// READ, READ ONLY transaction on PostgreSQL. Tables are written parents
// first, by their foreign keys, so a restore can insert them in file order.
// progress, when not nil, is called after each table. Backup does not
// close w.
func (db *DB) Backup(ctx context.Context, w io.Writer, progress func(table string, rows int64)) (BackupSummary, error) {
	start := time.Now()
	sum := BackupSummary{Engine: db.engine}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return sum, fmt.Errorf("backup: begin snapshot: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only; nothing to keep

	// The first read fixes the snapshot on SQLite; the schema version is
	// read inside it so it matches the tables.
	var version sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil {
		if isMissingTable(err) {
			return sum, errors.New("backup: the database has no dancu schema (never migrated); nothing to back up")
		}
		return sum, fmt.Errorf("backup: read schema version: %w", err)
	}
	sum.SchemaVersion = int(version.Int64)
	tables, err := db.catalog(ctx, tx)
	if err != nil {
		return sum, fmt.Errorf("backup: %w", err)
	}

	counter := &countingWriter{w: w}
	gz, err := gzip.NewWriterLevel(counter, gzip.BestSpeed)
	if err != nil {
		return sum, err
	}
	bw := bufio.NewWriterSize(gz, 256<<10)
	h := sha256.New()
	out := io.MultiWriter(bw, h)
	line := make([]byte, 0, 4096)
	writeLine := func() error {
		line = append(line, '\n')
		_, err := out.Write(line)
		line = line[:0]
		return err
	}
	writeJSONLine := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		line = append(line[:0], b...)
		return writeLine()
	}

	header := backupHeader{
		Format:        backupFormat,
		FormatVersion: backupFormatVersion,
		SchemaVersion: sum.SchemaVersion,
		Engine:        db.engine,
		CreatedAt:     time.Now().UTC().Format(time.RFC3339),
		DancuVersion:  config.Version(),
	}
	if err := writeJSONLine(header); err != nil {
		return sum, fmt.Errorf("backup: write: %w", err)
	}
	for _, t := range tables {
		if err := writeJSONLine(backupTable{Table: t.name, Columns: t.columnNames()}); err != nil {
			return sum, fmt.Errorf("backup: write: %w", err)
		}
		n, err := db.backupTable(ctx, tx, t, func(row []any) error {
			var err error
			if line, err = appendRow(line, row); err != nil {
				return err
			}
			return writeLine()
		})
		if err != nil {
			return sum, fmt.Errorf("backup table %s: %w", t.name, err)
		}
		sum.Tables = append(sum.Tables, TableRows{Table: t.name, Rows: n})
		sum.Rows += n
		if progress != nil {
			progress(t.name, n)
		}
	}
	trailer := backupTrailer{End: true, Tables: len(tables), Rows: sum.Rows, SHA256: hex.EncodeToString(h.Sum(nil))}
	b, err := json.Marshal(trailer)
	if err != nil {
		return sum, err
	}
	if _, err := bw.Write(append(b, '\n')); err != nil {
		return sum, fmt.Errorf("backup: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return sum, fmt.Errorf("backup: write: %w", err)
	}
	if err := gz.Close(); err != nil {
		return sum, fmt.Errorf("backup: write: %w", err)
	}
	// Ending the snapshot is part of a clean backup: on SQLite it lets the
	// WAL be checkpointed past it.
	if err := tx.Commit(); err != nil {
		return sum, fmt.Errorf("backup: end snapshot: %w", err)
	}
	sum.Bytes = counter.n
	sum.Took = time.Since(start)
	return sum, nil
}

// backupTable streams the rows of t to emit and counts them.
func (db *DB) backupTable(ctx context.Context, tx *sql.Tx, t tableInfo, emit func([]any) error) (int64, error) {
	sel := make([]string, len(t.columns))
	for i, c := range t.columns {
		switch {
		case db.engine == SQLite:
			// Unary plus hides the declared type from the driver, which
			// would otherwise turn text in a DATE or TIMESTAMP column into
			// a time.Time; the value and its storage class are unchanged.
			sel[i] = "+" + quoteIdent(c.name)
		case c.kind == kindOther:
			// numeric, json, uuid, date, timestamp …: their text form is
			// exact and both engines accept it back.
			sel[i] = quoteIdent(c.name) + "::text"
		default:
			sel[i] = quoteIdent(c.name)
		}
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM "+quoteIdent(t.name))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	vals := make([]any, len(t.columns))
	ptrs := make([]any, len(t.columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if err := emit(vals); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// appendRow appends row as a JSON array to b.
func appendRow(b []byte, row []any) ([]byte, error) {
	b = append(b, '[')
	for i, v := range row {
		if i > 0 {
			b = append(b, ',')
		}
		switch v := v.(type) {
		case nil:
			b = append(b, "null"...)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case float64:
			switch {
			case math.IsNaN(v):
				b = append(b, `{"f":"NaN"}`...)
			case math.IsInf(v, 1):
				b = append(b, `{"f":"+Inf"}`...)
			case math.IsInf(v, -1):
				b = append(b, `{"f":"-Inf"}`...)
			default:
				n := len(b)
				b = strconv.AppendFloat(b, v, 'g', -1, 64)
				if !bytes.ContainsAny(b[n:], ".e") {
					b = append(b, ".0"...)
				}
			}
		case bool:
			b = strconv.AppendBool(b, v)
		case string:
			if utf8.ValidString(v) {
				b = appendJSONString(b, v)
			} else {
				b = append(b, `{"sb64":"`...)
				b = base64.StdEncoding.AppendEncode(b, []byte(v))
				b = append(b, `"}`...)
			}
		case []byte:
			b = append(b, `{"b64":"`...)
			b = base64.StdEncoding.AppendEncode(b, v)
			b = append(b, `"}`...)
		case time.Time:
			b = append(b, `{"t":"`...)
			b = v.AppendFormat(b, time.RFC3339Nano)
			b = append(b, `"}`...)
		default:
			return b, fmt.Errorf("column %d: value of type %T cannot be backed up", i+1, v)
		}
	}
	return append(b, ']'), nil
}

// appendJSONString appends s, which is valid UTF-8, as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Restore loads a backup written by Backup into db, which must hold no
// dancu data (ErrNotEmpty otherwise). The backup's schema version must not
// be newer than this binary's; the database is migrated to exactly that
// version, loaded in one transaction, and then migrated the rest of the
// way, so a backup from an older dancu restores into a newer one.
//
// Nothing is committed unless the whole file was read and its trailer
// matches (table and row counts and the SHA-256 of every line): a
// truncated or corrupted file leaves the database without data. Foreign
// keys are checked at commit on SQLite; on PostgreSQL tables are inserted
// parents first, in the order the backup wrote them. Tables or columns the
// schema does not have are an error; a table missing from the file stays
// empty. progress, when not nil, is called after each table.
func (db *DB) Restore(ctx context.Context, r io.Reader, progress func(table string, rows int64)) (RestoreSummary, error) {
	start := time.Now()
	var sum RestoreSummary
	gz, err := gzip.NewReader(r)
	if err != nil {
		return sum, fmt.Errorf("restore: %w: not gzip (%v)", ErrBadBackup, err)
	}
	br := &backupReader{r: bufio.NewReaderSize(gz, 1<<20), h: sha256.New()}

	line, err := br.next()
	if err != nil {
		return sum, fmt.Errorf("restore: header: %w", err)
	}
	var head backupHeader
	if err := json.Unmarshal(line, &head); err != nil || head.Format != backupFormat {
		return sum, fmt.Errorf("restore: %w: the first line is not a dancu backup header", ErrBadBackup)
	}
	if head.FormatVersion != backupFormatVersion {
		return sum, fmt.Errorf("restore: backup format version %d is not supported by this dancu (it reads version %d)", head.FormatVersion, backupFormatVersion)
	}
	sum.SourceEngine = head.Engine
	sum.SchemaVersion = head.SchemaVersion
	sum.CreatedAt, _ = time.Parse(time.RFC3339, head.CreatedAt)

	steps, err := Migrations(db.engine)
	if err != nil {
		return sum, err
	}
	if head.SchemaVersion < 1 {
		return sum, fmt.Errorf("restore: %w: the header has no schema version", ErrBadBackup)
	}
	if head.SchemaVersion > len(steps) {
		return sum, fmt.Errorf("restore: the backup is of schema version %d and this dancu knows versions 1 to %d; restore it with the dancu that wrote it (%s) or a newer one",
			head.SchemaVersion, len(steps), head.DancuVersion)
	}
	current, err := db.SchemaVersion(ctx)
	if err != nil {
		return sum, fmt.Errorf("restore: %w", err)
	}
	// Refuse a database with data before changing anything, migrations
	// included.
	if err := db.checkEmpty(ctx, db.read); err != nil {
		return sum, fmt.Errorf("restore: %w", err)
	}
	if current > head.SchemaVersion {
		return sum, fmt.Errorf("restore: the database is already at schema version %d and the backup is of version %d; restore into a new database, which is migrated to the backup's version, loaded, then migrated to %d",
			current, head.SchemaVersion, len(steps))
	}
	if _, err := db.migrate(ctx, steps[:head.SchemaVersion]); err != nil {
		return sum, fmt.Errorf("restore: migrate to the backup's schema version %d: %w", head.SchemaVersion, err)
	}

	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.lockMigrations(ctx, tx); err != nil {
			return err
		}
		// Checked again inside the write transaction: nobody can add a
		// row between this check and the load on SQLite, and concurrent
		// restores are serialised by the lock on PostgreSQL.
		if err := db.checkEmpty(ctx, tx); err != nil {
			return err
		}
		switch db.engine {
		case SQLite:
			// foreign_keys cannot change inside a transaction, but their
			// checks can wait for the commit.
			if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
				return err
			}
		case Postgres:
			if _, err := tx.ExecContext(ctx, `SET CONSTRAINTS ALL DEFERRED`); err != nil {
				return err
			}
		}
		tables, err := db.catalog(ctx, tx)
		if err != nil {
			return err
		}
		byName := map[string]tableInfo{}
		for _, t := range tables {
			byName[t.name] = t
		}
		return db.load(ctx, tx, br, byName, &sum, progress)
	})
	if err != nil {
		return sum, fmt.Errorf("restore: %w", err)
	}
	applied, err := db.migrate(ctx, steps)
	sum.Migrated = applied
	if err != nil {
		return sum, fmt.Errorf("restore: the data is loaded, but migrating it from version %d failed (run dancu migrate once the cause is fixed): %w", head.SchemaVersion, err)
	}
	sum.Took = time.Since(start)
	return sum, nil
}

// load reads table sections until the trailer, inserting their rows, and
// verifies the trailer. It must run in the restore's transaction.
func (db *DB) load(ctx context.Context, tx *sql.Tx, br *backupReader, tables map[string]tableInfo, sum *RestoreSummary, progress func(string, int64)) error {
	seen := map[string]bool{}
	var ins *inserter
	finish := func() error {
		if ins == nil {
			return nil
		}
		if err := ins.flush(ctx); err != nil {
			return fmt.Errorf("table %s: %w", ins.table.name, err)
		}
		ins.close()
		sum.Tables = append(sum.Tables, TableRows{Table: ins.table.name, Rows: ins.rows})
		sum.Rows += ins.rows
		if progress != nil {
			progress(ins.table.name, ins.rows)
		}
		ins = nil
		return nil
	}
	defer func() {
		if ins != nil {
			ins.close()
		}
	}()
	for {
		line, err := br.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w: the file ends without its trailer (truncated?)", ErrBadBackup)
			}
			return err
		}
		if len(line) > 0 && line[0] == '[' {
			if ins == nil {
				return fmt.Errorf("%w: line %d: a row before any table", ErrBadBackup, br.lines)
			}
			if err := ins.add(ctx, line); err != nil {
				return fmt.Errorf("table %s: line %d: %w", ins.table.name, br.lines, err)
			}
			continue
		}
		var obj struct {
			backupTable
			backupTrailer
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&obj); err != nil {
			return fmt.Errorf("%w: line %d: %v", ErrBadBackup, br.lines, err)
		}
		if err := finish(); err != nil {
			return err
		}
		if obj.End {
			t := obj.backupTrailer
			if t.SHA256 != br.sum() {
				return fmt.Errorf("%w: checksum mismatch (the file is corrupted)", ErrBadBackup)
			}
			if t.Tables != len(sum.Tables) || t.Rows != sum.Rows {
				return fmt.Errorf("%w: the trailer counts %d tables and %d rows, the file holds %d and %d", ErrBadBackup, t.Tables, t.Rows, len(sum.Tables), sum.Rows)
			}
			if _, err := br.next(); !errors.Is(err, io.EOF) {
				if err == nil {
					return fmt.Errorf("%w: data after the trailer", ErrBadBackup)
				}
				return err
			}
			return db.resetSequences(ctx, tx, sum.Tables)
		}
		if obj.Table == "" {
			return fmt.Errorf("%w: line %d: neither a table, a row nor the trailer", ErrBadBackup, br.lines)
		}
		t, ok := tables[obj.Table]
		if !ok {
			return fmt.Errorf("the backup has a table %q that this schema does not have", obj.Table)
		}
		if seen[obj.Table] {
			return fmt.Errorf("%w: table %q appears twice", ErrBadBackup, obj.Table)
		}
		seen[obj.Table] = true
		if ins, err = newInserter(ctx, tx, db.engine, t, obj.Columns); err != nil {
			return err
		}
	}
}

// inserter inserts a table's rows in multi-row batches through prepared
// statements.
type inserter struct {
	tx     *sql.Tx
	engine Engine
	table  tableInfo
	cols   []column // the file's columns, as the target schema has them
	sql    func(rows int) string
	full   *sql.Stmt // for a whole batch
	batch  int       // rows per batch
	args   []any
	rows   int64
}

func newInserter(ctx context.Context, tx *sql.Tx, engine Engine, t tableInfo, names []string) (*inserter, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: table %s has no columns", ErrBadBackup, t.name)
	}
	ins := &inserter{tx: tx, engine: engine, table: t}
	quoted := make([]string, len(names))
	seen := map[string]bool{}
	for i, n := range names {
		c, ok := t.column(n)
		if !ok {
			return nil, fmt.Errorf("the backup has a column %s.%s that this schema does not have", t.name, n)
		}
		if seen[n] {
			return nil, fmt.Errorf("%w: column %s.%s appears twice", ErrBadBackup, t.name, n)
		}
		seen[n] = true
		ins.cols = append(ins.cols, c)
		quoted[i] = quoteIdent(n)
	}
	prefix := "INSERT INTO " + quoteIdent(t.name) + " (" + strings.Join(quoted, ", ") + ")"
	if engine == Postgres {
		// Identity columns GENERATED ALWAYS take the backed-up values too.
		prefix += " OVERRIDING SYSTEM VALUE"
	}
	ncol := len(names)
	ins.sql = func(rows int) string {
		var b strings.Builder
		b.WriteString(prefix)
		b.WriteString(" VALUES ")
		p := 1
		for r := range rows {
			if r > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for c := range ncol {
				if c > 0 {
					b.WriteByte(',')
				}
				if engine == SQLite {
					// Anonymous parameters: SQLite finds the name of a
					// $N parameter by a linear search, which makes
					// binding a batch of a thousand quadratic.
					b.WriteByte('?')
				} else {
					b.WriteByte('$')
					b.WriteString(strconv.Itoa(p))
					p++
				}
			}
			b.WriteByte(')')
		}
		return b.String()
	}
	// Both engines bind at least 32,766 parameters a statement.
	ins.batch = max(1, min(500, 30000/ncol))
	ins.args = make([]any, 0, ins.batch*ncol)
	return ins, nil
}

// add decodes one row line and queues it, inserting a full batch.
func (ins *inserter) add(ctx context.Context, line []byte) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var row []any
	if err := dec.Decode(&row); err != nil {
		return fmt.Errorf("%w: %v", ErrBadBackup, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: data after the row", ErrBadBackup)
	}
	if len(row) != len(ins.cols) {
		return fmt.Errorf("%w: %d values for %d columns", ErrBadBackup, len(row), len(ins.cols))
	}
	for i, raw := range row {
		v, err := decodeValue(raw)
		if err != nil {
			return fmt.Errorf("column %s: %w", ins.cols[i].name, err)
		}
		if v, err = ins.cols[i].convert(ins.engine, v); err != nil {
			return fmt.Errorf("column %s: %w", ins.cols[i].name, err)
		}
		ins.args = append(ins.args, v)
	}
	ins.rows++
	if len(ins.args) == cap(ins.args) {
		return ins.flush(ctx)
	}
	return nil
}

// flush inserts the queued rows.
func (ins *inserter) flush(ctx context.Context) error {
	if len(ins.args) == 0 {
		return nil
	}
	n := len(ins.args) / len(ins.cols)
	var err error
	if n == ins.batch {
		if ins.full == nil {
			if ins.full, err = ins.tx.PrepareContext(ctx, ins.sql(n)); err != nil {
				return err
			}
		}
		_, err = ins.full.ExecContext(ctx, ins.args...)
	} else {
		_, err = ins.tx.ExecContext(ctx, ins.sql(n), ins.args...)
	}
	clear(ins.args)
	ins.args = ins.args[:0]
	return err
}

func (ins *inserter) close() {
	if ins.full != nil {
		ins.full.Close()
		ins.full = nil
	}
}

// decodeValue turns a decoded JSON value of a row into a database value.
func decodeValue(v any) (any, error) {
	switch v := v.(type) {
	case nil, bool, string:
		return v, nil
	case json.Number:
		s := string(v)
		if strings.ContainsAny(s, ".eE") {
			return strconv.ParseFloat(s, 64)
		}
		return strconv.ParseInt(s, 10, 64)
	case map[string]any:
		if len(v) != 1 {
			break
		}
		for k, x := range v {
			s, ok := x.(string)
			if !ok {
				break
			}
			switch k {
			case "b64":
				return base64.StdEncoding.DecodeString(s)
			case "sb64":
				b, err := base64.StdEncoding.DecodeString(s)
				return string(b), err
			case "f":
				switch s {
				case "NaN":
					return math.NaN(), nil
				case "+Inf":
					return math.Inf(1), nil
				case "-Inf":
					return math.Inf(-1), nil
				}
			case "t":
				return time.Parse(time.RFC3339Nano, s)
			}
		}
	}
	return nil, fmt.Errorf("%w: unexpected value %v", ErrBadBackup, v)
}

// convert adapts v to the column's type on engine: booleans are 0/1 on
// SQLite and true/false on PostgreSQL, which also wants floats, not
// integers, in floating-point columns and bytes in bytea.
func (c column) convert(engine Engine, v any) (any, error) {
	if engine == SQLite {
		if b, ok := v.(bool); ok {
			if b {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return v, nil
	}
	switch c.kind {
	case kindBool:
		if n, ok := v.(int64); ok {
			switch n {
			case 0:
				return false, nil
			case 1:
				return true, nil
			}
			return nil, fmt.Errorf("%d is not a boolean", n)
		}
	case kindFloat:
		if n, ok := v.(int64); ok {
			return float64(n), nil
		}
	case kindBytes:
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	}
	return v, nil
}

// checkEmpty returns ErrNotEmpty, naming a table, when any dancu table has
// a row.
func (db *DB) checkEmpty(ctx context.Context, q queryer) error {
	tables, err := db.catalog(ctx, q)
	if err != nil {
		return err
	}
	for _, t := range tables {
		rows, err := q.QueryContext(ctx, "SELECT 1 FROM "+quoteIdent(t.name)+" LIMIT 1")
		if err != nil {
			return fmt.Errorf("check table %s is empty: %w", t.name, err)
		}
		has := rows.Next()
		err = errors.Join(rows.Err(), rows.Close())
		if err != nil {
			return fmt.Errorf("check table %s is empty: %w", t.name, err)
		}
		if has {
			return fmt.Errorf("%w (table %s has rows); restore into a new, empty database", ErrNotEmpty, t.name)
		}
	}
	return nil
}

// resetSequences moves PostgreSQL sequences owned by restored columns
// (serial and identity) past the restored values; SQLite keeps
// AUTOINCREMENT counters up to date on insert.
func (db *DB) resetSequences(ctx context.Context, tx *sql.Tx, restored []TableRows) error {
	if db.engine != Postgres {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT c.relname, a.attname, pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname)
		FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
		  AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("find sequences: %w", err)
	}
	type seq struct{ table, column, name string }
	var seqs []seq
	for rows.Next() {
		var s seq
		if err := rows.Scan(&s.table, &s.column, &s.name); err != nil {
			rows.Close()
			return fmt.Errorf("find sequences: %w", err)
		}
		seqs = append(seqs, s)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("find sequences: %w", err)
	}
	for _, s := range seqs {
		if !slices.ContainsFunc(restored, func(t TableRows) bool { return t.Table == s.table && t.Rows > 0 }) {
			continue
		}
		q := fmt.Sprintf(`SELECT setval($1::text::regclass, (SELECT MAX(%s) FROM %s))`, quoteIdent(s.column), quoteIdent(s.table))
		if _, err := tx.ExecContext(ctx, q, s.name); err != nil {
			return fmt.Errorf("reset sequence %s: %w", s.name, err)
		}
	}
	return nil
}

// backupReader reads the lines of a decompressed backup, hashing each.
type backupReader struct {
	r      *bufio.Reader
	h      hash.Hash
	buf    []byte
	hashed bool // whether buf has been hashed
	lines  int
}

// next returns the next line without its "\n", valid until the next call;
// io.EOF at a clean end, ErrBadBackup for a last line without "\n".
func (br *backupReader) next() ([]byte, error) {
	br.hash()
	br.buf = br.buf[:0]
	for {
		chunk, err := br.r.ReadSlice('\n')
		br.buf = append(br.buf, chunk...)
		if len(br.buf) > maxBackupLine {
			return nil, fmt.Errorf("%w: line %d is longer than %d bytes", ErrBadBackup, br.lines+1, maxBackupLine)
		}
		switch {
		case err == nil:
			br.lines++
			br.hashed = false
			return br.buf[:len(br.buf)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(br.buf) == 0 {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("%w: the file ends in the middle of line %d (truncated?)", ErrBadBackup, br.lines+1)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("%w: the compressed stream ends early at line %d (truncated?)", ErrBadBackup, br.lines+1)
		default:
			return nil, fmt.Errorf("%w: read line %d: %v", ErrBadBackup, br.lines+1, err)
		}
	}
}

// hash adds the line last returned to the digest. It is done lazily, so
// that sum can name the digest of the lines before the current one.
func (br *backupReader) hash() {
	if !br.hashed {
		br.h.Write(br.buf)
		br.hashed = true
	}
}

// sum is the hex SHA-256 of every line before the one next last returned.
func (br *backupReader) sum() string { return hex.EncodeToString(br.h.Sum(nil)) }

// Column kinds: what a value must look like for the engine to take it.
type columnKind int

const (
	kindText columnKind = iota
	kindInt
	kindFloat
	kindBool
	kindBytes
	kindOther // PostgreSQL types without a plain Go value: numeric, json, uuid, date, timestamp …
)

type column struct {
	name string
	kind columnKind
}

type tableInfo struct {
	name    string
	columns []column // insertable columns, in catalog order (generated ones left out)
	parents []string // tables its foreign keys reference
}

func (t tableInfo) columnNames() []string {
	out := make([]string, len(t.columns))
	for i, c := range t.columns {
		out[i] = c.name
	}
	return out
}

func (t tableInfo) column(name string) (column, bool) {
	for _, c := range t.columns {
		if c.name == name {
			return c, true
		}
	}
	return column{}, false
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// catalog lists dancu's tables (every ordinary table but
// schema_migrations) with their columns, parents before children.
func (db *DB) catalog(ctx context.Context, q queryer) ([]tableInfo, error) {
	var (
		names []string
		err   error
	)
	if db.engine == SQLite {
		// Virtual tables and their shadow tables are not ordinary tables.
		names, err = queryStrings(ctx, q, `SELECT name FROM pragma_table_list
			WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations'
			ORDER BY name`)
	} else {
		// Partitions are read through their parent.
		names, err = queryStrings(ctx, q, `SELECT c.relname FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
			  AND c.relname <> 'schema_migrations'
			ORDER BY c.relname`)
	}
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	tables := make([]tableInfo, 0, len(names))
	for _, name := range names {
		t := tableInfo{name: name}
		if t.columns, err = db.columns(ctx, q, name); err != nil {
			return nil, fmt.Errorf("list columns of %s: %w", name, err)
		}
		if db.engine == SQLite {
			t.parents, err = queryStrings(ctx, q, `SELECT DISTINCT "table" FROM pragma_foreign_key_list($1)`, name)
		} else {
			t.parents, err = queryStrings(ctx, q, `SELECT DISTINCT p.relname FROM pg_constraint co
				JOIN pg_class p ON p.oid = co.confrelid
				JOIN pg_class c ON c.oid = co.conrelid
				JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE co.contype = 'f' AND n.nspname = current_schema() AND c.relname = $1`, name)
		}
		if err != nil {
			return nil, fmt.Errorf("list foreign keys of %s: %w", name, err)
		}
		tables = append(tables, t)
	}
	return orderByForeignKeys(tables), nil
}

func (db *DB) columns(ctx context.Context, q queryer, table string) ([]column, error) {
	var query string
	if db.engine == SQLite {
		// hidden: 0 ordinary, 1 hidden (virtual tables), 2 and 3 generated.
		query = `SELECT name, type FROM pragma_table_xinfo($1) WHERE hidden = 0 ORDER BY cid`
	} else {
		query = `SELECT column_name, data_type FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 AND is_generated <> 'ALWAYS'
			ORDER BY ordinal_position`
	}
	rows, err := q.QueryContext(ctx, query, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		cols = append(cols, column{name: name, kind: db.kindOf(typ)})
	}
	return cols, rows.Err()
}

// kindOf classifies a declared (SQLite) or catalog (PostgreSQL) type.
func (db *DB) kindOf(typ string) columnKind {
	t := strings.ToUpper(typ)
	if db.engine == SQLite {
		// SQLite's affinity rules, with BOOL recognised before them.
		switch {
		case strings.Contains(t, "BOOL"):
			return kindBool
		case strings.Contains(t, "INT"):
			return kindInt
		case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
			return kindText
		case t == "", strings.Contains(t, "BLOB"):
			return kindBytes
		case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
			return kindFloat
		}
		return kindOther
	}
	switch t {
	case "BOOLEAN":
		return kindBool
	case "SMALLINT", "INTEGER", "BIGINT":
		return kindInt
	case "REAL", "DOUBLE PRECISION":
		return kindFloat
	case "TEXT", "CHARACTER", "CHARACTER VARYING":
		return kindText
	case "BYTEA":
		return kindBytes
	}
	return kindOther
}

// orderByForeignKeys sorts tables so that every table comes after the
// tables it references (by name among equals); tables in a cycle keep
// name order at the end (their foreign keys must be DEFERRABLE on
// PostgreSQL to restore; SQLite defers every check to the commit).
func orderByForeignKeys(tables []tableInfo) []tableInfo {
	pending := map[string]int{}
	for _, t := range tables {
		pending[t.name] = 0
	}
	for _, t := range tables {
		for _, p := range t.parents {
			if _, ok := pending[p]; ok && p != t.name {
				pending[t.name]++
			}
		}
	}
	out := make([]tableInfo, 0, len(tables))
	done := map[string]bool{}
	for len(out) < len(tables) {
		progressed := false
		for _, t := range tables { // tables are in name order
			if done[t.name] || pending[t.name] > 0 {
				continue
			}
			done[t.name] = true
			out = append(out, t)
			progressed = true
			for _, c := range tables {
				for _, p := range c.parents {
					if p == t.name && c.name != t.name {
						pending[c.name]--
					}
				}
			}
			break
		}
		if !progressed {
			for _, t := range tables {
				if !done[t.name] {
					done[t.name] = true
					out = append(out, t)
				}
			}
		}
	}
	return out
}

func queryStrings(ctx context.Context, q queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// quoteIdent quotes a table or column name for both engines.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
