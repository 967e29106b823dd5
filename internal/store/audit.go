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
	"time"

	"dancu/internal/audit"
	"dancu/internal/pid"
)

// The audit methods implement audit.Store (tables audit_entries,
// audit_accesses, audit_heads and audit_checkpoints, migration 0007).

// AppendAudit locks chain's head, lets seal chain the new entries onto it,
// and writes the entries and the new head in one durable transaction. The
// entries' index rows are written later, by IndexAudit.
//
// The head is locked by the transaction itself on SQLite (BEGIN
// IMMEDIATE takes the one write lock) and by an upsert of the chain's
// audit_heads row on PostgreSQL, which also creates the row of a new chain
// without a race between two first writers.
func (db *DB) AppendAudit(ctx context.Context, chain int, seal func(audit.Head) ([]audit.Entry, error)) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		head, err := db.lockAuditHead(ctx, tx, chain)
		if err != nil {
			return err
		}
		entries, err := seal(head)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
		for i := range entries {
			if e := &entries[i]; e.Chain != chain || e.Seq != head.Seq+int64(i)+1 {
				return fmt.Errorf("append audit entries: entry %d is chain %d seq %d, want chain %d seq %d", i, e.Chain, e.Seq, chain, head.Seq+int64(i)+1)
			}
		}
		last := entries[len(entries)-1]
		if db.engine == Postgres {
			return insertAuditPostgres(ctx, tx, entries, last)
		}
		return insertAuditSQLite(ctx, tx, entries, last)
	})
}

// lockAuditHead returns chain's head inside tx, locked for the rest of it.
func (db *DB) lockAuditHead(ctx context.Context, tx *sql.Tx, chain int) (audit.Head, error) {
	head := audit.Head{Chain: chain}
	var hash []byte
	var err error
	if db.engine == Postgres {
		// The no-op update takes the row lock that serialises writers of
		// the chain, and returns the committed head.
		err = tx.QueryRowContext(ctx, `INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 0, $2)
			ON CONFLICT (chain) DO UPDATE SET seq = audit_heads.seq
			RETURNING seq, hash`, chain, make([]byte, 32)).Scan(&head.Seq, &hash)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_heads WHERE chain = $1`, chain).Scan(&head.Seq, &hash)
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

// insertAuditSQLite writes the entries and the new head through a
// statement prepared once per transaction: SQLite runs a prepared
// statement without a round trip, so one row per call costs no more than a
// multi-row one.
func insertAuditSQLite(ctx context.Context, tx *sql.Tx, entries []audit.Entry, last audit.Entry) error {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO audit_entries
		(chain, seq, at, agency_id, key_id, purpose, operation, request_id, accesses, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`)
	if err != nil {
		return fmt.Errorf("prepare audit entry insert: %w", err)
	}
	defer ins.Close()
	for i := range entries {
		e := &entries[i]
		if _, err := ins.ExecContext(ctx, e.Chain, e.Seq, e.At.UnixMicro(), e.AgencyID, e.KeyID, e.Purpose, e.Operation, e.RequestID,
			e.EncodedAccesses(), e.Hash[:]); err != nil {
			return fmt.Errorf("insert audit entry %d of chain %d: %w", e.Seq, e.Chain, err)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, $2, $3)
		ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, last.Chain, last.Seq, last.Hash[:])
	if err != nil {
		return fmt.Errorf("update head of audit chain %d: %w", last.Chain, err)
	}
	return nil
}

// insertAuditPostgres writes the entries and the new head in one
// statement, one round trip: the rows go in as arrays, one per column,
// that unnest turns back into rows.
func insertAuditPostgres(ctx context.Context, tx *sql.Tx, entries []audit.Entry, last audit.Entry) error {
	n := len(entries)
	var (
		chains                        = make([]int32, n)
		seqs, ats                     = make([]int64, n), make([]int64, n)
		agencies, keys, purposes, ops = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		requests                      = make([]string, n)
		blobs, hashes                 = make([][]byte, n), make([][]byte, n)
	)
	for i := range entries {
		e := &entries[i]
		chains[i], seqs[i], ats[i] = int32(e.Chain), e.Seq, e.At.UnixMicro()
		agencies[i], keys[i], purposes[i], ops[i], requests[i] = e.AgencyID, e.KeyID, e.Purpose, e.Operation, e.RequestID
		blobs[i], hashes[i] = e.EncodedAccesses(), e.Hash[:]
	}
	_, err := tx.ExecContext(ctx, `
		WITH e AS (
			INSERT INTO audit_entries (chain, seq, at, agency_id, key_id, purpose, operation, request_id, accesses, hash)
			SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bytea[], $10::bytea[])
		)
		UPDATE audit_heads SET seq = $11, hash = $12 WHERE chain = $13`,
		chains, seqs, ats, agencies, keys, purposes, ops, requests, blobs, hashes,
		last.Seq, last.Hash[:], last.Chain)
	if err != nil {
		return fmt.Errorf("insert audit entries %d to %d of chain %d: %w", entries[0].Seq, last.Seq, last.Chain, err)
	}
	return nil
}

