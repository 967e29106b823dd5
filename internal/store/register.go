package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

// This file implements registry.Store: the register's records, each
// stored whole as JSON beside the columns the database keys, searches and
// constrains on (see migrations/0002_register.sql).

// Citizen returns the current record of number.
func (db *DB) Citizen(ctx context.Context, number pid.PID) (registry.Citizen, error) {
	var c registry.Citizen
	err := scanJSON(db.read.QueryRowContext(ctx, `SELECT data FROM citizens WHERE pid = $1`, string(number)), &c)
	if err != nil {
		return c, fmt.Errorf("load citizen %s: %w", number, err)
	}
	return c, nil
}

// Household returns a household with its members.
func (db *DB) Household(ctx context.Context, id string) (registry.Household, error) {
	var h registry.Household
	err := scanJSON(db.read.QueryRowContext(ctx, `SELECT data FROM households WHERE id = $1`, id), &h)
	if err != nil {
		return h, fmt.Errorf("load household %s: %w", id, err)
	}
	return h, nil
}

// Residences lists a citizen's residence registrations, newest first.
func (db *DB) Residences(ctx context.Context, number pid.PID) ([]registry.Residence, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT id, pid, kind, active, start_date, end_date, event_id, data
		FROM residences WHERE pid = $1 ORDER BY start_date DESC, id DESC`, string(number))
	if err != nil {
		return nil, fmt.Errorf("list residences of %s: %w", number, err)
	}
	defer rows.Close()
	var out []registry.Residence
	for rows.Next() {
		var (
			r                registry.Residence
			number, kind     string
			start, end, data string
			active           int
		)
		if err := rows.Scan(&r.ID, &number, &kind, &active, &start, &end, &r.EventID, &data); err != nil {
			return nil, fmt.Errorf("list residences: %w", err)
		}
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return nil, fmt.Errorf("residence %s: %w", r.ID, err)
		}
		// The columns are the record; data adds the address (and, in
		// rows written before the columns were enough, repeats them).
		r.PID, r.Kind, r.Active = pid.PID(number), registry.ResidenceKind(kind), active != 0
		if r.StartDate, err = registry.ParseDate(start); err != nil {
			return nil, fmt.Errorf("residence %s: start_date: %w", r.ID, err)
		}
		r.EndDate = registry.Date{}
		if end != "" {
			if r.EndDate, err = registry.ParseDate(end); err != nil {
				return nil, fmt.Errorf("residence %s: end_date: %w", r.ID, err)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// residenceData is what a residence row keeps as JSON: the part of the
// record its columns do not hold.
type residenceData struct {
	Address registry.Address `json:"address"`
}

func encodeResidence(r registry.Residence) ([]byte, error) {
	return json.Marshal(residenceData{Address: r.Address})
}

// History lists every version of a citizen's record with its event,
// oldest first: the replaced ones from citizen_versions, then the current
// one from citizens (see migrations/0005_current_versions.sql).
func (db *DB) History(ctx context.Context, number pid.PID) ([]registry.Version, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT v.version, v.data, `+eventColumns+`
		FROM citizen_versions v JOIN events e ON e.id = v.event_id
		WHERE v.pid = $1
		UNION ALL
		SELECT c.version, c.data, `+eventColumns+`
		FROM citizens c JOIN events e ON e.id = c.event_id
		WHERE c.pid = $1 AND NOT EXISTS (SELECT 1 FROM citizen_versions v WHERE v.pid = c.pid AND v.version = c.version)
		ORDER BY 1`, string(number))
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", number, err)
	}
	defer rows.Close()
	var out []registry.Version
	for rows.Next() {
		var v registry.Version
		var cdata string
		var ev eventScan
		if err := rows.Scan(append([]any{&v.Version, &cdata}, ev.dest()...)...); err != nil {
			return nil, fmt.Errorf("history of %s: %w", number, err)
		}
		if err := json.Unmarshal([]byte(cdata), &v.Citizen); err != nil {
			return nil, fmt.Errorf("history of %s: version %d: %w", number, v.Version, err)
		}
		if v.Event, err = ev.event(); err != nil {
			return nil, fmt.Errorf("history of %s: event of version %d: %w", number, v.Version, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// eventColumns are an event row's columns, read by eventScan.
const eventColumns = `e.id, e.kind, e.pid, e.effective_date, e.recorded_at, e.actor, e.legal_basis, e.data`

// eventScan is an event row being read: the columns hold the header, data
// the registry.EventBody (rows written before the body was split off hold
// the whole event there, which reads the same).
type eventScan struct {
	id, kind, pid, effective, actor, basis, data string
	recorded                                     int64
}

func (s *eventScan) dest() []any {
	return []any{&s.id, &s.kind, &s.pid, &s.effective, &s.recorded, &s.actor, &s.basis, &s.data}
}

func (s *eventScan) event() (registry.Event, error) {
	var body registry.EventBody
	if err := json.Unmarshal([]byte(s.data), &body); err != nil {
		return registry.Event{}, err
	}
	day, err := registry.ParseDate(s.effective)
	if err != nil {
		return registry.Event{}, fmt.Errorf("effective date: %w", err)
	}
	ev := registry.Event{ID: s.id, Kind: registry.Kind(s.kind), PID: pid.PID(s.pid),
		Meta:       registry.Meta{Actor: s.actor, LegalBasis: s.basis, EffectiveDate: day},
		RecordedAt: time.UnixMicro(s.recorded).UTC()}
	ev.SetBody(body)
	return ev, nil
}

// AsOf returns the record as the last event recorded at or before t left
// it.
func (db *DB) AsOf(ctx context.Context, number pid.PID, t time.Time) (registry.Citizen, error) {
	var c registry.Citizen
	err := scanJSON(db.read.QueryRowContext(ctx, `
		SELECT data FROM (
			SELECT version, data FROM citizen_versions WHERE pid = $1 AND recorded_at <= $2
			UNION ALL
			SELECT version, data FROM citizens WHERE pid = $1 AND updated_at <= $2
		) AS v
		ORDER BY version DESC LIMIT 1`, string(number), t.UnixMicro()), &c)
	if err != nil {
		return c, fmt.Errorf("citizen %s as of %s: %w", number, t.Format(time.RFC3339), err)
	}
	return c, nil
}

// FindCitizens searches by folded name and optional birth year.
func (db *DB) FindCitizens(ctx context.Context, q registry.Query) ([]registry.Citizen, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var rows *sql.Rows
	var err error
	if q.BirthYear != 0 {
		rows, err = db.read.QueryContext(ctx,
			`SELECT data FROM citizens WHERE name_key = $1 AND birth_year = $2 ORDER BY pid LIMIT $3`,
			q.NameKey, q.BirthYear, limit)
	} else {
		rows, err = db.read.QueryContext(ctx,
			`SELECT data FROM citizens WHERE name_key = $1 ORDER BY birth_year, pid LIMIT $2`, q.NameKey, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("find citizens: %w", err)
	}
	return collectJSON[registry.Citizen](rows)
}

// Commit writes an event and everything it changed in one transaction.
// Each record is written only if its stored version is the one before the
// new version; otherwise nothing is written and registry.ErrConflict is
// returned, so the service can recompute the event on fresh data.
func (db *DB) Commit(ctx context.Context, c registry.Commit) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.commit(ctx, &txExec{tx: tx}, c) })
}

// PrepareBatch turns commits into rows on the caller's goroutine (an
// import builds the next batch there while the one before is written) and
// returns the function that writes them in one transaction, as an import
// does: all of them or none. A record the batch creates that exists
// already, or one changed meanwhile, fails it with registry.ErrConflict.
func (db *DB) PrepareBatch(commits []registry.Commit) (write func(context.Context) error, err error) {
	b := newBatchWriter()
	b.claimsDeferred = db.claimsDeferred.Load()
	for _, c := range commits {
		if err := b.add(c); err != nil {
			return nil, err
		}
	}
	if err := b.finish(); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		if db.engine == Postgres {
			return db.writePostgres(ctx, b)
		}
		return db.inTx(ctx, func(tx *sql.Tx) error {
			x := &txExec{tx: tx, stmts: map[string]*sql.Stmt{}}
			defer x.close()
			return b.write(ctx, x)
		})
	}, nil
}

