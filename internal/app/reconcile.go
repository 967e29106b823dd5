package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dancu/internal/config"
	"dancu/internal/reconcile"
	"dancu/internal/reconcile/fellegi"
	"dancu/internal/reconcile/input"
	"dancu/internal/registry"
)

func reconcileCommand() command {
	return command{
		name: "reconcile",
		args: "--file FILE --columns … --out DIR",
		summary: "Reconcile a sectoral dataset (a telecom's subscribers, a bank's customers, a ministry's records) against the register: " +
			"each record is linked to at most one citizen, by its number or by probabilistic matching, and classed match, " +
			"match_with_corrections, ambiguous, not_found or invalid. Writes DIR/records.csv (one row per record), DIR/report.json " +
			"and DIR/report.html (counts, differing fields, provinces, the correct/complete/clean/live scorecard, row errors and the " +
			"fitted model). The register is only read. Exits 0 when the run completes, whatever it found. See docs/reconcile.md.",
		example: "dancu reconcile --data ./dancu-data --file subscribers.csv \\\n" +
			"    --columns pid=id_number,full_name=full_name,date_of_birth=date_of_birth,gender=gender,permanent_address=address,phone=phone,record_key=subscriber_id \\\n" +
			"    --max-per-citizen 10 --out ./subscribers-reconciled",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindJSON(fs)
			file := fs.String("file", "", "the dataset (CSV or NDJSON)")
			columns := fs.String("columns", "", "which of the file's columns hold which field: pid=COL,old_id_number=COL,full_name=COL,"+
				"date_of_birth=COL,gender=COL,permanent_address=COL,phone=COL,record_key=COL (any may be left out; a column of the field's own name is used when not given)")
			format := fs.String("format", "", "csv or ndjson (default: from the file's contents)")
			dateFormat := fs.String("date-format", "", "the layout of the file's dates when they are ambiguous: dd/mm/yyyy, mm/dd/yyyy, yyyy-mm-dd or dd-mm-yy (default: day before month, as in Vietnam)")
			maxPer := fs.Int("max-per-citizen", 0, "flag records beyond the first N of one citizen as over_limit (0: no limit)")
			out := fs.String("out", "", "the directory to write records.csv, report.json and report.html into (created if needed)")
			dataset := fs.String("dataset", "", "the dataset's name, under which officers' decisions are kept (default: the file's name)")
			asOf := fs.String("as-of", "", "the date the dataset describes, yyyy-mm-dd (default: today); deaths after it are counted apart in the scorecard")
			var th fellegi.Thresholds
			fs.Var(&th, "thresholds", "link and review thresholds on the match probability, e.g. link=0.9999,review=0.9 (default "+fellegi.DefaultThresholds().String()+")")
			sample := fs.Int("sample", reconcile.DefaultSampleSize, "records the model is fitted on")
			reveal := fs.String("reveal", "", "fields whose register values the corrections column may show (comma-separated: full_name,date_of_birth,gender,permanent_address,phone)")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q (give the dataset with --file)", args[0])
				}
				if *file == "" || *out == "" {
					return usagef("give the dataset with --file FILE and the output directory with --out DIR")
				}
				cols, err := input.ParseColumns(*columns)
				if *columns == "" {
					cols, err = map[string]string{}, nil
				}
				if err != nil {
					return usagef("--columns: %v", err)
				}
				spec := reconcileSpec{file: *file, out: *out, dataset: *dataset, maxPer: *maxPer, thresholds: th,
					sample: *sample,
					input:  input.Options{Format: input.Format(*format), Columns: cols, DateFormat: *dateFormat}}
				if *asOf != "" {
					if spec.asOf, err = registry.ParseDate(*asOf); err != nil || !spec.asOf.Full() {
						return usagef("--as-of: give a date as yyyy-mm-dd")
					}
				}
				if *reveal != "" {
					for _, f := range strings.Split(*reveal, ",") {
						f = strings.TrimSpace(f)
						switch f {
						case "full_name", "date_of_birth", "gender", "permanent_address", "phone":
							spec.reveal = append(spec.reveal, f)
						default:
							return usagef("--reveal: %q is not a field that can be revealed (full_name, date_of_birth, gender, permanent_address, phone)", f)
						}
					}
				}
				if *maxPer < 0 || *sample < 1 {
					return usagef("--max-per-citizen must not be negative, --sample at least 1")
				}
				if spec.dataset == "" {
					spec.dataset = filepath.Base(*file)
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				return runReconcile(ctx, *cfg, env, spec)
			}
		},
	}
}

