package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/config"
	"dancu/internal/registry"
	"dancu/internal/rowfile"
	"dancu/internal/store"
	"dancu/internal/synth"
)

func generateCommand() command {
	return command{
		name: "generate",
		summary: "Generate a synthetic population, deterministic from --seed: families in households with realistic names, ages, " +
			"places and life events. With --out it writes NDJSON or CSV (from --format, else the extension; - for stdout); " +
			"with --data or --db instead it loads the people straight into the register, as import does. " +
			"With --dataset it derives instead a sectoral dataset (a telecom or bank customer list) of --count rows from the people of --from, " +
			"with realistic noise, and writes the truth about every row to --truth. See docs/synth.md.",
		example: "dancu generate --count 1000000 --seed 7 --out people.csv\n" +
			"dancu generate --count 100000 --data ./dancu-data\n" +
			"dancu generate --dataset telecom --from people.csv --count 200000 --seed 7 --out subscribers.csv --truth truth.csv",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			count := fs.Int("count", 1000, "number of citizens (with --dataset: of dataset rows)")
			seed := fs.Uint64("seed", 1, "seed: the same seed and count give the same people")
			out := fs.String("out", "", "file to write (- for stdout); without it the people go into the register")
			format := fs.String("format", "", "ndjson or csv (default: from --out's extension)")
			var ds datasetSpec
			fs.StringVar(&ds.kind, "dataset", "", "derive a sectoral dataset instead: telecom or bank (needs --from, --out and --truth)")
			fs.StringVar(&ds.from, "from", "", "with --dataset: the people file (CSV or NDJSON by its extension, as generate --out or export wrote it)")
			fs.StringVar(&ds.truth, "truth", "", "with --dataset: the truth file to write (CSV)")
			fs.StringVar(&ds.noise, "noise", "", "with --dataset: noise rates over the kind's defaults, name=rate,… or none,name=rate,… (see docs/synth.md)")
			fs.StringVar(&ds.asOf, "as-of", "", "with --dataset: the dataset's date, yyyy-mm-dd (default 2026-07-01)")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", args[0])
				}
				if *count < 1 {
					return usagef("--count must be at least 1")
				}
				if ds.kind != "" {
					ds.out, ds.format, ds.count, ds.seed = *out, *format, *count, *seed
					return generateDataset(env, ds)
				}
				for _, f := range []struct{ name, value string }{{"--from", ds.from}, {"--truth", ds.truth}, {"--noise", ds.noise}, {"--as-of", ds.asOf}} {
					if f.value != "" {
						return usagef("%s applies to --dataset", f.name)
					}
				}
				if *out == "" {
					if *format != "" {
						return usagef("--format applies to --out")
					}
					if err := cfg.Validate(); err != nil {
						return err
					}
					return generateIntoRegister(ctx, *cfg, env, *count, *seed)
				}
				f := rowfile.NDJSON
				if *out != "-" || *format != "" {
					var err error
					if f, err = rowfile.FormatOf(*out, *format); err != nil {
						return usagef("%v", err)
					}
				}
				return generateFile(env, *out, f, *count, *seed)
			}
		},
	}
}

func newGenerator(count int, seed uint64) (*synth.Generator, error) {
	units, err := adminunit.Load()
	if err != nil {
		return nil, err
	}
	return synth.New(units, synth.Config{Seed: seed, Count: count})
}

func generateFile(env Env, out string, format rowfile.Format, count int, seed uint64) error {
	g, err := newGenerator(count, seed)
	if err != nil {
		return err
	}
	return writeRecords(env, out, format, "generate", "citizens", int64(count), func(write func(registry.Record) error) error {
		for r, ok := g.Next(); ok; r, ok = g.Next() {
			if err := write(r); err != nil {
				return err
			}
		}
		return nil
	})
}

