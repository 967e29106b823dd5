package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"dancu/internal/adminunit"
	"dancu/internal/config"
	"dancu/internal/pid"
)

func migrateCommand() command {
	return command{
		name:    "migrate",
		summary: "Create or upgrade the database schema. Steps are forward-only; serve also runs them at start.",
		example: "dancu migrate --data ./dancu-data\nDANCU_DB=postgres://dancu@localhost/dancu dancu migrate --json",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindJSON(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", args[0])
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				db, err := openStore(ctx, *cfg)
				if err != nil {
					return err
				}
				defer db.Close()
				applied, err := db.Migrate(ctx)
				if err != nil {
					return err
				}
				version, err := db.SchemaVersion(ctx)
				if err != nil {
					return err
				}
				if cfg.JSON {
					type step struct {
						Version int    `json:"version"`
						Name    string `json:"name"`
						Millis  int64  `json:"ms"`
					}
					out := struct {
						Engine  string `json:"engine"`
						Version int    `json:"schema_version"`
						Applied []step `json:"applied"`
					}{Engine: cfg.Engine(), Version: version, Applied: []step{}}
					for _, a := range applied {
						out.Applied = append(out.Applied, step{a.Version, a.Name, a.Took.Milliseconds()})
					}
					return writeJSON(env.Stdout, out, true)
				}
				for _, a := range applied {
					fmt.Fprintf(env.Stdout, "applied %04d_%s (%s)\n", a.Version, a.Name, a.Took.Round(1e6))
				}
				fmt.Fprintf(env.Stdout, "%s schema at version %d (%d step(s) applied now)\n", db, version, len(applied))
				return nil
			}
		},
	}
}

func pidDecodeCommand() command {
	return command{
		name: "pid decode",
		args: "NUMBER | -",
		summary: "Decode a 12-digit personal identification number: province of birth registration, century, gender, birth year. " +
			"Prints one JSON object; with - it reads one number a line from stdin and prints one JSON object a line.",
		example: "dancu pid decode 001204012345\nprintf '001204012345\\n079301000001\\n' | dancu pid decode -",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usagef("takes one number (or - for stdin), got %d arguments", len(args))
				}
				if args[0] == "-" {
					return eachLine(env.Stdin, func(line int, text string) error {
						p, err := pid.Parse(text)
						if err != nil {
							return fmt.Errorf("line %d: %w", line, err)
						}
						return writeJSON(env.Stdout, p.Decode(), false)
					})
				}
				p, err := pid.Parse(args[0])
				if err != nil {
					return err
				}
				return writeJSON(env.Stdout, p.Decode(), true)
			}
		},
	}
}

func addressResolveCommand() command {
	return command{
		name: "address resolve",
		args: "TEXT | -",
		summary: "Resolve a free-text Vietnamese address to administrative units of both eras (before and after 1 July 2025). " +
			"Prints the street part and each unit with code, name and era as JSON; with - it reads one address a line from stdin and prints one JSON object a line.",
		example: "dancu address resolve \"Số 12 Ngõ 5, P. Phúc Xá, Q. Ba Đình, TP Hà Nội\"\n" +
			"dancu address resolve \"Phường 1, Quận 3, TP.HCM\"",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			return func(ctx context.Context, args []string) error {
				if len(args) == 0 {
					return usagef("needs an address (quote it), or - for stdin")
				}
				dir, err := adminunit.Load()
				if err != nil {
					return err
				}
				if len(args) == 1 && args[0] == "-" {
					return eachLine(env.Stdin, func(line int, text string) error {
						res, err := dir.Resolve(text)
						if err != nil {
							return fmt.Errorf("line %d: %w", line, err)
						}
						return writeJSON(env.Stdout, res, false)
					})
				}
				// Unquoted words are one address: the shell split them.
				res, err := dir.Resolve(strings.Join(args, " "))
				if err != nil {
					return err
				}
				return writeJSON(env.Stdout, res, true)
			}
		},
	}
}

func versionCommand() command {
	return command{
		name:    "version",
		summary: "Print the version of this dancu build.",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			return func(ctx context.Context, args []string) error {
				fmt.Fprintln(env.Stdout, "dancu", Version())
				return nil
			}
		},
	}
}

// Version is the module version of the build, or "devel".
func Version() string { return config.Version() }

// maxLineBytes bounds one line of a streamed input; longer lines are an
// error, not a silent truncation.
const maxLineBytes = 64 << 10

// eachLine calls fn for every non-blank line of r, numbering from 1.
func eachLine(r io.Reader, fn func(line int, text string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes)
	n := 0
	for sc.Scan() {
		n++
		text := sc.Text()
		if strings.TrimSpace(text) == "" {
			continue
		}
		if err := fn(n, text); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("line %d: longer than %d bytes", n+1, maxLineBytes)
		}
		return fmt.Errorf("read stdin: %w", err)
	}
	return nil
}

func writeJSON(w io.Writer, v any, indent bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}
