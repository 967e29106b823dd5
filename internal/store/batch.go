package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

// This file writes a batch of commits (an import) as few statements as it
// can: every event and claim, the versions the batch replaces, and the
// final state of each record the batch touches, in multi-row INSERTs. A
// record the batch creates is inserted once, at its last version in the
// batch; a record that existed before is updated once, checked against the
// version it had before the batch. The result is the one a commit-by-commit write would
// leave, and as there, a record changed by someone else meanwhile fails
// the whole batch with registry.ErrConflict.

// maxParams bounds the placeholders of one statement (PostgreSQL's limit
// is 65,535): on PostgreSQL a multi-row INSERT saves a round trip per row.
// SQLite compiles each row of a VALUES list into code of its own, so there
// a small statement prepared once and run per few rows is faster.
const maxParams = 30000

// sqliteRowsPerInsert is the rows of one INSERT on SQLite.
var sqliteRowsPerInsert = 1

// batchWriter collects the rows of a batch, table by table.
type batchWriter struct {
	rowsPerInsert                                      int // 0: as many as maxParams allows
	events, claims, citizenVersions, householdVersions [][]any
	citizens                                           map[pid.PID]*finalRow
	citizenOrder                                       []pid.PID
	households                                         map[string]*finalRow
	householdOrder                                     []string
	residences                                         map[string][]any
	residenceOrder                                     []string
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

func newBatchWriter(engine Engine) *batchWriter {
	rows := 0
	if engine == SQLite {
		rows = sqliteRowsPerInsert
	}
	return &batchWriter{rowsPerInsert: rows, citizens: map[pid.PID]*finalRow{}, households: map[string]*finalRow{}, residences: map[string][]any{}}
}

func (b *batchWriter) add(c registry.Commit) error {
	ev, enc, edata, err := eventOf(c)
	if err != nil {
		return err
	}
	at := ev.RecordedAt.UnixMicro()
	b.events = append(b.events, eventRow(ev, edata))
	for _, number := range c.ClaimPIDs {
		b.claims = append(b.claims, []any{string(number), at})
	}
	for i, h := range c.Households {
		data, err := encoded(at1(enc.Households, i), h)
		if err != nil {
			return err
		}
		args := householdRow(h, data, ev.ID, at)
		version := []any{h.ID, h.Version, ev.ID, at, string(data)}
		if f, ok := b.households[h.ID]; ok {
			b.householdVersions = append(b.householdVersions, f.version) // replaced within the batch
			f.args, f.version = args, version
		} else {
			b.households[h.ID] = &finalRow{args: args, version: version, before: h.Version - 1}
			b.householdOrder = append(b.householdOrder, h.ID)
		}
	}
	for i, ct := range c.Citizens {
		data, err := encoded(at1(enc.Citizens, i), ct)
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
	for i, r := range c.Residences {
		data, err := encoded(at1(enc.Residences, i), r)
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

// write writes the batch: events first and records before what refers to
// them (foreign keys are checked at once).
func (b *batchWriter) write(ctx context.Context, tx *txExec) error {
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
	if err := b.insertRows(ctx, tx, "household_versions", "id, version, event_id, recorded_at, data", "", b.householdVersions); err != nil {
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
func (b *batchWriter) insertNew(ctx context.Context, tx *txExec, table, columns, key string, rows [][]any) error {
	return b.insertChunks(ctx, tx, table, columns, "ON CONFLICT ("+key+") DO NOTHING", rows, true)
}

func (b *batchWriter) insertRows(ctx context.Context, tx *txExec, table, columns, suffix string, rows [][]any) error {
	return b.insertChunks(ctx, tx, table, columns, suffix, rows, false)
}

func (b *batchWriter) insertChunks(ctx context.Context, tx *txExec, table, columns, suffix string, rows [][]any, all bool) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(rows[0])
	per := max(1, maxParams/width)
	if b.rowsPerInsert > 0 {
		per = b.rowsPerInsert
	}
	args := make([]any, 0, min(len(rows), per)*width)
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		res, err := tx.ExecContext(ctx, insertSQL(table, columns, suffix, width, len(chunk)), args...)
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

// insertSQL is INSERT INTO table (columns) VALUES ($1, …), … for n rows
// of width values.
func insertSQL(table, columns, suffix string, width, n int) string {
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