func generateIntoRegister(ctx context.Context, cfg config.Config, env Env, count int, seed uint64) error {
	db, reg, err := openRegister(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := generateInto(ctx, env, db, reg, count, seed, "generate.rejects.csv")
	if err != nil {
		return err
	}
	return printImportSummary(env, false, sum)
}

// generateInto generates count citizens and imports them into reg.
func generateInto(ctx context.Context, env Env, db *store.DB, reg *registry.Service, count int, seed uint64, rejects string) (importSummary, error) {
	g, err := newGenerator(count, seed)
	if err != nil {
		return importSummary{}, err
	}
	var n int64
	next := func() (int64, registry.Record, error) {
		r, ok := g.Next()
		if !ok {
			return 0, r, io.EOF
		}
		n++
		return n, r, nil
	}
	spec := importSpec{name: "generate", rejects: rejects, batch: 2000}
	return importRows(ctx, env, db, reg, spec, fmt.Sprintf("synth seed %d", seed), int64(count), func() int64 { return n }, next)
}

// datasetSpec is what generate --dataset was asked for.
type datasetSpec struct {
	kind, from, truth, noise, asOf string
	out, format                    string
	count                          int
	seed                           uint64
}

// generateDataset derives a sectoral dataset from the people file
// ds.from, reading it twice: once to count who may be in the dataset,
// once to draw them.
func generateDataset(env Env, ds datasetSpec) error {
	kind, err := synth.ParseDatasetKind(ds.kind)
	if err != nil {
		return usagef("--dataset: %v", err)
	}
	switch {
	case ds.from == "":
		return usagef("--dataset needs --from, the people file to draw from")
	case ds.out == "":
		return usagef("--dataset needs --out, the dataset file to write")
	case ds.truth == "":
		return usagef("--dataset needs --truth, the truth file to write")
	case ds.truth == "-":
		return usagef("--truth must name a file")
	case ds.truth == ds.out:
		return usagef("--truth and --out must be different files")
	case ds.from == ds.out || ds.from == ds.truth:
		return usagef("--out and --truth must not overwrite --from")
	}
	inFormat, err := rowfile.FormatOf(ds.from, "")
	if err != nil {
		return usagef("--from %s: name the file .csv, .ndjson or .jsonl", ds.from)
	}
	outFormat := rowfile.NDJSON
	if ds.out != "-" || ds.format != "" {
		if outFormat, err = rowfile.FormatOf(ds.out, ds.format); err != nil {
			return usagef("%v", err)
		}
	}
	noise, err := synth.ParseNoise(ds.noise, synth.DefaultNoise(kind))
	if err != nil {
		return usagef("--noise: %v", err)
	}
	var asOf registry.Date
	if ds.asOf != "" {
		if asOf, err = registry.ParseDate(ds.asOf); err != nil || !asOf.Full() {
			return usagef("--as-of %q: want a date yyyy-mm-dd", ds.asOf)
		}
	}
	units, err := adminunit.Load()
	if err != nil {
		return err
	}
	d, err := synth.NewDeriver(units, synth.DatasetConfig{Kind: kind, Seed: ds.seed, Count: ds.count, AsOf: asOf, Noise: noise})
	if errors.Is(err, synth.ErrBadConfig) {
		return usagef("%v", err)
	}
	if err != nil {
		return err
	}

	start := time.Now()
	pop, err := scanPeople(env, d, ds.from, inFormat)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "generate: %s: %d citizens, %d of them eligible (%d deceased)\n",
		filepath.Base(ds.from), pop.Records, pop.Eligible, pop.EligibleDeceased)

	in, err := openPeople(ds.from, inFormat)
	if err != nil {
		return err
	}
	defer in.close()
	var n int64
	derive := func(out, truth io.Writer) error {
		dw, err := newDatasetWriter(out, outFormat, kind.Columns())
		if err != nil {
			return err
		}
		tw := csv.NewWriter(truth)
		if err := tw.Write(synth.TruthColumns()); err != nil {
			return err
		}
		m := newMeter(env.Stderr, "generate", int64(ds.count))
		err = d.Derive(in, func(r synth.DatasetRow) error {
			n++
			m.update(n, n)
			if err := dw.write(r.Values); err != nil {
				return err
			}
			return tw.Write(r.Truth.Values())
		})
		m.finish()
		if err != nil {
			return err
		}
		tw.Flush()
		if err := tw.Error(); err != nil {
			return err
		}
		return dw.flush()
	}
	err = writeFileAtomic(ds.truth, func(truth io.Writer) error {
		if ds.out == "-" {
			return derive(env.Stdout, truth)
		}
		return writeFileAtomic(ds.out, func(out io.Writer) error { return derive(out, truth) })
	})
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(env.Stderr, "generate: %d %s rows in %s (%.0f rows/s), the truth in %s\n",
		n, kind, took.Round(time.Millisecond), float64(n)/max(took.Seconds(), 1e-9), ds.truth)
	return nil
}

// scanPeople is the deriver's first pass over the people file, with
// progress by bytes read.
func scanPeople(env Env, d *synth.Deriver, name string, format rowfile.Format) (synth.Population, error) {
	in, err := openPeople(name, format)
	if err != nil {
		return synth.Population{}, err
	}
	defer in.close()
	m := newMeter(env.Stderr, "scan", in.size)
	in.onRow = func(rows int64) { m.update(in.counter.n, rows) }
	pop, err := d.Scan(in)
	m.finish()
	return pop, err
}

// peopleFile streams the records of a people file to the deriver; a bad
// row stops it, since the file should be one dancu wrote.
type peopleFile struct {
	name    string
	f       *os.File
	counter *countingReader
	size    int64
	rd      *rowfile.Reader
	rows    int64
	onRow   func(rows int64)
}

func openPeople(name string, format rowfile.Format) (*peopleFile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	p := &peopleFile{name: name, f: f, counter: &countingReader{r: f}}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		p.size = st.Size()
	}
	p.rd = rowfile.NewReader(p.counter, format)
	return p, nil
}

// Next returns the next record, io.EOF after the last.
func (p *peopleFile) Next() (registry.Record, error) {
	_, rec, err := p.rd.Next()
	switch {
	case err == io.EOF:
		return rec, err
	case err != nil:
		return rec, fmt.Errorf("%s: %w", filepath.Base(p.name), err)
	}
	p.rows++
	if p.onRow != nil {
		p.onRow(p.rows)
	}
	return rec, nil
}

func (p *peopleFile) close() { p.f.Close() }

// datasetWriter writes the rows of a sectoral dataset: CSV with a header,
// or NDJSON with every column, in column order, on each line.
type datasetWriter struct {
	bw   *bufio.Writer
	cw   *csv.Writer
	keys [][]byte // NDJSON: each column's name, quoted, with its colon
	line []byte
}

func newDatasetWriter(w io.Writer, format rowfile.Format, columns []string) (*datasetWriter, error) {
	dw := &datasetWriter{bw: bufio.NewWriterSize(w, 256<<10)}
	if format == rowfile.CSV {
		dw.cw = csv.NewWriter(dw.bw)
		return dw, dw.cw.Write(columns)
	}
	for _, c := range columns {
		k, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		dw.keys = append(dw.keys, append(k, ':'))
	}
	return dw, nil
}

func (w *datasetWriter) write(values []string) error {
	if w.cw != nil {
		return w.cw.Write(values)
	}
	b := append(w.line[:0], '{')
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		q, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b = append(append(b, w.keys[i]...), q...)
	}
	w.line = append(b, '}', '\n')
	_, err := w.bw.Write(w.line)
	return err
}

func (w *datasetWriter) flush() error {
	if w.cw != nil {
		w.cw.Flush()
		if err := w.cw.Error(); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}
