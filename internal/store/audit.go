package store

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dancu/internal/audit"
	"dancu/internal/pid"
)

// The audit methods implement audit.Store: tables audit_groups (the
// entries, migration 0009), audit_entries (entries of the first format,
// one record each, written before 0009 and only read since),
// audit_accesses, audit_heads and audit_checkpoints (migration 0007).
// AuditWriter does the writes of one audit.Log.

// auditIndexBatch is how many index rows one INSERT statement writes on
// SQLite. A statement's own cost (database/sql, the driver, stepping)
// is a good part of a small row's: with the statement prepared once per
// writer, 16 or 64 rows per statement took the CPU time of indexing a
// batch chunk from 3.1 to 2.4 µs an access (BenchmarkAppendChunk), and 256
// saved no more (SQLite compiles every row of the list once).
const auditIndexBatch = 64

// AuditWriter writes the audit log for one audit.Log, whose writer
// goroutine is its only user: entries, the per-citizen index, and the
// index's watermarks. On SQLite it holds its statements prepared on the
// writer connection for its life, as preparing them costs more than
// running them; PostgreSQL's driver caches prepared statements itself.
type AuditWriter struct {
	db *DB
	// SQLite statements, nil on PostgreSQL.
	readHead, insertGroup, writeHead, insertIndex, insertIndexBatch *sql.Stmt
	// heads holds, on PostgreSQL, the head each chain had after this
	// writer's last append to it.
	heads map[int]audit.Head
}

// AuditWriter returns a writer of the audit log; close it when done.
func (db *DB) AuditWriter(ctx context.Context) (audit.Writer, error) {
	w := &AuditWriter{db: db, heads: map[int]audit.Head{}}
	if db.engine == Postgres {
		return w, nil
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", auditIndexBatch), ", ")
	for _, s := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&w.readHead, `SELECT seq, hash FROM audit_heads WHERE chain = $1`},
		{&w.insertGroup, `INSERT INTO audit_groups (chain, seq, records, hash) VALUES ($1, $2, $3, $4)`},
		{&w.writeHead, `INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, $2, $3)
			ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`},
		{&w.insertIndex, `INSERT INTO audit_accesses (pid, at, chain, seq, idx) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`},
		{&w.insertIndexBatch, `INSERT INTO audit_accesses (pid, at, chain, seq, idx) VALUES ` + values + ` ON CONFLICT DO NOTHING`},
	} {
		st, err := db.write.PrepareContext(ctx, s.query)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("prepare audit writer: %w", err)
		}
		*s.stmt = st
	}
	return w, nil
}

// Close releases the writer's statements.
func (w *AuditWriter) Close() error {
	var err error
	for _, st := range []*sql.Stmt{w.readHead, w.insertGroup, w.writeHead, w.insertIndex, w.insertIndexBatch} {
		if st != nil {
			err = errors.Join(err, st.Close())
		}
	}
	return err
}

