package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

// This file writes a batch of commits (an import) as few statements as it
// can: every event and claim, the versions the batch replaces, and the
// final state of each record the batch touches. A record the batch
// creates is inserted once, at its last version in the batch; a record
// that existed before is updated once, checked against the version it had
// before the batch. The result is the one a commit-by-commit write would
// leave, and as there, a record changed by someone else meanwhile fails
// the whole batch with registry.ErrConflict. New rows go in with COPY on
// PostgreSQL and in multi-row INSERTs on SQLite.

// rowsPerInsert is the rows of one INSERT on SQLite, prepared once per
// batch; the rows left over go one by one, so that no statement of an odd
// size is compiled. At 200,000 citizens, 32 rows a statement took the
// import from 9.9 to 8.5 s (1, 16, 32 and 64 measured; 16 to 64 alike).
const rowsPerInsert = 32

// batchWriter collects the rows of a batch, table by table.
type batchWriter struct {
	events, claims, citizenVersions [][]any
	// claimsDeferred leaves the claims out: a bulk load makes them at its
	// end (DropIndexes).
	claimsDeferred bool
	citizens       map[pid.PID]*finalRow
	citizenOrder   []pid.PID
	households     map[string]*finalHousehold
	householdOrder []string
	residences     map[string][]any
	residenceOrder []string
	sql            map[sqlKey]string // statements by table and rows
}

// finalRow is a record's last state in the batch, its versions-table row
// (written only if a later batch or event replaces it: see
// migrations/0005_current_versions.sql) and the version it had before the
// batch (0 when the batch creates it).
type finalRow struct {
	args    []any
	version []any
	before  int64
	head    bool
}

// finalHousehold is a household's last state in the batch, encoded when
// the batch is complete: a household that members join row after row is
// encoded once per batch, not once per member.
type finalHousehold struct {
	h       registry.Household
	eventID string
	at      int64
	before  int64
	args    []any
}

func newBatchWriter() *batchWriter {
	return &batchWriter{citizens: map[pid.PID]*finalRow{}, households: map[string]*finalHousehold{}, residences: map[string][]any{}}
}

// add turns a commit into rows.
//
// A household version that a later commit of the same batch replaces is
// not kept in household_versions: the events of the batch hold each
// change to its members (before and after), and the batch is one
// transaction, so no reader ever saw that version. This is what lets an
// import write a household of six once instead of six times.
func (b *batchWriter) add(c registry.Commit) error {
	ev := c.Event
	edata, err := json.Marshal(ev.Body())
	if err != nil {
		return err
	}
	at := ev.RecordedAt.UnixMicro()
	b.events = append(b.events, eventRow(ev, edata))
	if !b.claimsDeferred {
		for _, number := range c.ClaimPIDs {
			b.claims = append(b.claims, []any{string(number), at})
		}
	}
	for _, h := range c.Households {
		if f, ok := b.households[h.ID]; ok {
			f.h, f.eventID, f.at = h, ev.ID, at
		} else {
			b.households[h.ID] = &finalHousehold{h: h, eventID: ev.ID, at: at, before: h.Version - 1}
			b.householdOrder = append(b.householdOrder, h.ID)
		}
	}
	for _, ct := range c.Citizens {
		data, err := ct.AppendJSON(nil)
		if err != nil {
			return err
		}
		args := citizenRow(ct, c.Communes[ct.PID], data, ev.ID, at)
		version := []any{string(ct.PID), ct.Version, ev.ID, at, string(data)}
		head := ct.RelationToHead == registry.RelationHead
		if f, ok := b.citizens[ct.PID]; ok {
			b.citizenVersions = append(b.citizenVersions, f.version)
			f.args, f.version, f.head = args, version, head
		} else {
			b.citizens[ct.PID] = &finalRow{args: args, version: version, before: ct.Version - 1, head: head}
			b.citizenOrder = append(b.citizenOrder, ct.PID)
		}
	}
	for _, r := range c.Residences {
		data, err := encodeResidence(r)
		if err != nil {
			return err
		}
		if _, ok := b.residences[r.ID]; !ok {
			b.residenceOrder = append(b.residenceOrder, r.ID)
		}
		b.residences[r.ID] = residenceRow(r, ev.ID, data)
	}
	return nil
}