// CommitBatch writes many events in one transaction (PrepareBatch, then
// the write).
func (db *DB) CommitBatch(ctx context.Context, commits []registry.Commit) error {
	write, err := db.PrepareBatch(commits)
	if err != nil {
		return err
	}
	return write(ctx)
}

func (db *DB) commit(ctx context.Context, tx *txExec, c registry.Commit) error {
	ev := c.Event
	edata, err := json.Marshal(ev.Body())
	if err != nil {
		return err
	}
	at := ev.RecordedAt.UnixMicro()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO events (id, kind, pid, effective_date, recorded_at, actor, legal_basis, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, eventRow(ev, edata)...); err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	if err := db.step(ctx, "event"); err != nil {
		return err
	}
	for _, number := range c.ClaimPIDs {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO pid_claims (pid, claimed_at) VALUES ($1, $2) ON CONFLICT (pid) DO NOTHING`,
			string(number), at); err != nil {
			return fmt.Errorf("claim pid %s: %w", number, err)
		}
	}
	for _, h := range c.Households {
		if err := writeHousehold(ctx, tx, h, ev.ID, at); err != nil {
			return err
		}
	}
	if err := db.step(ctx, "households"); err != nil {
		return err
	}
	// Members who stop being a head are written before the one who
	// becomes head, so the one-head index never sees two at once.
	order := make([]int, len(c.Citizens))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		return c.Citizens[order[i]].RelationToHead != registry.RelationHead && c.Citizens[order[j]].RelationToHead == registry.RelationHead
	})
	for i, k := range order {
		ct := c.Citizens[k]
		if err := writeCitizen(ctx, tx, ct, c.Communes[ct.PID], ev.ID, at); err != nil {
			return err
		}
		if i == 0 {
			if err := db.step(ctx, "first citizen"); err != nil {
				return err
			}
		}
	}
	for _, r := range c.Residences {
		data, err := encodeResidence(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO residences (id, pid, kind, active, start_date, end_date, event_id, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (id) DO UPDATE SET active = excluded.active, end_date = excluded.end_date,
				event_id = excluded.event_id, data = excluded.data`, residenceRow(r, ev.ID, data)...); err != nil {
			return fmt.Errorf("write residence %s: %w", r.ID, err)
		}
	}
	return db.step(ctx, "residences")
}

