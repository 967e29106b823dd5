package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dancu/internal/audit"
	"dancu/internal/config"
)

// auditCommands are the audit checkpoint|verify|public-key commands.
func auditCommands() []command {
	return []command{auditCheckpointCommand(), auditVerifyCommand(), auditPublicKeyCommand()}
}

// auditKeyPath is the checkpoint signing key's file in the data directory.
func auditKeyPath(cfg config.Config) string {
	return filepath.Join(cfg.DataDir, audit.KeyFileName)
}

// maxAuditFileSize bounds the checkpoint and key files the commands read.
const maxAuditFileSize = 128 << 20

func auditCheckpointCommand() command {
	return command{
		name: "audit checkpoint",
		summary: "Sign the current head of every chain of the access log with the key in the data directory (created on first use), " +
			"store the checkpoint, and write it as JSON to --out, atomically. Keep the file outside the data directory, " +
			"where whoever can rewrite the database cannot: dancu audit verify --against it proves later that no entry it covers was altered or removed. " +
			"--public-key-out writes the public key to check it with (PEM). See docs/audit.md.",
		example: "dancu audit checkpoint --data /var/lib/dancu --out /mnt/witness/audit-$(date +%F).json --public-key-out /mnt/witness/audit.pub\n" +
			"dancu audit checkpoint --out - | ssh witness 'cat > audit-latest.json'",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindJSON(fs)
			out := fs.String("out", "", "file to write the checkpoint to (required); - for stdout")
			pubOut := fs.String("public-key-out", "", "also write the public key (PEM) to this file")
			return func(ctx context.Context, args []string) error {
				if err := checkOut(args, *out, cfg.JSON, "the checkpoint", "a file outside the data directory"); err != nil {
					return err
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				return runAuditCheckpoint(ctx, *cfg, *out, *pubOut, env)
			}
		},
	}
}

func runAuditCheckpoint(ctx context.Context, cfg config.Config, out, pubOut string, env Env) error {
	if err := requireDatabase(cfg); err != nil {
		return err
	}
	key, err := audit.LoadOrCreateKey(auditKeyPath(cfg))
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	c, err := audit.MakeCheckpoint(ctx, db, key, time.Now())
	if err != nil {
		return err
	}
	if out == "-" {
		if err := writeJSON(env.Stdout, c, true); err != nil {
			return fmt.Errorf("write stdout: %w", err)
		}
	} else {
		warnInsideDataDir(env.Stderr, cfg, out, "the checkpoint")
		if err := writeFileAtomic(out, func(w io.Writer) error { return writeJSON(w, c, true) }); err != nil {
			return err
		}
	}
	if pubOut != "" {
		pem, err := audit.MarshalPublicKey(c.PublicKey)
		if err != nil {
			return err
		}
		warnInsideDataDir(env.Stderr, cfg, pubOut, "the public key")
		if err := writeFileAtomic(pubOut, func(w io.Writer) error {
			_, err := w.Write(pem)
			return err
		}); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stderr, "audit checkpoint: %d chains, %d entries, signed %s by %s → %s\n",
		len(c.Heads), c.Entries(), c.At.Format(time.RFC3339), audit.Fingerprint(c.PublicKey), outName(out))
	if cfg.JSON {
		return writeJSON(env.Stdout, struct {
			File          string       `json:"file"`
			PublicKeyFile string       `json:"public_key_file,omitempty"`
			At            time.Time    `json:"at"`
			Chains        int          `json:"chains"`
			Entries       int64        `json:"entries"`
			Heads         []audit.Head `json:"heads"`
			Fingerprint   string       `json:"key_fingerprint"`
		}{out, pubOut, c.At, len(c.Heads), c.Entries(), c.Heads, audit.Fingerprint(c.PublicKey)}, true)
	}
	return nil
}

func outName(out string) string {
	if out == "-" {
		return "stdout"
	}
	return out
}

// warnInsideDataDir warns when path lies in the data directory, where it
// is no better than the checkpoints already in the database.
func warnInsideDataDir(w io.Writer, cfg config.Config, path, what string) {
	dir, err1 := filepath.Abs(cfg.DataDir)
	file, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return
	}
	if rel, err := filepath.Rel(dir, file); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		fmt.Fprintf(w, "audit checkpoint: warning: %s goes inside the data directory %s; "+
			"someone who can rewrite the database can rewrite it too: copy it elsewhere\n", what, cfg.DataDir)
	}
}

// stringList is a repeatable string flag.
type stringList []string

// String implements flag.Value.
func (s *stringList) String() string { return strings.Join(*s, ",") }

// Set implements flag.Value: each use of the flag adds one.
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