// auditIndexRow is a row of audit_accesses on its way in.
type auditIndexRow struct {
	pid, at, seq int64
	chain, idx   int32
}

// compare orders rows as audit_accesses' primary key does.
func (a auditIndexRow) compare(b auditIndexRow) int {
	switch {
	case a.pid != b.pid:
		return cmp.Compare(a.pid, b.pid)
	case a.at != b.at:
		return cmp.Compare(a.at, b.at)
	case a.chain != b.chain:
		return cmp.Compare(a.chain, b.chain)
	case a.seq != b.seq:
		return cmp.Compare(a.seq, b.seq)
	}
	return cmp.Compare(a.idx, b.idx)
}

// auditIndexSlice is how many index rows one transaction of IndexAudit
// writes: on SQLite the log's appends wait behind it (a few
// milliseconds), on PostgreSQL they do not, and bigger is cheaper.
func (db *DB) auditIndexSlice() int {
	if db.engine == Postgres {
		return 8192
	}
	return 2048
}

// IndexAudit adds the accesses of chain's entries past its watermark to
// audit_accesses: whole entries, up to about maxRows accesses, sorted by
// the index's key and written in slices of consecutive keys, one short
// transaction each (between runs after each but the last, told how many
// rows it wrote); the last also raises the watermark. Rows already there
// are skipped, so a pass that overlaps another, or repeats one a crash
// cut short, is harmless.
func (db *DB) IndexAudit(ctx context.Context, chain int, maxRows int, between func(rows int) error) (int64, bool, error) {
	var from int64
	err := db.read.QueryRowContext(ctx, `SELECT indexed_seq FROM audit_heads WHERE chain = $1`, chain).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read audit index watermark of chain %d: %w", chain, err)
	}
	rows, through, more, err := db.unindexedAudit(ctx, chain, from, maxRows)
	if err != nil || through == from {
		return from, false, err
	}
	slices.SortFunc(rows, auditIndexRow.compare)
	size := db.auditIndexSlice()
	for start := 0; start < len(rows) || start == 0; start += size {
		part := rows[start:min(start+size, len(rows))]
		last := start+size >= len(rows)
		err := db.inDerivedTx(ctx, func(tx *sql.Tx) error {
			if err := db.insertAuditIndex(ctx, tx, part); err != nil {
				return err
			}
			if !last {
				return nil
			}
			_, err := tx.ExecContext(ctx, `UPDATE audit_heads SET indexed_seq = $2 WHERE chain = $1 AND indexed_seq < $2`, chain, through)
			return err
		})
		if err != nil {
			return from, false, fmt.Errorf("index audit chain %d entries %d to %d: %w", chain, from+1, through, err)
		}
		if last {
			break
		}
		if between != nil {
			if err := between(len(part)); err != nil {
				return from, false, err
			}
		}
	}
	return through, more, nil
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
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// unindexedAudit reads the index rows of chain's entries after seq from,
// whole entries until maxRows rows, and the last seq read.
func (db *DB) unindexedAudit(ctx context.Context, chain int, from int64, maxRows int) (out []auditIndexRow, through int64, more bool, err error) {
	through = from
	q, err := db.read.QueryContext(ctx, `SELECT seq, at, accesses FROM audit_entries WHERE chain = $1 AND seq > $2 ORDER BY seq`, chain, from)
	if err != nil {
		return nil, from, false, fmt.Errorf("read unindexed audit entries of chain %d: %w", chain, err)
	}
	defer q.Close()
	var blob []byte
	for q.Next() {
		if len(out) >= maxRows {
			more = true
			break
		}
		var seq, at int64
		if err := q.Scan(&seq, &at, &blob); err != nil {
			return nil, from, false, fmt.Errorf("read unindexed audit entries of chain %d: %w", chain, err)
		}
		// An access list that does not decode is left out of the index;
		// Verify reports the entry.
		_ = audit.WalkAccessPIDs(blob, func(i int, number uint64) {
			out = append(out, auditIndexRow{pid: int64(number), at: at, seq: seq, chain: int32(chain), idx: int32(i)})
		})
		through = seq
	}
	if err := q.Err(); err != nil {
		return nil, from, false, fmt.Errorf("read unindexed audit entries of chain %d: %w", chain, err)
	}
	return out, through, more, nil
}