type reconcileSpec struct {
	file, out, dataset string
	maxPer, sample     int
	thresholds         fellegi.Thresholds
	asOf               registry.Date
	reveal             []string
	input              input.Options
}

func runReconcile(ctx context.Context, cfg config.Config, env Env, spec reconcileSpec) error {
	st, err := os.Stat(spec.file)
	if err != nil {
		return err
	}
	// Fail on the file's format before loading the register.
	f, err := os.Open(spec.file)
	if err != nil {
		return err
	}
	_, err = input.NewReader(f, spec.input)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", spec.file, err)
	}
	if err := os.MkdirAll(spec.out, 0o755); err != nil {
		return err
	}
	db, reg, err := openRegister(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	started := time.Now()
	loadMeter := newMeter(env.Stderr, "reconcile: reading the register", 0)
	snapshot, err := reconcile.Load(ctx, reg.Units(), db.EachCitizenBrief, func(n int) { loadMeter.update(int64(n), int64(n)) })
	loadMeter.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "reconcile: %d citizens read in %s; fitting the model on the first %d records…\n",
		snapshot.Len(), time.Since(started).Round(100*time.Millisecond), spec.sample)

	recordsFile, err := os.Create(filepath.Join(spec.out, "records.csv.tmp"))
	if err != nil {
		return err
	}
	defer os.Remove(recordsFile.Name())
	defer recordsFile.Close()
	buf := bufio.NewWriterSize(recordsFile, 1<<20)
	rw, err := reconcile.NewRecordsWriter(buf, snapshot, spec.reveal)
	if err != nil {
		return err
	}
	m := newMeter(env.Stderr, "reconcile", st.Size())
	rcfg := reconcile.Config{
		Dataset: spec.dataset,
		Open:    func() (io.ReadCloser, error) { return os.Open(spec.file) },
		Input:   spec.input, MaxPerCitizen: spec.maxPer, AsOf: spec.asOf, Thresholds: spec.thresholds,
		SampleSize: spec.sample, Reveal: spec.reveal,
		Progress: func(bytes, records int64) { m.update(bytes, records) },
		Sink:     rw.Write,
	}
	rep, runID, err := runAndKeep(ctx, db, snapshot, rcfg, "")
	m.finish()
	if err != nil {
		var fe *input.FileError
		if errors.As(err, &fe) {
			return fmt.Errorf("%s: %w", spec.file, err)
		}
		return err
	}
	if err := rw.Flush(); err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return err
	}
	if err := recordsFile.Close(); err != nil {
		return err
	}
	if err := os.Rename(recordsFile.Name(), filepath.Join(spec.out, "records.csv")); err != nil {
		return err
	}
	if err := reconcile.WriteReport(spec.out, rep); err != nil {
		return err
	}
	if cfg.JSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(env.Stdout, "reconcile: %d records in %.1fs (%.0f records/min): ", rep.Records, rep.Seconds, rep.RecordsPerMinute)
	parts := make([]string, 0, len(reconcile.Statuses))
	for _, s := range reconcile.Statuses {
		parts = append(parts, fmt.Sprintf("%d %s", rep.Statuses[s], s))
	}
	fmt.Fprintf(env.Stdout, "%s; %d repeats, %d deceased, %d over the limit, %d rows with errors\n",
		strings.Join(parts, ", "), rep.Duplicates, rep.Deceased, rep.OverLimit, rep.Errors.Rows)
	fmt.Fprintf(env.Stdout, "scorecard: correct %.1f%%, complete %.1f%%, clean %.1f%%, live %.1f%%\n",
		rep.Scorecard.Correct*100, rep.Scorecard.Complete*100, rep.Scorecard.Clean*100, rep.Scorecard.Live*100)
	fmt.Fprintf(env.Stdout, "wrote records.csv, report.json and report.html in %s", spec.out)
	if n := rep.Statuses[reconcile.StatusAmbiguous]; n > 0 {
		fmt.Fprintf(env.Stdout, "; %d ambiguous records await an officer's decision (run %s, /officer/reconcile/%s)", n, runID, runID)
	}
	fmt.Fprintln(env.Stdout)
	return nil
}
