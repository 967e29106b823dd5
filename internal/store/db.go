// Package store is dancu's database access: connection handling for the
// embedded SQLite engine and for PostgreSQL, embedded forward-only
// migrations, and one file per aggregate implementing the narrow store
// interfaces that the domain packages declare.
//
// The same SQL runs on both engines: statements use $1-style placeholders,
// which both drivers bind by position. Where the dialects differ, the
// difference stays in the file that needs it.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Engine names a supported database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open dancu database.
//
// On SQLite it holds two pools: one connection for every write (SQLite
// allows one writer at a time; queuing in Go is cheaper than spinning on
// SQLITE_BUSY) and a pool of query-only connections for reads, which WAL
// mode lets run beside the writer. On PostgreSQL both are the same pool.
type DB struct {
	engine Engine
	write  *sql.DB
	read   *sql.DB
	where  string // file path or redacted URL, for messages

	// failpoint, set only by tests, runs between the statements of a
	// multi-statement write; an error from it aborts the transaction as a
	// crash would.
	failpoint func(step string) error

	// bulk is set while BulkWrites relaxes durability for a load.
	bulk atomic.Bool
	// claimsDeferred is set while a bulk load leaves the claims of the
	// numbers it registers to its end (DropIndexes).
	claimsDeferred atomic.Bool
	// writeDSN opens a connection like the writer's (SQLite), for the
	// checkpointer.
	writeDSN string
	// stopCheckpoints stops the SQLite checkpointer and waits for it.
	stopCheckpoints func()
}

// step calls the test failpoint, if any, after a step of a write.
func (db *DB) step(_ context.Context, name string) error {
	if db.failpoint == nil {
		return nil
	}
	return db.failpoint(name)
}

// Engine reports which engine db runs on.
func (db *DB) Engine() Engine { return db.engine }

// String names the database for logs without revealing credentials.
func (db *DB) String() string { return string(db.engine) + " " + db.where }

// sqlitePragmas are applied to every SQLite connection.
//
// Durability: journal_mode=WAL with synchronous=FULL makes every commit
// durable (the WAL is fsynced at each commit) before Commit returns; NORMAL
// would be faster but could lose the last commits on power loss, which a
// register must not. foreign_keys is off by default in SQLite.
var sqlitePragmas = []string{
	"journal_mode(WAL)",
	"synchronous(FULL)",
	"foreign_keys(ON)",
	"busy_timeout(10000)",
}

// OpenSQLite opens (creating when missing) the SQLite database at path.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	q := url.Values{}
	for _, p := range sqlitePragmas {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate") // take the write lock at BEGIN, never upgrade mid-transaction
	// The one writer keeps 64 MiB of pages (the default is 2 MiB): index
	// pages of a large register stay in memory across transactions instead
	// of being read back for every insert.
	writeQ := url.Values{}
	for k, v := range q {
		writeQ[k] = v
	}
	writeQ.Add("_pragma", "cache_size(-65536)")
	// Checkpoints (copying the WAL into the database file, and syncing it)
	// are run by a connection of their own, off the writers' path: a commit
	// that crossed SQLite's default threshold of 1,000 pages would copy
	// them itself and keep every request behind it waiting tens of
	// milliseconds. The writer checkpoints itself only past walLimit pages,
	// should the checkpointer fall behind.
	writeQ.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walLimit))
	writeDSN := "file:" + path + "?" + writeQ.Encode()
	q.Add("_pragma", "query_only(ON)")
	q.Del("_txlock")
	readDSN := "file:" + path + "?" + q.Encode()

	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The writer connection is opened first so that WAL mode is set before
	// any reader opens the file.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", readDSN)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	db := &DB{engine: SQLite, write: write, read: read, where: path, writeDSN: writeDSN}
	if err := db.startCheckpoints(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// walLimit is the WAL size, in pages, past which the writer checkpoints
// itself (64 MiB of 4 KiB pages).
const walLimit = 16384

// checkpointEvery is how often the checkpointer copies the WAL into the
// database file.
const checkpointEvery = 250 * time.Millisecond

// startCheckpoints starts the SQLite checkpointer: a connection of its
// own that runs a PASSIVE checkpoint every checkpointEvery. PASSIVE copies
// what it can without waiting for the writer or blocking it; the writer
// restarts the WAL from its beginning once everything was copied.
func (db *DB) startCheckpoints() error {
	ck, err := sql.Open("sqlite", db.writeDSN)
	if err != nil {
		return err
	}
	ck.SetMaxOpenConns(1)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				// An error (the database busy, or closing) only delays the
				// copy to the next tick.
				_, _ = ck.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	}()
	db.stopCheckpoints = func() {
		close(stop)
		<-stopped
		ck.Close()
	}
	return nil
}

// OpenPostgres connects to the PostgreSQL database at dbURL.
func OpenPostgres(ctx context.Context, dbURL string) (*DB, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, errors.New("open postgres: the URL does not parse")
	}
	pool, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", u.Redacted(), err)
	}
	pool.SetMaxOpenConns(max(8, runtime.GOMAXPROCS(0)*4))
	pool.SetMaxIdleConns(max(8, runtime.GOMAXPROCS(0)*4))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.PingContext(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", u.Redacted(), err)
	}
	return &DB{engine: Postgres, write: pool, read: pool, where: u.Redacted()}, nil
}

// Open opens the database a dbURL or data directory names: PostgreSQL when
// dbURL is set, otherwise SQLite at sqlitePath.
func Open(ctx context.Context, dbURL, sqlitePath string) (*DB, error) {
	if strings.TrimSpace(dbURL) != "" {
		return OpenPostgres(ctx, dbURL)
	}
	return OpenSQLite(ctx, sqlitePath)
}

// Close closes every connection.
func (db *DB) Close() error {
	if db.stopCheckpoints != nil {
		db.stopCheckpoints()
		db.stopCheckpoints = nil
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers a read and that the writer is
// available, for readiness probes.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.engine, err)
	}
	return nil
}

// inTx runs fn in a write transaction and commits it; any error, or a
// panic, rolls it back so nothing is half-written.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return runTx(tx, fn)
}

// runTx runs fn in tx and commits it; any error, or a panic, rolls it
// back.
func runTx(tx *sql.Tx, fn func(tx *sql.Tx) error) (err error) {
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