// txExec runs the statements of a write transaction; with stmts set (a
// batch) it prepares each statement once and reuses it, which saves
// SQLite parsing the same SQL for every row.
type txExec struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (x *txExec) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if x.stmts == nil {
		return x.tx.ExecContext(ctx, query, args...)
	}
	st, ok := x.stmts[query]
	if !ok {
		var err error
		if st, err = x.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		x.stmts[query] = st
	}
	return st.ExecContext(ctx, args...)
}

func (x *txExec) close() {
	for _, st := range x.stmts {
		_ = st.Close()
	}
}

func writeHousehold(ctx context.Context, tx *txExec, h registry.Household, eventID string, at int64) error {
	data, err := h.AppendJSON(nil)
	if err != nil {
		return err
	}
	args := householdRow(h, data, eventID, at)
	var res sql.Result
	if h.Version == 1 {
		res, err = tx.ExecContext(ctx, insertSQL("households", householdColumns, "ON CONFLICT (id) DO NOTHING", len(args), 1, false), args...)
	} else {
		if err := keepVersion(ctx, tx, keepHouseholdVersion, h.ID, h.Version-1); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, updateHousehold, append(args, h.Version-1)...)
	}
	return checkOne(res, err, "household "+h.ID)
}

func writeCitizen(ctx context.Context, tx *txExec, c registry.Citizen, commune, eventID string, at int64) error {
	data, err := c.AppendJSON(nil)
	if err != nil {
		return err
	}
	args := citizenRow(c, commune, data, eventID, at)
	var res sql.Result
	if c.Version == 1 {
		res, err = tx.ExecContext(ctx, insertSQL("citizens", citizenColumns, "ON CONFLICT (pid) DO NOTHING", len(args), 1, false), args...)
	} else {
		if err := keepVersion(ctx, tx, keepCitizenVersion, string(c.PID), c.Version-1); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, updateCitizen, append(args, c.Version-1)...)
	}
	return checkOne(res, err, "citizen "+string(c.PID))
}