// Append locks chain's head, lets seal chain the new entry onto it, and
// writes the entry and the new head in one durable transaction. The
// entry's index rows are written later, by AddIndex or IndexEntries.
//
// The head is locked by the transaction itself on SQLite (BEGIN
// IMMEDIATE takes the one write lock) and by an upsert of the chain's
// audit_heads row on PostgreSQL, which also creates the row of a new chain
// without a race between two first writers. On PostgreSQL, where each
// statement of that transaction is a round trip, Append first tries the
// head this writer last wrote: one statement, its own transaction, that
// moves the head on only if it is still that one and then inserts the
// entry. If another writer has appended to the chain since, it writes
// nothing, and Append calls seal again with the head it locks.
func (w *AuditWriter) Append(ctx context.Context, chain int, seal func(audit.Head) (*audit.Entry, error)) error {
	if head, ok := w.heads[chain]; ok {
		delete(w.heads, chain) // set again once an append succeeds
		done, err := w.appendAfter(ctx, head, seal)
		if err != nil || done {
			return err
		}
	}
	var written *audit.Entry
	err := w.db.inTx(ctx, func(tx *sql.Tx) error {
		head, err := w.lockHead(ctx, tx, chain)
		if err != nil {
			return err
		}
		e, err := seal(head)
		if err != nil || e == nil {
			return err
		}
		if e.Chain != chain || e.Seq != head.Seq+1 {
			return fmt.Errorf("append audit entry: the entry is chain %d seq %d, want chain %d seq %d", e.Chain, e.Seq, chain, head.Seq+1)
		}
		if w.db.engine == Postgres {
			// The entry and the head in one statement, one round trip.
			_, err = tx.ExecContext(ctx, `
				WITH g AS (INSERT INTO audit_groups (chain, seq, records, hash) VALUES ($1, $2, $3, $4))
				UPDATE audit_heads SET seq = $2, hash = $4 WHERE chain = $1`,
				int64(e.Chain), e.Seq, e.Encoded(), e.Hash[:])
		} else {
			_, err = tx.StmtContext(ctx, w.insertGroup).ExecContext(ctx, int64(e.Chain), e.Seq, e.Encoded(), e.Hash[:])
			if err == nil {
				_, err = tx.StmtContext(ctx, w.writeHead).ExecContext(ctx, int64(e.Chain), e.Seq, e.Hash[:])
			}
		}
		if err != nil {
			return fmt.Errorf("insert audit entry %d of chain %d: %w", e.Seq, e.Chain, err)
		}
		written = e
		return nil
	})
	if err == nil && written != nil && w.db.engine == Postgres {
		w.heads[chain] = audit.Head{Chain: chain, Seq: written.Seq, Hash: written.Hash}
	}
	return err
}

