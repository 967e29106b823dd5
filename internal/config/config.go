// Package config holds dancu's one typed configuration, loaded from
// command-line flags and environment variables and validated at start.
//
// Every command builds a Config, calls Validate, and passes it to the
// application; nothing else reads flags or the environment.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
)

// Defaults used when neither a flag nor an environment variable is given.
const (
	DefaultDataDir = "./dancu-data"
	DefaultAddr    = "127.0.0.1:8080"
)

// Environment variables read by Load. A flag given on the command line wins
// over its variable.
const (
	EnvDB      = "DANCU_DB"
	EnvDataDir = "DANCU_DATA"
	EnvAddr    = "DANCU_ADDR"
)

// Config is the whole configuration of a dancu process.
type Config struct {
	// DataDir holds the SQLite database, keys and generated files. It is
	// created when missing.
	DataDir string
	// DB is a PostgreSQL URL (postgres://…). When empty, the embedded
	// SQLite database in DataDir is used.
	DB string
	// Addr is the host:port the server listens on.
	Addr string
	// JSON asks commands for machine-readable output on stdout.
	JSON bool
}

// Engine names the database engine the configuration selects.
func (c Config) Engine() string {
	if c.DB != "" {
		return "postgres"
	}
	return "sqlite"
}

// SQLitePath is the file of the embedded database inside DataDir.
func (c Config) SQLitePath() string {
	return filepath.Join(c.DataDir, "dancu.db")
}

// Getenv reads one environment variable; os.Getenv in production, a map
// in tests.
type Getenv func(key string) string

// Bind registers the storage flags (--data, --db) on fs, with defaults
// taken from the environment, and returns the Config they fill.
func Bind(fs *flag.FlagSet, getenv Getenv) *Config {
	c := &Config{}
	fs.StringVar(&c.DataDir, "data", firstNonEmpty(getenv(EnvDataDir), DefaultDataDir),
		"data directory for the SQLite database, keys and generated files (env "+EnvDataDir+")")
	fs.StringVar(&c.DB, "db", getenv(EnvDB),
		"PostgreSQL URL, postgres://user:pass@host/db; the SQLite database in --data when empty (env "+EnvDB+")")
	return c
}

// BindAddr registers --addr on fs.
func (c *Config) BindAddr(fs *flag.FlagSet, getenv Getenv) {
	fs.StringVar(&c.Addr, "addr", firstNonEmpty(getenv(EnvAddr), DefaultAddr),
		"host:port to listen on (env "+EnvAddr+")")
}

// BindJSON registers --json on fs.
func (c *Config) BindJSON(fs *flag.FlagSet) {
	fs.BoolVar(&c.JSON, "json", false, "print results as JSON")
}

// Validate reports the first problem with c, naming the setting.
func (c Config) Validate() error {
	if c.DB != "" {
		u, err := url.Parse(c.DB)
		if err != nil {
			return fmt.Errorf("--db: not a URL: %w", redactURLError(err))
		}
		if u.Scheme != "postgres" && u.Scheme != "postgresql" {
			return fmt.Errorf("--db: scheme %q is not supported, want postgres://", u.Scheme)
		}
	} else if strings.TrimSpace(c.DataDir) == "" {
		return errors.New("--data: must name a directory")
	}
	if c.Addr != "" {
		if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
			return fmt.Errorf("--addr: %q is not host:port", c.Addr)
		}
	}
	return nil
}

// RedactedDB is the database URL with any password replaced, for logs.
func (c Config) RedactedDB() string {
	if c.DB == "" {
		return ""
	}
	u, err := url.Parse(c.DB)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// redactURLError drops the URL from a url.Error so a password never
// reaches a log or a terminal.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
