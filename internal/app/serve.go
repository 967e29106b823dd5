package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/config"
	"dancu/internal/eid"
	"dancu/internal/httpapi"
	"dancu/internal/store"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

func serveCommand() command {
	return command{
		name: "serve",
		summary: "Serve the API, the web pages, /metrics, /healthz and /readyz on one port. " +
			"The database is created and migrated at start. With --demo the data directory is filled with a demonstration population first.",
		example: "dancu serve --demo\ndancu serve --data /var/lib/dancu --addr 0.0.0.0:8080\nDANCU_DB=postgres://dancu@localhost/dancu dancu serve",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindAddr(fs, env.Getenv)
			demo := fs.Bool("demo", false, "fill the data directory with a demonstration population before serving")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", args[0])
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				return serve(ctx, *cfg, *demo, env)
			}
		},
	}
}

// serve runs the server until ctx is cancelled (SIGINT or SIGTERM), then
// drains requests in flight.
func serve(ctx context.Context, cfg config.Config, demo bool, env Env) error {
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, a := range applied {
		log.Info("migrated", "step", fmt.Sprintf("%04d_%s", a.Version, a.Name))
	}
	units, err := adminunit.Load()
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	handler := httpapi.New(httpapi.Deps{
		Log:       log,
		Ready:     db.Ping,
		Addresses: units,
		Metrics:   reg,
		Version:   Version(),
		Accounts:  eid.NewService(db, units),
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String()
	log.Info("serving", "url", url, "db", db.String())
	if demo {
		fmt.Fprintf(env.Stderr, "\ndancu demo: the register and its demonstration population are not built yet; this is an empty server.\n"+
			"  health:   %[1]s/healthz\n  metrics:  %[1]s/metrics\n  API doc:  %[1]s/openapi.json\n"+
			"  try:      %[1]s/v1/reference/pid/001204012345\n"+
			"            %[1]s/v1/reference/address?q=Ph%%C6%%B0%%E1%%BB%%9Dng+1%%2C+Qu%%E1%%BA%%ADn+3%%2C+TP.HCM\n"+
			"Press Ctrl+C to stop.\n\n", url)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// openStore opens the database cfg names, creating the data directory for
// SQLite when missing.
func openStore(ctx context.Context, cfg config.Config) (*store.DB, error) {
	if cfg.DB == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory %s: %w", cfg.DataDir, err)
		}
	}
	return store.Open(ctx, cfg.DB, cfg.SQLitePath())
}