// appendAfter appends the entry seal makes after head, on PostgreSQL, in
// one statement: the chain's head moves on only if it is still head, and
// the entry is inserted only if it did. It reports whether it wrote the
// entry.
func (w *AuditWriter) appendAfter(ctx context.Context, head audit.Head, seal func(audit.Head) (*audit.Entry, error)) (bool, error) {
	e, err := seal(head)
	if err != nil || e == nil {
		return err == nil, err
	}
	if e.Chain != head.Chain || e.Seq != head.Seq+1 {
		return false, fmt.Errorf("append audit entry: the entry is chain %d seq %d, want chain %d seq %d", e.Chain, e.Seq, head.Chain, head.Seq+1)
	}
	res, err := w.db.write.ExecContext(ctx, `
		WITH h AS (
			UPDATE audit_heads SET seq = $2, hash = $4
			WHERE chain = $1 AND seq = $5 AND hash = $6
			RETURNING chain
		)
		INSERT INTO audit_groups (chain, seq, records, hash) SELECT $1::integer, $2::bigint, $3::bytea, $4::bytea FROM h`,
		int64(e.Chain), e.Seq, e.Encoded(), e.Hash[:], head.Seq, head.Hash[:])
	if err != nil {
		return false, fmt.Errorf("insert audit entry %d of chain %d: %w", e.Seq, e.Chain, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	w.heads[e.Chain] = audit.Head{Chain: e.Chain, Seq: e.Seq, Hash: e.Hash}
	return true, nil
}

// lockHead returns chain's head inside tx, locked for the rest of it.
func (w *AuditWriter) lockHead(ctx context.Context, tx *sql.Tx, chain int) (audit.Head, error) {
	head := audit.Head{Chain: chain}
	var hash []byte
	var err error
	if w.db.engine == Postgres {
		// The no-op update takes the row lock that serialises writers of
		// the chain, and returns the committed head.
		err = tx.QueryRowContext(ctx, `INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 0, $2)
			ON CONFLICT (chain) DO UPDATE SET seq = audit_heads.seq
			RETURNING seq, hash`, int64(chain), make([]byte, 32)).Scan(&head.Seq, &hash)
	} else {
		err = tx.StmtContext(ctx, w.readHead).QueryRowContext(ctx, int64(chain)).Scan(&head.Seq, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return head, nil
		}
	}
	if err != nil {
		return head, fmt.Errorf("read head of audit chain %d: %w", chain, err)
	}
	if len(hash) != len(head.Hash) {
		return head, fmt.Errorf("head of audit chain %d: %w: hash of %d bytes", chain, audit.ErrCorrupt, len(hash))
	}
	copy(head.Hash[:], hash)
	return head, nil
}

// compareAuditIndexRows orders rows as audit_accesses' primary key does.
func compareAuditIndexRows(a, b audit.IndexRow) int {
	switch {
	case a.PID != b.PID:
		return cmp.Compare(a.PID, b.PID)
	case a.At != b.At:
		return cmp.Compare(a.At, b.At)
	case a.Chain != b.Chain:
		return cmp.Compare(a.Chain, b.Chain)
	case a.Seq != b.Seq:
		return cmp.Compare(a.Seq, b.Seq)
	}
	return cmp.Compare(a.Index, b.Index)
}

// auditIndexSlice is how many index rows one transaction of an index pass
// writes: on SQLite the log's appends wait behind it, so it is kept to
// about a millisecond (at a steady 10,000 verifications a second, 256
// rows instead of 2,048 took the p99 latency from 31 ms to 15 ms); on
// PostgreSQL they do not wait, and bigger is cheaper.
func (db *DB) auditIndexSlice() int {
	if db.engine == Postgres {
		return 8192
	}
	return 256
}

// AddIndex adds rows, the index rows of chain's entries in (from,
// through], to audit_accesses: sorted by the index's key and written in
// slices of consecutive keys, one short transaction each (between runs
// after each but the last, told how many rows it wrote); the last raises
// the watermark to through if it had reached from, and it returns the
// watermark then. Rows already there are skipped, so a pass that overlaps
// another, or repeats one a crash cut short, is harmless.
func (w *AuditWriter) AddIndex(ctx context.Context, chain int, from, through int64, rows []audit.IndexRow, between func(rows int) error) (int64, error) {
	slices.SortFunc(rows, compareAuditIndexRows)
	size := w.db.auditIndexSlice()
	var mark int64
	for start := 0; start < len(rows) || start == 0; start += size {
		part := rows[start:min(start+size, len(rows))]
		last := start+size >= len(rows)
		err := w.db.inDerivedTx(ctx, func(tx *sql.Tx) error {
			if err := w.insertIndexRows(ctx, tx, part); err != nil {
				return err
			}
			if !last {
				return nil
			}
			_, err := tx.ExecContext(ctx, `UPDATE audit_heads SET indexed_seq = $3
				WHERE chain = $1 AND indexed_seq >= $2 AND indexed_seq < $3`, int64(chain), from, through)
			if err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT indexed_seq FROM audit_heads WHERE chain = $1`, int64(chain)).Scan(&mark)
		})
		if err != nil {
			return 0, fmt.Errorf("index audit chain %d entries %d to %d: %w", chain, from+1, through, err)
		}
		if last {
			break
		}
		if between != nil {
			if err := between(len(part)); err != nil {
				return 0, err
			}
		}
	}
	return mark, nil
}

// IndexEntries reads the index rows of chain's entries past its
// watermark, whole entries up to about maxRows rows, and adds them to
// audit_accesses as AddIndex does. It returns the new watermark and
// whether entries were left past it.
func (w *AuditWriter) IndexEntries(ctx context.Context, chain int, maxRows int, between func(rows int) error) (int64, bool, error) {
	var from int64
	err := w.db.read.QueryRowContext(ctx, `SELECT indexed_seq FROM audit_heads WHERE chain = $1`, int64(chain)).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read audit index watermark of chain %d: %w", chain, err)
	}
	rows, through, more, err := w.db.unindexedAudit(ctx, chain, from, maxRows)
	if err != nil || through == from {
		return from, false, err
	}
	mark, err := w.AddIndex(ctx, chain, from, through, rows, between)
	if err != nil {
		return from, false, err
	}
	return mark, more, nil
}

// inDerivedTx runs fn in a write transaction whose commit need not be
// durable when it returns, for data that is rebuilt from durable data
// after a crash (the index rows and their watermark, together). On
// SQLite the writer connection is held and switched to synchronous=NORMAL
// for the transaction (unless a bulk load has already relaxed it): the
// commit is in the WAL, and the next synchronous=FULL commit's fsync
// makes it durable with everything before it; WAL recovery keeps a prefix
// of the transactions, so a crash may lose the pass's last slices but
// never a register or audit commit made after them. On PostgreSQL the
// transaction commits with synchronous_commit off, which likewise never
// reorders commits.
func (db *DB) inDerivedTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if db.engine == Postgres {
		return db.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit TO off`); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	if !db.bulk.Load() {
		if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
			return fmt.Errorf("relax synchronous: %w", err)
		}
		defer func() {
			// The connection serves every other writer next: it must not
			// go back to the pool relaxed. If it cannot be restored it is
			// discarded, and the pool opens a fresh one with the DSN's
			// synchronous=FULL.
			if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = FULL`); rerr != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
				err = errors.Join(err, fmt.Errorf("restore synchronous=FULL: %w", rerr))
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return runTx(tx, fn)
}

// unindexedAudit reads the index rows of chain's entries after seq from
// (entries of the first format, then groups), whole entries until maxRows
// rows, and the last seq read. An entry whose stored records do not decode
// is left out of the index; Verify reports it.
func (db *DB) unindexedAudit(ctx context.Context, chain int, from int64, maxRows int) (out []audit.IndexRow, through int64, more bool, err error) {
	through = from
	for _, table := range []struct {
		query string
		v1    bool
	}{
		{`SELECT seq, at, accesses FROM audit_entries WHERE chain = $1 AND seq > $2 ORDER BY seq`, true},
		{`SELECT seq, 0, records FROM audit_groups WHERE chain = $1 AND seq > $2 ORDER BY seq`, false},
	} {
		q, err := db.read.QueryContext(ctx, table.query, int64(chain), from)
		if err != nil {
			return nil, from, false, fmt.Errorf("read unindexed audit entries of chain %d: %w", chain, err)
		}
		var blob []byte
		for q.Next() {
			if len(out) >= maxRows {
				more = true
				break
			}
			var seq, at int64
			if err := q.Scan(&seq, &at, &blob); err != nil {
				q.Close()
				return nil, from, false, fmt.Errorf("read unindexed audit entries of chain %d: %w", chain, err)
			}
			if table.v1 {
				_ = audit.WalkAccessPIDs(blob, func(i int, number uint64) {
					out = append(out, audit.IndexRow{PID: number, At: at, Seq: seq, Chain: int32(chain), Index: int32(i)})
				})
			} else {
				_ = audit.WalkRecordPIDs(blob, func(i int, at int64, number uint64) {
					out = append(out, audit.IndexRow{PID: number, At: at, Seq: seq, Chain: int32(chain), Index: int32(i)})
				})
			}
			through = seq
		}
		err = q.Err()
		q.Close()
		if err != nil {
			return nil, from, false, fmt.Errorf("read unindexed audit entries of chain %d: %w", chain, err)
		}
		if more {
			break
		}
	}
	return out, through, more, nil
}

// insertIndexRows inserts rows, skipping those already there: on
// PostgreSQL as arrays in one statement, on SQLite auditIndexBatch rows
// per statement.
func (w *AuditWriter) insertIndexRows(ctx context.Context, tx *sql.Tx, rows []audit.IndexRow) error {
	if len(rows) == 0 {
		return nil
	}
	if w.db.engine == Postgres {
		pids, ats, seqs := make([]int64, len(rows)), make([]int64, len(rows)), make([]int64, len(rows))
		chains, idxs := make([]int32, len(rows)), make([]int32, len(rows))
		for i, r := range rows {
			pids[i], ats[i], seqs[i], chains[i], idxs[i] = int64(r.PID), r.At, r.Seq, r.Chain, r.Index
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_accesses (pid, at, chain, seq, idx)
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::integer[], $4::bigint[], $5::integer[])
			ON CONFLICT DO NOTHING`, pids, ats, chains, seqs, idxs)
		return err
	}
	args := make([]any, 0, 5*auditIndexBatch)
	batch := tx.StmtContext(ctx, w.insertIndexBatch)
	for len(rows) >= auditIndexBatch {
		args = args[:0]
		for _, r := range rows[:auditIndexBatch] {
			args = append(args, int64(r.PID), r.At, int64(r.Chain), r.Seq, int64(r.Index))
		}
		if _, err := batch.ExecContext(ctx, args...); err != nil {
			return err
		}
		rows = rows[auditIndexBatch:]
	}
	one := tx.StmtContext(ctx, w.insertIndex)
	for _, r := range rows {
		if _, err := one.ExecContext(ctx, int64(r.PID), r.At, int64(r.Chain), r.Seq, int64(r.Index)); err != nil {
			return err
		}
	}
	return nil
}

// AuditIndexWatermarks returns every chain's index watermark.
func (db *DB) AuditIndexWatermarks(ctx context.Context) (map[int]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT chain, indexed_seq FROM audit_heads`)
	if err != nil {
		return nil, fmt.Errorf("read audit index watermarks: %w", err)
	}
	defer rows.Close()
	marks := map[int]int64{}
	for rows.Next() {
		var chain int
		var seq int64
		if err := rows.Scan(&chain, &seq); err != nil {
			return nil, fmt.Errorf("read audit index watermarks: %w", err)
		}
		marks[chain] = seq
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit index watermarks: %w", err)
	}
	return marks, nil
}

// AuditHeads returns the head of every chain that has entries.
func (db *DB) AuditHeads(ctx context.Context) ([]audit.Head, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT chain, seq, hash FROM audit_heads WHERE seq > 0 ORDER BY chain`)
	if err != nil {
		return nil, fmt.Errorf("read audit heads: %w", err)
	}
	defer rows.Close()
	var heads []audit.Head
	for rows.Next() {
		var h audit.Head
		var hash []byte
		if err := rows.Scan(&h.Chain, &h.Seq, &hash); err != nil {
			return nil, fmt.Errorf("read audit heads: %w", err)
		}
		if len(hash) != len(h.Hash) {
			return nil, fmt.Errorf("head of audit chain %d: %w: hash of %d bytes", h.Chain, audit.ErrCorrupt, len(hash))
		}
		copy(h.Hash[:], hash)
		heads = append(heads, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit heads: %w", err)
	}
	return heads, nil
}

// ScanAudit calls fn with every entry: those of the first format, chain
// by chain in sequence order, then the groups, likewise. A chain's
// entries of the first format all come before its groups, so each chain's
// entries come in sequence order. An entry whose stored records do not
// decode, or whose hash is not 32 bytes, is passed on as it is (Verify
// reports it) rather than ending the scan.
func (db *DB) ScanAudit(ctx context.Context, fn func(*audit.Entry) error) error {
	prev := map[int][32]byte{} // the hash of each chain's last entry passed on
	pass := func(e *audit.Entry, hash []byte) error {
		copy(e.Hash[:], hash) // a short or long hash cannot match the recomputed one
		e.PrevHash, prev[e.Chain] = prev[e.Chain], e.Hash
		return fn(e)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT chain, seq, at, agency_id, key_id, purpose, operation, request_id, accesses, hash
		FROM audit_entries ORDER BY chain, seq`)
	if err != nil {
		return fmt.Errorf("scan audit entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e          = audit.Entry{V1: true, Records: make([]audit.Record, 1)}
			r          = &e.Records[0]
			at         int64
			blob, hash []byte
		)
		if err := rows.Scan(&e.Chain, &e.Seq, &at, &r.AgencyID, &r.KeyID, &r.Purpose, &r.Operation, &r.RequestID, &blob, &hash); err != nil {
			return fmt.Errorf("scan audit entries: %w", err)
		}
		r.At = time.UnixMicro(at).UTC()
		_ = e.SetEncoded(blob) // kept for Verify to report
		if err := pass(&e, hash); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan audit entries: %w", err)
	}
	rows.Close()

	rows, err = db.read.QueryContext(ctx, `SELECT chain, seq, records, hash FROM audit_groups ORDER BY chain, seq`)
	if err != nil {
		return fmt.Errorf("scan audit entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e          audit.Entry
			blob, hash []byte
		)
		if err := rows.Scan(&e.Chain, &e.Seq, &blob, &hash); err != nil {
			return fmt.Errorf("scan audit entries: %w", err)
		}
		_ = e.SetEncoded(blob) // kept for Verify to report
		if err := pass(&e, hash); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan audit entries: %w", err)
	}
	return nil
}

// ScanAuditIndex calls fn with every row of the per-citizen index.
func (db *DB) ScanAuditIndex(ctx context.Context, fn func(audit.IndexRow) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT pid, at, chain, seq, idx FROM audit_accesses`)
	if err != nil {
		return fmt.Errorf("scan audit index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r audit.IndexRow
		var number int64
		if err := rows.Scan(&number, &r.At, &r.Chain, &r.Seq, &r.Index); err != nil {
			return fmt.Errorf("scan audit index: %w", err)
		}
		r.PID = uint64(number)
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan audit index: %w", err)
	}
	return nil
}

// AuditAccesses returns up to limit accesses to number, newest first, read
// in one snapshot: a range of audit_accesses' primary key, each row
// joined to its entry by the entry's primary key, and the accesses to
// number among the entries past each chain's index watermark, which the
// indexer has not reached yet (at most a pass, Options.MaxIndexRows, while
// the log keeps up).
func (db *DB) AuditAccesses(ctx context.Context, number pid.PID, limit int) ([]audit.AccessView, error) {
	n := number.Uint64()
	if n == pid.InvalidUint64 {
		return nil, fmt.Errorf("audit accesses: %w", pid.ErrMalformed)
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("audit accesses to %s: %w", number, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only; nothing to keep

	type key struct {
		chain int
		seq   int64
		idx   int
	}
	seen := map[key]bool{}
	var out []audit.AccessView
	add := func(v audit.AccessView, idx int) {
		if k := (key{v.Chain, v.Seq, idx}); !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	// The index: each row's entry is a group or, for rows written before
	// groups, an entry of the first format.
	rows, err := tx.QueryContext(ctx, `
		SELECT x.chain, x.seq, x.idx, g.records,
			COALESCE(e.at, 0), COALESCE(e.agency_id, ''), COALESCE(e.key_id, ''), COALESCE(e.operation, ''),
			COALESCE(e.purpose, ''), COALESCE(e.request_id, ''), e.accesses
		FROM audit_accesses x
		LEFT JOIN audit_groups g ON g.chain = x.chain AND g.seq = x.seq
		LEFT JOIN audit_entries e ON e.chain = x.chain AND e.seq = x.seq
		WHERE x.pid = $1 AND (g.seq IS NOT NULL OR e.seq IS NOT NULL)
		ORDER BY x.at DESC, x.chain DESC, x.seq DESC, x.idx DESC
		LIMIT $2`, int64(n), limit)
	if err != nil {
		return nil, fmt.Errorf("audit accesses to %s: %w", number, err)
	}
	err = scanIndexedAccessViews(rows, number, add)
	if err != nil {
		return nil, fmt.Errorf("audit accesses to %s: %w", number, err)
	}
	// Entries past each chain's watermark: walk each one's encoding far
	// enough to find the number. Rows an unfinished pass already wrote are
	// skipped.
	type mark struct {
		chain int
		seq   int64
	}
	var marks []mark
	hrows, err := tx.QueryContext(ctx, `SELECT chain, indexed_seq FROM audit_heads WHERE seq > indexed_seq`)
	if err != nil {
		return nil, fmt.Errorf("audit accesses to %s: %w", number, err)
	}
	for hrows.Next() {
		var m mark
		if err := hrows.Scan(&m.chain, &m.seq); err != nil {
			hrows.Close()
			return nil, fmt.Errorf("audit accesses to %s: %w", number, err)
		}
		marks = append(marks, m)
	}
	hrows.Close()
	if err := hrows.Err(); err != nil {
		return nil, fmt.Errorf("audit accesses to %s: %w", number, err)
	}
	for _, m := range marks {
		if err := scanUnindexedAccessViews(ctx, tx, m.chain, m.seq, number, add); err != nil {
			return nil, fmt.Errorf("audit accesses to %s: %w", number, err)
		}
	}
	slices.SortStableFunc(out, func(a, b audit.AccessView) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Chain, a.Chain); c != 0 {
			return c
		}
		return cmp.Compare(b.Seq, a.Seq)
	})
	return out[:min(len(out), limit)], nil
}

// scanIndexedAccessViews reads rows of (chain, seq, idx, records, at,
// agency_id, key_id, operation, purpose, request_id, accesses) — records
// from a group, the rest from an entry of the first format — and calls fn
// with the access at idx. An index row that points at an access to
// someone else is an error matching audit.ErrCorrupt.
func scanIndexedAccessViews(rows *sql.Rows, number pid.PID, fn func(v audit.AccessView, idx int)) error {
	defer rows.Close()
	for rows.Next() {
		var (
			v              audit.AccessView
			idx            int
			at             int64
			records, entry []byte
			a              audit.Access
			err            error
		)
		if err := rows.Scan(&v.Chain, &v.Seq, &idx, &records, &at, &v.AgencyID, &v.KeyID, &v.Operation, &v.Purpose, &v.RequestID, &entry); err != nil {
			return err
		}
		if records != nil {
			var r audit.Record
			r, a, err = audit.RecordAccessAt(records, idx)
			v.At, v.AgencyID, v.KeyID, v.Operation, v.Purpose, v.RequestID = r.At, r.AgencyID, r.KeyID, r.Operation, r.Purpose, r.RequestID
		} else {
			v.At = time.UnixMicro(at).UTC()
			a, err = audit.AccessAt(entry, idx)
		}
		if err != nil {
			return fmt.Errorf("entry %d of chain %d: %w", v.Seq, v.Chain, err)
		}
		if a.PID != number {
			return fmt.Errorf("%w: the index points at access %d of entry %d of chain %d, which is not to this citizen",
				audit.ErrCorrupt, idx, v.Seq, v.Chain)
		}
		v.Fields, v.Result = a.Fields, a.Result
		fn(v, idx)
	}
	return rows.Err()
}

// scanUnindexedAccessViews calls fn with every access to number in the
// entries of chain after seq from: those of the first format, then the
// groups.
func scanUnindexedAccessViews(ctx context.Context, tx *sql.Tx, chain int, from int64, number pid.PID, fn func(v audit.AccessView, idx int)) error {
	want := number.Uint64()
	rows, err := tx.QueryContext(ctx, `SELECT seq, at, agency_id, key_id, operation, purpose, request_id, accesses
		FROM audit_entries WHERE chain = $1 AND seq > $2`, int64(chain), from)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		v := audit.AccessView{Chain: chain}
		var (
			at   int64
			blob []byte
			hits []int
		)
		if err := rows.Scan(&v.Seq, &at, &v.AgencyID, &v.KeyID, &v.Operation, &v.Purpose, &v.RequestID, &blob); err != nil {
			return err
		}
		v.At = time.UnixMicro(at).UTC()
		if err := audit.WalkAccessPIDs(blob, func(i int, n uint64) {
			if n == want {
				hits = append(hits, i)
			}
		}); err != nil {
			return fmt.Errorf("entry %d of chain %d: %w", v.Seq, chain, err)
		}
		for _, i := range hits {
			a, err := audit.AccessAt(blob, i)
			if err != nil {
				return fmt.Errorf("entry %d of chain %d: %w", v.Seq, chain, err)
			}
			w := v
			w.Fields, w.Result = a.Fields, a.Result
			fn(w, i)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, `SELECT seq, records FROM audit_groups WHERE chain = $1 AND seq > $2`, int64(chain), from)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq  int64
			blob []byte
			hits []int
		)
		if err := rows.Scan(&seq, &blob); err != nil {
			return err
		}
		if err := audit.WalkRecordPIDs(blob, func(i int, _ int64, n uint64) {
			if n == want {
				hits = append(hits, i)
			}
		}); err != nil {
			return fmt.Errorf("entry %d of chain %d: %w", seq, chain, err)
		}
		for _, i := range hits {
			r, a, err := audit.RecordAccessAt(blob, i)
			if err != nil {
				return fmt.Errorf("entry %d of chain %d: %w", seq, chain, err)
			}
			fn(audit.AccessView{At: r.At, AgencyID: r.AgencyID, KeyID: r.KeyID, Operation: r.Operation, Purpose: r.Purpose,
				RequestID: r.RequestID, Fields: a.Fields, Result: a.Result, Chain: chain, Seq: seq}, i)
		}
	}
	return rows.Err()
}

// SaveAuditCheckpoint stores c; storing the same checkpoint twice keeps
// one.
func (db *DB) SaveAuditCheckpoint(ctx context.Context, c audit.Checkpoint) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("save audit checkpoint: %w", err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO audit_checkpoints (signature, at, data) VALUES ($1, $2, $3)
		ON CONFLICT (signature) DO NOTHING`, hex.EncodeToString(c.Signature), c.At.UnixMicro(), string(data))
	if err != nil {
		return fmt.Errorf("save audit checkpoint of %s: %w", c.At.Format(time.RFC3339), err)
	}
	return nil
}

// AuditCheckpoints returns every stored checkpoint, oldest first. One that
// does not parse is an error matching audit.ErrCorrupt.
func (db *DB) AuditCheckpoints(ctx context.Context) ([]audit.Checkpoint, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT signature, data FROM audit_checkpoints ORDER BY at, signature`)
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	defer rows.Close()
	var out []audit.Checkpoint
	for rows.Next() {
		var sig, data string
		if err := rows.Scan(&sig, &data); err != nil {
			return nil, fmt.Errorf("read audit checkpoints: %w", err)
		}
		c, err := audit.ParseCheckpoint([]byte(data))
		if err != nil {
			return nil, fmt.Errorf("stored audit checkpoint %.16s…: %w", sig, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	return out, nil
}

// LatestAuditCheckpoint returns the newest stored checkpoint, or
// audit.ErrNoCheckpoint.
func (db *DB) LatestAuditCheckpoint(ctx context.Context) (audit.Checkpoint, error) {
	var data string
	err := db.read.QueryRowContext(ctx, `SELECT data FROM audit_checkpoints ORDER BY at DESC, signature DESC LIMIT 1`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Checkpoint{}, audit.ErrNoCheckpoint
	}
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("read latest audit checkpoint: %w", err)
	}
	c, err := audit.ParseCheckpoint([]byte(data))
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("latest audit checkpoint: %w", err)
	}
	return c, nil
}