// finish encodes the households at their last state in the batch.
func (b *batchWriter) finish() error {
	for _, id := range b.householdOrder {
		f := b.households[id]
		data, err := f.h.AppendJSON(nil)
		if err != nil {
			return err
		}
		f.args = householdRow(f.h, data, f.eventID, f.at)
	}
	return nil
}

// write writes the batch: events first and records before what refers to
// them (foreign keys are checked at once).
func (b *batchWriter) write(ctx context.Context, tx execer) error {
	if err := b.insertRows(ctx, tx, "events", "id, kind, pid, effective_date, recorded_at, actor, legal_basis, data", "", b.events); err != nil {
		return err
	}
	if err := b.insertRows(ctx, tx, "pid_claims", "pid, claimed_at", "ON CONFLICT (pid) DO NOTHING", b.claims); err != nil {
		return err
	}
	var newHouseholds [][]any
	for _, id := range b.householdOrder {
		f := b.households[id]
		if f.before == 0 {
			newHouseholds = append(newHouseholds, f.args)
			continue
		}
		if err := keepVersion(ctx, tx, keepHouseholdVersion, id, f.before); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, updateHousehold, append(f.args, f.before)...)
		if err := checkOne(res, err, "household "+id); err != nil {
			return err
		}
	}
	if err := b.insertNew(ctx, tx, "households", householdColumns, "id", newHouseholds); err != nil {
		return err
	}
	// Members who stop being a head are written before the one who
	// becomes head, so the one-head index never sees two at once.
	order := append([]pid.PID(nil), b.citizenOrder...)
	sort.SliceStable(order, func(i, j int) bool { return !b.citizens[order[i]].head && b.citizens[order[j]].head })
	var newCitizens [][]any
	for _, number := range order {
		f := b.citizens[number]
		if f.before == 0 {
			newCitizens = append(newCitizens, f.args)
			continue
		}
		if err := keepVersion(ctx, tx, keepCitizenVersion, string(number), f.before); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, updateCitizen, append(f.args, f.before)...)
		if err := checkOne(res, err, "citizen "+string(number)); err != nil {
			return err
		}
	}
	if err := b.insertNew(ctx, tx, "citizens", citizenColumns, "pid", newCitizens); err != nil {
		return err
	}
	if err := b.insertRows(ctx, tx, "citizen_versions", "pid, version, event_id, recorded_at, data", "", b.citizenVersions); err != nil {
		return err
	}
	residences := make([][]any, len(b.residenceOrder))
	for i, id := range b.residenceOrder {
		residences[i] = b.residences[id]
	}
	return b.insertRows(ctx, tx, "residences", "id, pid, kind, active, start_date, end_date, event_id, data",
		`ON CONFLICT (id) DO UPDATE SET active = excluded.active, end_date = excluded.end_date,
			event_id = excluded.event_id, data = excluded.data`, residences)
}

// insertNew inserts records that must not exist yet; one that does means
// a concurrent writer created it first: registry.ErrConflict.
func (b *batchWriter) insertNew(ctx context.Context, tx execer, table, columns, key string, rows [][]any) error {
	return b.insertChunks(ctx, tx, table, columns, "ON CONFLICT ("+key+") DO NOTHING", rows, true)
}

func (b *batchWriter) insertRows(ctx context.Context, tx execer, table, columns, suffix string, rows [][]any) error {
	return b.insertChunks(ctx, tx, table, columns, suffix, rows, false)
}