// A record's row holds its current version; the statement that replaces
// it first copies that version into the versions table (keep…Version,
// which does nothing when the version is there already, as rows written
// before migration 0005 are). The UPDATE then checks the version, so a
// record changed meanwhile is a conflict.
const (
	householdColumns     = "id, street, commune_code, commune_era, dissolved, version, updated_at, data, event_id"
	citizenColumns       = "pid, name_key, birth_year, gender, status, household_id, relation_to_head, commune_code, version, updated_at, data, event_id"
	keepHouseholdVersion = `
		INSERT INTO household_versions (id, version, event_id, recorded_at, data)
		SELECT id, version, event_id, updated_at, data FROM households WHERE id = $1 AND version = $2
		ON CONFLICT (id, version) DO NOTHING`
	keepCitizenVersion = `
		INSERT INTO citizen_versions (pid, version, event_id, recorded_at, data)
		SELECT pid, version, event_id, updated_at, data FROM citizens WHERE pid = $1 AND version = $2
		ON CONFLICT (pid, version) DO NOTHING`
	updateHousehold = `
		UPDATE households SET street = $2, commune_code = $3, commune_era = $4, dissolved = $5,
			version = $6, updated_at = $7, data = $8, event_id = $9
		WHERE id = $1 AND version = $10`
	updateCitizen = `
		UPDATE citizens SET name_key = $2, birth_year = $3, gender = $4, status = $5, household_id = $6,
			relation_to_head = $7, commune_code = $8, version = $9, updated_at = $10, data = $11, event_id = $12
		WHERE pid = $1 AND version = $13`
)

func keepVersion(ctx context.Context, tx execer, query, key string, version int64) error {
	if _, err := tx.ExecContext(ctx, query, key, version); err != nil {
		return fmt.Errorf("keep version %d of %s: %w", version, key, err)
	}
	return nil
}

// The column values of a row of each table, in the order the INSERTs name
// them; shared by Commit and CommitBatch.

func eventRow(ev registry.Event, data []byte) []any {
	return []any{ev.ID, string(ev.Kind), string(ev.PID), ev.EffectiveDate.String(), ev.RecordedAt.UnixMicro(), ev.Actor, ev.LegalBasis, string(data)}
}

func householdRow(h registry.Household, data []byte, eventID string, at int64) []any {
	return []any{h.ID, h.Address.Street, h.Address.CommuneCode, string(h.Address.Era), boolInt(h.Dissolved), h.Version, at, string(data), eventID}
}

func citizenRow(c registry.Citizen, commune string, data []byte, eventID string, at int64) []any {
	var household any
	if c.HouseholdID != "" {
		household = c.HouseholdID
	}
	return []any{string(c.PID), registry.NameKey(c.FullName), c.DateOfBirth.Year, c.Gender.String(), string(c.Status),
		household, string(c.RelationToHead), commune, c.Version, at, string(data), eventID}
}

func residenceRow(r registry.Residence, eventID string, data []byte) []any {
	return []any{r.ID, string(r.PID), string(r.Kind), boolInt(r.Active), r.StartDate.String(), r.EndDate.String(), eventID, string(data)}
}

// checkOne turns "no row written" into a conflict: the record changed (or
// was created) since the event read it.
func checkOne(res sql.Result, err error, what string) error {
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("write %s: %w", what, registry.ErrConflict)
		}
		return fmt.Errorf("write %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	if n != 1 {
		return fmt.Errorf("write %s: %w", what, registry.ErrConflict)
	}
	return nil
}

