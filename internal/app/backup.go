package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"dancu/internal/config"
	"dancu/internal/store"
)

// checkOut checks the arguments of a command that writes what (one file)
// to --out and takes no other argument: where says what --out should name.
func checkOut(args []string, out string, asJSON bool, what, where string) error {
	if len(args) > 0 {
		return usagef("takes no arguments, got %q (the file goes in --out)", args[0])
	}
	if out == "" {
		return usagef("--out is required (%s, or - for stdout)", where)
	}
	if out == "-" && asJSON {
		return usagef("--json prints to stdout, where --out - writes %s; use one or the other", what)
	}
	return nil
}

func backupCommand() command {
	return command{
		name: "backup",
		summary: "Write a consistent backup of every table to a gzip-compressed JSON-lines file, " +
			"safe to run while dancu serve is running on the same database. The file appears under its name only once it is complete and on disk; " +
			"with --out - the backup goes to stdout. Keep a copy off this machine. See docs/backup.md.",
		example: "dancu backup --data /var/lib/dancu --out /backup/dancu-$(date +%F).dancu.gz\n" +
			"DANCU_DB=postgres://dancu@localhost/dancu dancu backup --out - | ssh vault 'cat > dancu.dancu.gz'",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindJSON(fs)
			out := fs.String("out", "", "file to write the backup to (required); - for stdout")
			return func(ctx context.Context, args []string) error {
				if err := checkOut(args, *out, cfg.JSON, "the backup", "a file"); err != nil {
					return err
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				return runBackup(ctx, *cfg, *out, env)
			}
		},
	}
}

// runBackup writes the backup to out: straight to stdout for "-", else to
// out.tmp, fsynced and then renamed, so that out is never half-written.
func runBackup(ctx context.Context, cfg config.Config, out string, env Env) error {
	if err := requireDatabase(cfg); err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	progress := progressPrinter(env.Stderr, "backup")
	var sum store.BackupSummary
	if out == "-" {
		w := bufio.NewWriterSize(env.Stdout, 256<<10)
		if sum, err = db.Backup(ctx, w, progress); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("write stdout: %w", err)
		}
	} else if sum, err = backupToFile(ctx, db, out, progress); err != nil {
		return err
	}

	where := out
	if out == "-" {
		where = "stdout"
	}
	fmt.Fprintf(env.Stderr, "backup: %s schema version %d → %s: %d tables, %d rows, %d bytes in %s (%s)\n",
		db, sum.SchemaVersion, where, len(sum.Tables), sum.Rows, sum.Bytes, sum.Took.Round(time.Millisecond), rate(sum.Rows, sum.Took))
	if cfg.JSON {
		return writeJSON(env.Stdout, struct {
			File          string         `json:"file"`
			Engine        string         `json:"engine"`
			SchemaVersion int            `json:"schema_version"`
			Tables        []tableSummary `json:"tables"`
			Rows          int64          `json:"rows"`
			Bytes         int64          `json:"bytes"`
			Millis        int64          `json:"ms"`
		}{out, string(sum.Engine), sum.SchemaVersion, tableSummaries(sum.Tables), sum.Rows, sum.Bytes, sum.Took.Milliseconds()}, true)
	}
	return nil
}

// backupToFile writes the backup to path, atomically (writeFileAtomic).
// The file is readable by its owner only: it holds every citizen's data.
func backupToFile(ctx context.Context, db *store.DB, path string, progress func(string, int64)) (sum store.BackupSummary, err error) {
	err = writeFileAtomic(path, func(w io.Writer) error {
		var err error
		sum, err = db.Backup(ctx, w, progress)
		return err
	})
	return sum, err
}

// writeFileAtomic writes path through write: to path+".tmp" (mode 0600),
// buffered, fsynced, renamed to path, and the directory fsynced, so a
// crash leaves either the previous file or the complete new one.
func writeFileAtomic(path string, write func(w io.Writer) error) (err error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", tmp, errors.Unwrap(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	w := bufio.NewWriterSize(f, 256<<10)
	if err = write(w); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	// The rename is durable once the directory is.
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("sync directory of %s: %w", path, err)
		}
	}
	return nil
}