func (b *batchWriter) insertChunks(ctx context.Context, tx execer, table, columns, suffix string, rows [][]any, all bool) error {
	if len(rows) == 0 {
		return nil
	}
	if c, ok := tx.(copier); ok {
		// COPY has no ON CONFLICT: a row that exists already fails the
		// batch as a conflict, and the importer redoes its rows one by
		// one, through the statements that have.
		if err := c.copyRows(ctx, table, strings.Split(columns, ", "), rows); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("write %s: %w", table, registry.ErrConflict)
			}
			return fmt.Errorf("write %s: %w", table, err)
		}
		return nil
	}
	width := len(rows[0])
	args := make([]any, 0, min(len(rows), rowsPerInsert)*width)
	for start := 0; start < len(rows); {
		n := rowsPerInsert
		if len(rows)-start < rowsPerInsert {
			n = 1
		}
		chunk := rows[start : start+n]
		start += n
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		res, err := tx.ExecContext(ctx, b.insertSQL(table, columns, suffix, width, len(chunk)), args...)
		if err != nil {
			if all && isUniqueViolation(err) {
				return fmt.Errorf("write %s: %w", table, registry.ErrConflict)
			}
			return fmt.Errorf("write %s: %w", table, err)
		}
		if all {
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("write %s: %w", table, err)
			}
			if n != int64(len(chunk)) {
				return fmt.Errorf("write %s: %d of %d rows exist already: %w", table, int64(len(chunk))-n, len(chunk), registry.ErrConflict)
			}
		}
	}
	return nil
}

// insertSQL is the package's insertSQL, made once per table and size.
func (b *batchWriter) insertSQL(table, columns, suffix string, width, n int) string {
	k := sqlKey{table, n}
	q, ok := b.sql[k]
	if !ok {
		// Anonymous parameters: SQLite's driver reads the name of each
		// numbered one back from the statement at every execution (a
		// string allocated per value), which made an INSERT of 64 rows
		// slower than 64 of one row.
		q = insertSQL(table, columns, suffix, width, n, true)
		if b.sql == nil {
			b.sql = map[sqlKey]string{}
		}
		b.sql[k] = q
	}
	return q
}

type sqlKey struct {
	table string
	rows  int
}

// insertSQL is INSERT INTO table (columns) VALUES ($1, …), … for n rows
// of width values; with anon, the parameters are all ?.
func insertSQL(table, columns, suffix string, width, n int, anon bool) string {
	var b strings.Builder
	b.Grow(len(table) + len(columns) + n*width*7 + len(suffix) + 32)
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(columns)
	b.WriteString(") VALUES ")
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range width {
			if j > 0 {
				b.WriteString(", ")
			}
			if anon {
				b.WriteByte('?')
				continue
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(p))
			p++
		}
		b.WriteByte(')')
	}
	if suffix != "" {
		b.WriteByte(' ')
		b.WriteString(suffix)
	}
	return b.String()
}

// execer runs a batch's statements: txExec in a database/sql transaction,
// pgxExec in a pgx one (PostgreSQL).
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// copier is an execer that loads new rows with COPY, which PostgreSQL
// parses and inserts several times faster than multi-row INSERTs.
type copier interface {
	copyRows(ctx context.Context, table string, columns []string, rows [][]any) error
}

// writePostgres writes a batch in a transaction of the pgx connection
// under database/sql's, for COPY.
func (db *DB) writePostgres(ctx context.Context, b *batchWriter) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("begin: unexpected driver connection %T", dc)
		}
		return pgx.BeginFunc(ctx, sc.Conn(), func(tx pgx.Tx) error {
			if db.bulk.Load() {
				if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit TO off`); err != nil {
					return err
				}
			}
			return b.write(ctx, pgxExec{tx})
		})
	})
}

type pgxExec struct{ tx pgx.Tx }

func (x pgxExec) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tag, err := x.tx.Exec(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgxResult(tag.RowsAffected()), nil
}

func (x pgxExec) copyRows(ctx context.Context, table string, columns []string, rows [][]any) error {
	n, err := x.tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
	if err == nil && n != int64(len(rows)) {
		err = fmt.Errorf("copied %d of %d rows", n, len(rows))
	}
	return err
}

// pgxResult is the sql.Result of a statement run through pgx.
type pgxResult int64

func (r pgxResult) LastInsertId() (int64, error) {
	return 0, errors.New("no insert id on PostgreSQL")
}

func (r pgxResult) RowsAffected() (int64, error) { return int64(r), nil }