func auditVerifyCommand() command {
	return command{
		name: "audit verify",
		summary: "Recompute every chain of the access log from its first entry, check the stored checkpoints and the per-citizen index, " +
			"and print a summary; exit 1 naming the first broken entry. Checkpoints kept in the database are re-signed as easily as the entries are rewritten " +
			"by someone holding the data directory: to rule that out, give --against checkpoints exported earlier (dancu audit checkpoint --out) " +
			"with --public-key, the public key kept with them. --against may be repeated; the damage is then placed between the last checkpoint that agrees and the first that does not. " +
			"Without --public-key, stored checkpoints are checked with the key in the data directory. See docs/audit.md.",
		example: "dancu audit verify --data /var/lib/dancu\n" +
			"dancu audit verify --against /mnt/witness/audit-2026-03-01.json --against /mnt/witness/audit-2026-03-02.json --public-key /mnt/witness/audit.pub --json",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindJSON(fs)
			var against stringList
			fs.Var(&against, "against", "a checkpoint file exported earlier to check the log against (repeatable; needs --public-key)")
			pubFile := fs.String("public-key", "", "the public key (PEM, or hex or base64) that signed the checkpoints, from outside the data directory")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q (checkpoint files go in --against)", args[0])
				}
				if len(against) > 0 && *pubFile == "" {
					return usagef("--against needs --public-key: a key taken from the data directory proves nothing against someone who can rewrite it")
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				return runAuditVerify(ctx, *cfg, against, *pubFile, env)
			}
		},
	}
}

func runAuditVerify(ctx context.Context, cfg config.Config, againstFiles []string, pubFile string, env Env) error {
	var pub ed25519.PublicKey
	if pubFile != "" {
		data, err := readAuditFile(pubFile)
		if err != nil {
			return err
		}
		if pub, err = audit.ParsePublicKey(data); err != nil {
			return fmt.Errorf("%s: %w", pubFile, err)
		}
	} else {
		key, err := audit.LoadKey(auditKeyPath(cfg))
		switch {
		case err == nil:
			pub = key.Public().(ed25519.PublicKey)
		case errors.Is(err, fs.ErrNotExist):
			// No key yet: any stored checkpoint is reported as unchecked.
		default:
			return err
		}
	}
	against := make([]audit.Checkpoint, 0, len(againstFiles))
	for _, f := range againstFiles {
		data, err := readAuditFile(f)
		if err != nil {
			return err
		}
		c, err := audit.ParseCheckpoint(data)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		against = append(against, c)
	}
	if err := requireDatabase(cfg); err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	rep, err := audit.VerifyAgainst(ctx, db, pub, against)
	if err != nil {
		return err
	}
	took := time.Since(start)
	if cfg.JSON {
		if err := writeJSON(env.Stdout, struct {
			OK bool `json:"ok"`
			audit.Report
			Millis int64 `json:"ms"`
		}{rep.OK(), rep, took.Milliseconds()}, true); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(env.Stdout, "%d chains, %d entries (%d records, %d accesses); %d stored and %d exported checkpoints checked; "+
			"index: %d rows checked, %d entries not indexed yet; %s\n",
			rep.Chains, rep.Entries, rep.Records, rep.Accesses, rep.Checkpoints, rep.Against, rep.IndexRows, rep.Unindexed, took.Round(time.Millisecond))
		for _, h := range rep.Heads {
			fmt.Fprintf(env.Stdout, "chain %d: %d entries, head %x\n", h.Chain, h.Seq, h.Hash)
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(env.Stdout, "PROBLEM %s\n", p)
		}
		if rep.OK() {
			fmt.Fprintln(env.Stdout, "ok: every chain recomputes and agrees with every checkpoint")
		}
	}
	if !rep.OK() {
		msg := rep.Problems[0].String()
		if n := len(rep.Problems) - 1; n > 0 {
			msg += fmt.Sprintf(" (and %d more problems)", n)
		}
		return errors.New(msg)
	}
	return nil
}

// readAuditFile reads a checkpoint or key file, refusing one too large to
// be either.
func readAuditFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxAuditFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxAuditFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a checkpoint or key", path, maxAuditFileSize)
	}
	return data, nil
}

func auditPublicKeyCommand() command {
	return command{
		name: "audit public-key",
		summary: "Print the public key (PEM) of the access log's checkpoint signing key, creating the key in the data directory on first use. " +
			"Keep a copy away from the data directory, with the exported checkpoints, for dancu audit verify --public-key.",
		example: "dancu audit public-key --data /var/lib/dancu > /mnt/witness/audit.pub",
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
				key, err := audit.LoadOrCreateKey(auditKeyPath(*cfg))
				if err != nil {
					return err
				}
				pub := key.Public().(ed25519.PublicKey)
				pem, err := audit.MarshalPublicKey(pub)
				if err != nil {
					return err
				}
				if cfg.JSON {
					return writeJSON(env.Stdout, struct {
						PublicKey   []byte `json:"public_key"`
						Fingerprint string `json:"fingerprint"`
						PEM         string `json:"pem"`
					}{pub, audit.Fingerprint(pub), string(pem)}, true)
				}
				_, err = env.Stdout.Write(pem)
				return err
			}
		},
	}
}
