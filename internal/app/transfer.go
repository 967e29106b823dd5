package app

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/config"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/rowfile"
	"dancu/internal/store"
)

func importCommand() command {
	return command{
		name: "import",
		args: "FILE|-",
		summary: "Load citizens from an NDJSON or CSV file (the format export and generate write) into the register, " +
			"one initial-registration event per citizen, committed in batches. Bad rows go to the rejects file with their line number " +
			"and reason and the rows around them are kept. Rerunning the same file is safe: citizens already registered with the same data " +
			"count as unchanged, so an interrupted import is finished by running it again. See docs/import.md.",
		example: "dancu import --data /var/lib/dancu citizens.csv\n" +
			"zcat citizens.ndjson.gz | dancu import --format ndjson --rejects bad.csv -",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindJSON(fs)
			format := fs.String("format", "", "ndjson or csv (default: from the file's extension)")
			rejects := fs.String("rejects", "", "CSV file for rejected rows (default: FILE.rejects.csv, or import.rejects.csv for stdin)")
			batch := fs.Int("batch", 2000, "rows per transaction")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usagef("takes one FILE (or - for stdin)")
				}
				name := args[0]
				f, err := rowfile.FormatOf(name, *format)
				if name == "-" && *format == "" {
					return usagef("give --format ndjson or csv when reading stdin")
				}
				if err != nil {
					return usagef("%v", err)
				}
				if *batch < 1 || *batch > 100000 {
					return usagef("--batch must be between 1 and 100000")
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				if *rejects == "" {
					*rejects = name + ".rejects.csv"
					if name == "-" {
						*rejects = "import.rejects.csv"
					}
				}
				return runImport(ctx, *cfg, env, importSpec{name: name, format: f, rejects: *rejects, batch: *batch})
			}
		},
	}
}

type importSpec struct {
	name    string
	format  rowfile.Format
	rejects string
	batch   int
}

// importSummary is what an import did, printed at the end (and as JSON
// with --json).
type importSummary struct {
	Rows      int64   `json:"rows"`
	Imported  int64   `json:"imported"`
	Unchanged int64   `json:"unchanged"`
	Rejected  int64   `json:"rejected"`
	Rejects   string  `json:"rejects_file,omitempty"`
	Seconds   float64 `json:"seconds"`
	RowsPerS  float64 `json:"rows_per_second"`
}