// isUniqueViolation recognises a unique-constraint failure on both engines.
func isUniqueViolation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// scanJSON reads one JSON column into v, mapping no row to
// registry.ErrNotFound.
func scanJSON(row *sql.Row, v any) error {
	var data string
	if err := row.Scan(&data); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return registry.ErrNotFound
		}
		return err
	}
	return json.Unmarshal([]byte(data), v)
}

func collectJSON[T any](rows *sql.Rows) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// EachCitizen calls fn with every citizen, household by household with
// the head first, then by number; citizens of no household come first on
// SQLite and last on PostgreSQL. It reads in one snapshot, streaming, in
// constant memory.
func (db *DB) EachCitizen(ctx context.Context, fn func(registry.Citizen) error) error {
	rows, err := db.read.QueryContext(ctx,
		`SELECT data FROM citizens ORDER BY household_id, relation_to_head <> 'head', pid`)
	if err != nil {
		return fmt.Errorf("list citizens: %w", err)
	}
	defer rows.Close()
	var data []byte
	for rows.Next() {
		if err := rows.Scan(&data); err != nil {
			return fmt.Errorf("list citizens: %w", err)
		}
		var c registry.Citizen
		if err := json.Unmarshal(data, &c); err != nil {
			return fmt.Errorf("list citizens: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list citizens: %w", err)
	}
	return nil
}

// BulkWrites relaxes durability for a long load such as an import: until
// end is called, a committed batch reaches the disk at the next
// checkpoint (SQLite: synchronous=NORMAL) or within a fraction of a second
// (PostgreSQL: synchronous_commit off for CommitBatch), rather than before
// the commit returns. A crash of the process loses nothing (the operating
// system holds the writes); a power failure may lose the last batches,
// never corrupt the database, and rerunning the import restores them. end
// makes everything durable and restores the normal settings; call it
// before reporting the load done.
//
// On SQLite the writer also keeps a larger page cache (256 MiB, bounded
// whatever the size of the load), and checkpoints itself only if the WAL
// passes 1 GiB: the checkpointer's connection (OpenSQLite) copies the WAL
// into the database while the writer goes on appending, so that the two
// share the machine's cores and disk instead of taking turns.
func (db *DB) BulkWrites(ctx context.Context) (end func(context.Context) error, err error) {
	if !db.bulk.CompareAndSwap(false, true) {
		return nil, errors.New("a bulk load is already running")
	}
	if db.engine == Postgres {
		return func(ctx context.Context) error {
			defer db.bulk.Store(false)
			// A transaction with an id commits with a WAL flush, which
			// covers every commit before it.
			return db.inTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `SELECT txid_current()`)
				return err
			})
		}, nil
	}
	// temp_store MEMORY keeps each statement's journal (the pages an
	// INSERT changed, kept until it completes so that a failing one can
	// be undone) in memory: in a file it took a write system call per page
	// and per page number, half of a load's writes.
	for _, p := range []string{`PRAGMA synchronous = NORMAL`, `PRAGMA wal_autocheckpoint = 262144`, `PRAGMA cache_size = -262144`, `PRAGMA temp_store = MEMORY`} {
		if _, err := db.write.ExecContext(ctx, p); err != nil {
			db.bulk.Store(false)
			return nil, err
		}
	}
	return func(ctx context.Context) error {
		defer db.bulk.Store(false)
		_, err1 := db.write.ExecContext(ctx, `PRAGMA synchronous = FULL`)
		_, err2 := db.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, walLimit))
		_, _ = db.write.ExecContext(ctx, `PRAGMA cache_size = -65536`)
		_, _ = db.write.ExecContext(ctx, `PRAGMA temp_store = DEFAULT`)
		// A full checkpoint writes the WAL into the database file and
		// syncs it.
		_, err3 := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(FULL)`)
		return errors.Join(err1, err2, err3)
	}, nil
}
