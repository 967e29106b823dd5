package app

import (
	"context"
	"flag"
	"fmt"
	"io"

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
			"with --data or --db instead it loads the people straight into the register, as import does. See docs/synth.md.",
		example: "dancu generate --count 1000000 --seed 7 --out people.csv\n" +
			"dancu generate --count 100000 --data ./dancu-data",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			count := fs.Int("count", 1000, "number of citizens")
			seed := fs.Uint64("seed", 1, "seed: the same seed and count give the same people")
			out := fs.String("out", "", "file to write (- for stdout); without it the people go into the register")
			format := fs.String("format", "", "ndjson or csv (default: from --out's extension)")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", args[0])
				}
				if *count < 1 {
					return usagef("--count must be at least 1")
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