func runImport(ctx context.Context, cfg config.Config, env Env, spec importSpec) error {
	var in io.Reader = env.Stdin
	var size int64
	if spec.name != "-" {
		f, err := os.Open(spec.name)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		in = f
	}
	counter := &countingReader{r: in}
	rd := rowfile.NewReader(counter, spec.format)
	db, reg, err := openRegister(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	source := func() (int64, registry.Record, error) { return rd.Next() }
	sum, err := importRows(ctx, env, db, reg, spec, filepath.Base(spec.name), size, func() int64 { return counter.n }, source)
	if err != nil {
		return err
	}
	return printImportSummary(env, cfg.JSON, sum)
}

// openRegister opens and migrates the store and builds the register over
// it.
func openRegister(ctx context.Context, cfg config.Config) (*store.DB, *registry.Service, error) {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	units, err := adminunit.Load()
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, registry.NewService(db, pid.NewAllocator(db), units), nil
}

// importRows feeds rows from next (io.EOF at the end, a *rowfile.RowError
// for an unreadable row) to the register, writing rejects to spec.rejects
// and progress to stderr. done reports progress toward total.
func importRows(ctx context.Context, env Env, db *store.DB, reg *registry.Service, spec importSpec, source string, total int64, done func() int64,
	next func() (int64, registry.Record, error)) (sum importSummary, err error) {
	rej, err := newRejectsFile(spec.rejects)
	if err != nil {
		return sum, err
	}
	defer rej.abandon()
	start := time.Now()
	if err := bulkLoad(ctx, env, db, func(empty bool) error {
		return loadRows(ctx, env, reg, spec, empty, source, total, done, next, rej, &sum)
	}); err != nil {
		return sum, err
	}
	took := time.Since(start)
	sum.Seconds = took.Seconds()
	sum.RowsPerS = float64(sum.Rows) / max(took.Seconds(), 1e-9)
	if sum.Rejected > 0 {
		sum.Rejects = spec.rejects
	}
	return sum, rej.close(sum.Rejected > 0)
}

// bulkLoad runs load with the store set for a load (BulkWrites) and, into
// an empty register, with the search indexes set aside and built after:
// one sort each instead of a random insert per row. However load ends,
// the indexes are built and what it committed is durable before bulkLoad
// returns.
func bulkLoad(ctx context.Context, env Env, db *store.DB, load func(empty bool) error) (err error) {
	// An import allocates a few kilobytes per row and keeps only the
	// batches in hand (about 70 MB live): collecting when the heap has
	// grown fourfold instead of twofold takes the collector's share of
	// the CPU from 7 % to 1 % (200,000 rows) for about 300 MB more
	// memory, still bounded whatever the size of the file.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	endBulk, err := db.BulkWrites(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if e := endBulk(context.WithoutCancel(ctx)); e != nil && err == nil {
			err = fmt.Errorf("make the import durable: %w", e)
		}
	}()
	n, err := db.RowCount(ctx, "citizens")
	if err != nil {
		return err
	}
	if n == 0 {
		rebuild, err := db.DropIndexes(ctx)
		if err != nil {
			return err
		}
		defer func() {
			fmt.Fprintf(env.Stderr, "import: building the search indexes…\n")
			start := time.Now()
			if e := rebuild(context.WithoutCancel(ctx)); e != nil && err == nil {
				err = e
			}
			fmt.Fprintf(env.Stderr, "import: indexes built in %s\n", time.Since(start).Round(time.Millisecond))
		}()
	}
	return load(n == 0)
}

// loadRows feeds every row from next to an importer.
func loadRows(ctx context.Context, env Env, reg *registry.Service, spec importSpec, empty bool, source string, total int64, done func() int64,
	next func() (int64, registry.Record, error), rej *rejectsFile, sum *importSummary) error {
	m := newMeter(env.Stderr, "import", total)
	defer m.finish()
	var resultErr error
	im := reg.NewImporter(registry.ImportOptions{Source: source, BatchSize: spec.batch, Empty: empty, Result: func(r registry.RowResult) {
		switch r.Outcome {
		case registry.Imported:
			sum.Imported++
		case registry.Unchanged:
			sum.Unchanged++
		case registry.Rejected:
			sum.Rejected++
			if err := rej.write(r.Line, r.PID, r.Err); err != nil && resultErr == nil {
				resultErr = err
			}
		}
	}})
	for {
		line, rec, err := next()
		if err == io.EOF {
			break
		}
		var re *rowfile.RowError
		if errors.As(err, &re) {
			sum.Rows++
			sum.Rejected++
			if err := rej.write(re.Line, "", errors.New(re.Msg)); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", source, err)
		}
		sum.Rows++
		if err := im.Add(ctx, line, rec); err != nil {
			return err
		}
		if resultErr != nil {
			return resultErr
		}
		m.update(done(), sum.Rows)
	}
	return im.Close(ctx)
}

func printImportSummary(env Env, asJSON bool, sum importSummary) error {
	if asJSON {
		return writeJSON(env.Stdout, sum, false)
	}
	fmt.Fprintf(env.Stderr, "import: %d rows in %s (%.0f rows/s): %d imported, %d unchanged, %d rejected\n",
		sum.Rows, time.Duration(sum.Seconds*float64(time.Second)).Round(time.Millisecond), sum.RowsPerS, sum.Imported, sum.Unchanged, sum.Rejected)
	if sum.Rejected > 0 {
		fmt.Fprintf(env.Stderr, "import: rejected rows, with line numbers and reasons, are in %s\n", sum.Rejects)
	}
	return nil
}