// requireDatabase refuses a command that reads when the SQLite database
// it names does not exist: it must not create an empty one where the
// operator mistyped a path.
func requireDatabase(cfg config.Config) error {
	if cfg.DB != "" {
		return nil
	}
	if _, err := os.Stat(cfg.SQLitePath()); err != nil {
		return fmt.Errorf("no dancu database at %s: %w", cfg.SQLitePath(), errors.Unwrap(err))
	}
	return nil
}

func restoreCommand() command {
	return command{
		name: "restore",
		args: "FILE | -",
		summary: "Load a backup written by dancu backup into a new, empty database (SQLite in --data, or PostgreSQL with --db), " +
			"creating and migrating it; a database that already holds data is refused. " +
			"Everything is loaded in one transaction: a truncated or corrupted file leaves the database empty. " +
			"A backup from SQLite restores into PostgreSQL and back. See docs/backup.md.",
		example: "dancu restore --data /var/lib/dancu-restored /backup/dancu-2026-01-31.dancu.gz\n" +
			"dancu restore --db postgres://dancu@db.internal/dancu ./dancu.dancu.gz",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindJSON(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usagef("takes one backup file (or - for stdin), got %d arguments", len(args))
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				return runRestore(ctx, *cfg, args[0], env)
			}
		},
	}
}

func runRestore(ctx context.Context, cfg config.Config, file string, env Env) error {
	in := env.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("open backup: %w", err)
		}
		defer f.Close()
		in = f
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := db.Restore(ctx, bufio.NewReaderSize(in, 256<<10), progressPrinter(env.Stderr, "restore"))
	if err != nil {
		return err
	}
	for _, a := range sum.Migrated {
		fmt.Fprintf(env.Stderr, "restore: migrated %04d_%s\n", a.Version, a.Name)
	}
	fmt.Fprintf(env.Stderr, "restore: %s backup of schema version %d taken %s → %s: %d tables, %d rows in %s (%s)\n",
		sum.SourceEngine, sum.SchemaVersion, sum.CreatedAt.Format(time.RFC3339), db, len(sum.Tables), sum.Rows,
		sum.Took.Round(time.Millisecond), rate(sum.Rows, sum.Took))
	if cfg.JSON {
		return writeJSON(env.Stdout, struct {
			SourceEngine  string         `json:"source_engine"`
			Engine        string         `json:"engine"`
			CreatedAt     time.Time      `json:"backup_created_at"`
			SchemaVersion int            `json:"backup_schema_version"`
			Migrated      int            `json:"migrated_steps"`
			Tables        []tableSummary `json:"tables"`
			Rows          int64          `json:"rows"`
			Millis        int64          `json:"ms"`
		}{string(sum.SourceEngine), string(db.Engine()), sum.CreatedAt, sum.SchemaVersion, len(sum.Migrated),
			tableSummaries(sum.Tables), sum.Rows, sum.Took.Milliseconds()}, true)
	}
	return nil
}

type tableSummary struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

func tableSummaries(ts []store.TableRows) []tableSummary {
	out := make([]tableSummary, 0, len(ts))
	for _, t := range ts {
		out = append(out, tableSummary{t.Table, t.Rows})
	}
	return out
}

// progressPrinter prints a line per table with its rows and rate; empty
// tables are counted in the summary, not printed.
func progressPrinter(w io.Writer, verb string) func(table string, rows int64) {
	last := time.Now()
	return func(table string, rows int64) {
		now := time.Now()
		took := now.Sub(last)
		last = now
		if rows == 0 {
			return
		}
		fmt.Fprintf(w, "%s: %-28s %12d rows in %s (%s)\n", verb, table, rows, took.Round(time.Millisecond), rate(rows, took))
	}
}

func rate(rows int64, took time.Duration) string {
	if took <= 0 {
		return "- rows/s"
	}
	return fmt.Sprintf("%.0f rows/s", float64(rows)/took.Seconds())
}
