package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"dancu/internal/access"
	"dancu/internal/agency"
	"dancu/internal/config"
	"dancu/internal/rowfile"
)

// EnvAgencyKey holds the agency's API key for dancu verify (a key in a
// flag would show in the process list).
const EnvAgencyKey = "DANCU_AGENCY_KEY"

// verifyCommands are the verify command (batch verification of a file).
func verifyCommands() []command {
	return []command{{
		name: "verify",
		args: "--file FILE|-",
		summary: "Verify a file of records (CSV with a header, or NDJSON: the fields of POST /v1/verify, plus an optional record_key) " +
			"against the register, as the agency whose API key is in $" + EnvAgencyKey + " (or --key-file), within that key's scope. " +
			"Results go to --out (default stdout) as NDJSON, one line per record in input order, then a summary line; " +
			"the summary is also printed on stderr. Every record is recorded in the audit log, as through the API. " +
			"The register is read into the verification index first.",
		example: "DANCU_AGENCY_KEY=dancu_key_… dancu verify --data /var/lib/dancu --file customers.csv --purpose kyc --out results.ndjson",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindJSON(fs)
			file := fs.String("file", "", "the records to verify (- for stdin)")
			format := fs.String("format", "", "ndjson or csv (default: from the file's extension)")
			purpose := fs.String("purpose", "", "the purpose of records that state none (one the key declares)")
			out := fs.String("out", "", "where the results go (default stdout)")
			keyFile := fs.String("key-file", "", "file holding the agency's API key (default: $"+EnvAgencyKey+")")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q (give the file with --file)", args[0])
				}
				if *file == "" {
					return usagef("give the records with --file FILE (or --file - for stdin)")
				}
				f, err := rowfile.FormatOf(*file, *format)
				if *file == "-" && *format == "" {
					return usagef("give --format ndjson or csv when reading stdin")
				}
				if err != nil {
					return usagef("%v", err)
				}
				key := env.Getenv(EnvAgencyKey)
				if *keyFile != "" {
					raw, err := os.ReadFile(*keyFile)
					if err != nil {
						return err
					}
					key = strings.TrimSpace(string(raw))
				}
				if key == "" {
					return usagef("no API key: set $%s or give --key-file", EnvAgencyKey)
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				return runVerify(ctx, *cfg, env, verifySpec{file: *file, format: f, purpose: *purpose, out: *out, key: key})
			}
		},
	}}
}

type verifySpec struct {
	file, purpose, out, key string
	format                  rowfile.Format
}

func runVerify(ctx context.Context, cfg config.Config, env Env, spec verifySpec) error {
	var in io.Reader = env.Stdin
	if spec.file != "-" {
		f, err := os.Open(spec.file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	db, reg, err := openRegister(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	stack, err := openAgencyStack(ctx, cfg, db, reg, reg.Units(), nil, log, 0)
	if err != nil {
		return err
	}
	p, err := stack.agencies.Authenticate(ctx, spec.key)
	if err != nil {
		return errors.Join(fmt.Errorf("the API key is refused: %w", err), stack.close(ctx))
	}
	fmt.Fprintln(env.Stderr, "verify: reading the register into the verification index…")
	if err := stack.buildIndex(ctx, db, slog.New(slog.NewTextHandler(env.Stderr, nil))); err != nil {
		return errors.Join(err, stack.close(ctx))
	}
	var w io.Writer = env.Stdout
	var outFile *os.File
	if spec.out != "" {
		if outFile, err = os.OpenFile(spec.out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err != nil {
			return errors.Join(err, stack.close(ctx))
		}
		w = outFile
	}
	m := newMeter(env.Stderr, "verify", 0)
	sum, err := stack.access.Batch(ctx, p, in, w, access.BatchOptions{Purpose: spec.purpose, Format: spec.format,
		Progress: func(rows int64) { m.update(rows, rows) }})
	m.finish()
	if outFile != nil {
		if cerr := outFile.Close(); err == nil {
			err = cerr
		}
	}
	if cerr := stack.close(context.WithoutCancel(ctx)); err == nil {
		err = cerr
	}
	var scope *agency.ScopeError
	if errors.As(err, &scope) {
		return fmt.Errorf("the key's scope: %w", err)
	}
	if err != nil && sum.Total == 0 {
		return err
	}
	fmt.Fprintf(env.Stderr, "verify: %d records: %d exact match, %d mismatch, %d not found, %d deceased, %d errors\n",
		sum.Total, sum.ExactMatch, sum.Mismatch, sum.NotFound, sum.Deceased, sum.Errors)
	if len(sum.MismatchByField) > 0 {
		fmt.Fprintf(env.Stderr, "verify: mismatch by field: %s\n", formatCounts(sum.MismatchByField))
	}
	if cfg.JSON {
		if werr := writeJSON(env.Stderr, sum, true); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// formatCounts writes counts as "a 3, b 1", largest first.
func formatCounts(counts map[string]int64) string {
	type kv struct {
		k string
		v int64
	}
	list := make([]kv, 0, len(counts))
	for k, v := range counts {
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].v > list[j].v || (list[i].v == list[j].v && list[i].k < list[j].k) })
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = fmt.Sprintf("%s %d", e.k, e.v)
	}
	return strings.Join(parts, ", ")
}