// rejectsFile collects rejected rows as CSV: line, pid, field, code,
// reason. It is written beside its final name and kept only when a row
// was rejected.
type rejectsFile struct {
	path string
	f    *os.File
	w    *csv.Writer
}

func newRejectsFile(path string) (*rejectsFile, error) {
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return nil, fmt.Errorf("rejects file: %w", err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"line", "pid", "field", "code", "reason"})
	return &rejectsFile{path: path, f: f, w: w}, nil
}

func (r *rejectsFile) write(line int64, number string, err error) error {
	field, code, reason := "", "", err.Error()
	var fe *registry.FieldError
	if errors.As(err, &fe) {
		field, code, reason = fe.Field, fe.Code, fe.Msg
	}
	if err := r.w.Write([]string{fmt.Sprint(line), number, field, code, reason}); err != nil {
		return fmt.Errorf("rejects file: %w", err)
	}
	return nil
}

// close keeps the file when keep, else removes it.
func (r *rejectsFile) close(keep bool) error {
	r.w.Flush()
	err := errors.Join(r.w.Error(), r.f.Close())
	r.f = nil
	if err != nil || !keep {
		_ = os.Remove(r.path + ".tmp")
		if err != nil {
			return fmt.Errorf("rejects file: %w", err)
		}
		return nil
	}
	return os.Rename(r.path+".tmp", r.path)
}

// abandon keeps what was written when the import stops early, so the
// operator sees the rejects so far.
func (r *rejectsFile) abandon() {
	if r.f != nil {
		_ = r.close(true)
	}
}

func exportCommand() command {
	return command{
		name: "export",
		summary: "Write every citizen of the register to stdout (or --out) as NDJSON or CSV, household by household with the head first, " +
			"in the format import reads back unchanged. Progress goes to stderr.",
		example: "dancu export --data /var/lib/dancu --format csv > citizens.csv\n" +
			"dancu export --format ndjson --out citizens.ndjson",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			format := fs.String("format", "", "ndjson or csv (default: from --out's extension, else ndjson)")
			out := fs.String("out", "-", "file to write; - for stdout")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", args[0])
				}
				f := rowfile.NDJSON
				if *format != "" || *out != "-" {
					var err error
					if f, err = rowfile.FormatOf(*out, *format); err != nil {
						return usagef("%v", err)
					}
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				return runExport(ctx, *cfg, env, f, *out)
			}
		},
	}
}

func runExport(ctx context.Context, cfg config.Config, env Env, format rowfile.Format, out string) error {
	if err := requireDatabase(cfg); err != nil {
		return err
	}
	db, reg, err := openRegister(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	total, err := db.RowCount(ctx, "citizens")
	if err != nil {
		return err
	}
	return writeRecords(env, out, format, "export", "citizens", total, func(write func(registry.Record) error) error {
		return db.EachCitizen(ctx, func(c registry.Citizen) error { return write(reg.RecordOf(c)) })
	})
}

// writeRecords writes the records that each passes to write, as format,
// to stdout (out "-") or to the file out, atomically (writeFileAtomic);
// progress and a summary go to stderr.
func writeRecords(env Env, out string, format rowfile.Format, verb, noun string, total int64,
	each func(write func(registry.Record) error) error) error {
	start := time.Now()
	var n int64
	write := func(dst io.Writer) error {
		w, err := rowfile.NewWriter(dst, format)
		if err != nil {
			return err
		}
		m := newMeter(env.Stderr, verb, total)
		err = each(func(r registry.Record) error {
			n++
			m.update(n, n)
			return w.Write(r)
		})
		m.finish()
		if err != nil {
			return err
		}
		return w.Flush()
	}
	var err error
	if out == "-" {
		err = write(env.Stdout)
	} else {
		err = writeFileAtomic(out, write)
	}
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(env.Stderr, "%s: %d %s in %s (%.0f rows/s)\n", verb, n, noun, took.Round(time.Millisecond), float64(n)/max(took.Seconds(), 1e-9))
	return nil
}