// insertAuditIndex inserts rows, skipping those already there: on
// PostgreSQL as arrays in one statement, on SQLite through a statement
// prepared for the transaction.
func (db *DB) insertAuditIndex(ctx context.Context, tx *sql.Tx, rows []auditIndexRow) error {
	if len(rows) == 0 {
		return nil
	}
	if db.engine == Postgres {
		pids, ats, seqs := make([]int64, len(rows)), make([]int64, len(rows)), make([]int64, len(rows))
		chains, idxs := make([]int32, len(rows)), make([]int32, len(rows))
		for i, r := range rows {
			pids[i], ats[i], seqs[i], chains[i], idxs[i] = r.pid, r.at, r.seq, r.chain, r.idx
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_accesses (pid, at, chain, seq, idx)
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::integer[], $4::bigint[], $5::integer[])
			ON CONFLICT DO NOTHING`, pids, ats, chains, seqs, idxs)
		return err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO audit_accesses (pid, at, chain, seq, idx) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, r := range rows {
		if _, err := ins.ExecContext(ctx, r.pid, r.at, r.chain, r.seq, r.idx); err != nil {
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

// ScanAudit calls fn with every entry, chain by chain in sequence order.
// An entry whose stored access list does not decode, or whose hash is not
// 32 bytes, is passed on as it is (Verify reports it) rather than ending
// the scan.
func (db *DB) ScanAudit(ctx context.Context, fn func(audit.Entry) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT chain, seq, at, agency_id, key_id, purpose, operation, request_id, accesses, hash
		FROM audit_entries ORDER BY chain, seq`)
	if err != nil {
		return fmt.Errorf("scan audit entries: %w", err)
	}
	defer rows.Close()
	var (
		prevChain = -1
		prevHash  [32]byte
	)
	for rows.Next() {
		var (
			e          audit.Entry
			at         int64
			blob, hash []byte
		)
		if err := rows.Scan(&e.Chain, &e.Seq, &at, &e.AgencyID, &e.KeyID, &e.Purpose, &e.Operation, &e.RequestID, &blob, &hash); err != nil {
			return fmt.Errorf("scan audit entries: %w", err)
		}
		e.At = time.UnixMicro(at).UTC()
		_ = e.SetEncodedAccesses(blob) // kept for Verify to report
		copy(e.Hash[:], hash)          // a short or long hash cannot match the recomputed one
		if e.Chain != prevChain {
			prevChain, prevHash = e.Chain, [32]byte{}
		}
		e.PrevHash, prevHash = prevHash, e.Hash
		if err := fn(e); err != nil {
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
		var number, at int64
		if err := rows.Scan(&number, &at, &r.Chain, &r.Seq, &r.Index); err != nil {
			return fmt.Errorf("scan audit index: %w", err)
		}
		r.PID, _ = pid.FromUint64(uint64(number)) // out of range: the empty PID, which Verify counts as wrong
		r.At = time.UnixMicro(at).UTC()
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
	rows, err := tx.QueryContext(ctx, `
		SELECT x.chain, x.seq, x.idx, x.at, e.agency_id, e.key_id, e.operation, e.purpose, e.request_id, e.accesses
		FROM audit_accesses x JOIN audit_entries e ON e.chain = x.chain AND e.seq = x.seq
		WHERE x.pid = $1
		ORDER BY x.at DESC, x.chain DESC, x.seq DESC, x.idx DESC
		LIMIT $2`, int64(n), limit)
	if err != nil {
		return nil, fmt.Errorf("audit accesses to %s: %w", number, err)
	}
	err = scanAccessViews(rows, number, func(v audit.AccessView, idx int) {
		seen[key{v.Chain, v.Seq, idx}] = true
		out = append(out, v)
	})
	if err != nil {
		return nil, fmt.Errorf("audit accesses to %s: %w", number, err)
	}
	// Entries past each chain's watermark: decode each access list far
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
		rows, err = tx.QueryContext(ctx, `
			SELECT chain, seq, -1, at, agency_id, key_id, operation, purpose, request_id, accesses
			FROM audit_entries WHERE chain = $1 AND seq > $2`, m.chain, m.seq)
		if err != nil {
			return nil, fmt.Errorf("audit accesses to %s: %w", number, err)
		}
		err = scanAccessViews(rows, number, func(v audit.AccessView, idx int) {
			if k := (key{v.Chain, v.Seq, idx}); !seen[k] {
				seen[k] = true
				out = append(out, v)
			}
		})
		if err != nil {
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

// scanAccessViews reads rows of (chain, seq, idx, at, agency_id, key_id,
// operation, purpose, request_id, accesses) and calls fn with each
// access to number they hold: the one at idx, or with idx -1 every one in
// the list. An index row that points at an access to someone else is an
// error matching audit.ErrCorrupt.
func scanAccessViews(rows *sql.Rows, number pid.PID, fn func(v audit.AccessView, idx int)) error {
	defer rows.Close()
	want := number.Uint64()
	for rows.Next() {
		var (
			v    audit.AccessView
			idx  int
			at   int64
			blob []byte
		)
		if err := rows.Scan(&v.Chain, &v.Seq, &idx, &at, &v.AgencyID, &v.KeyID, &v.Operation, &v.Purpose, &v.RequestID, &blob); err != nil {
			return err
		}
		v.At = time.UnixMicro(at).UTC()
		if idx < 0 {
			var hits []int
			if err := audit.WalkAccessPIDs(blob, func(i int, n uint64) {
				if n == want {
					hits = append(hits, i)
				}
			}); err != nil {
				return fmt.Errorf("entry %d of chain %d: %w", v.Seq, v.Chain, err)
			}
			for _, i := range hits {
				a, err := audit.AccessAt(blob, i)
				if err != nil {
					return fmt.Errorf("entry %d of chain %d: %w", v.Seq, v.Chain, err)
				}
				w := v
				w.Fields, w.Result = a.Fields, a.Result
				fn(w, i)
			}
			continue
		}
		a, err := audit.AccessAt(blob, idx)
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
