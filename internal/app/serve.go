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
	"sync"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/config"
	"dancu/internal/eid"
	"dancu/internal/httpapi"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/store"
	"dancu/internal/verify"
	"dancu/internal/web"

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
			demoSize := fs.Int("demo-size", 100000, "with --demo, how many synthetic citizens to generate")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", args[0])
				}
				if *demoSize < 0 || *demoSize > 10000000 {
					return usagef("--demo-size must be between 0 and 10000000")
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				if !*demo {
					*demoSize = -1
				}
				return serve(ctx, *cfg, *demoSize, env)
			}
		},
	}
}

// serve runs the server until ctx is cancelled (SIGINT or SIGTERM), then
// drains requests in flight. demoSize ≥ 0 prepares a demonstration with
// that many synthetic citizens first.
func serve(ctx context.Context, cfg config.Config, demoSize int, env Env) error {
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

	accounts := eid.NewService(db, units)
	register := registry.NewService(db, pid.NewAllocator(db), units)
	stack, err := openAgencyStack(ctx, cfg, db, register, units, reg, log, 0)
	if err != nil {
		return err
	}
	defer func() {
		if err := stack.close(context.WithoutCancel(ctx)); err != nil {
			log.Error("closing the audit log", "err", err)
		}
	}()
	ready := func(ctx context.Context) error {
		if err := db.Ping(ctx); err != nil {
			return err
		}
		return stack.access.Ready()
	}
	api := httpapi.New(httpapi.Deps{
		Log:       log,
		Ready:     ready,
		Addresses: units,
		Metrics:   reg,
		Version:   Version(),
		Accounts:  accounts,
		Register:  register,
		Agencies:  stack.agencies,
		Access:    stack.access,
		Audit:     stack.audit,
		Usage:     stack.usage,
		Reconcile: &reconcileService{db: db, units: units, audit: stack.audit},
	})
	pages, err := web.New(web.Deps{
		Log:       log,
		Register:  register,
		Accounts:  accounts,
		Version:   Version(),
		NotFound:  api,
		Usage:     stack.usage,
		Agencies:  stack.agencies,
		Accesses:  stack.audit,
		Reconcile: db,
	})
	if err != nil {
		return err
	}
	handler := routeSurfaces(api, pages)
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
	if demoSize >= 0 {
		st, err := prepareDemo(ctx, cfg.DataDir, db, accounts, stack.agencies, register, demoSize, env)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "\ndancu demo is ready: %[3]d synthetic citizens and a sample family in Hà Nội, recorded through real events.\n"+
			"  console:  %[1]s/officer\n"+
			"  token:    %[2]s\n"+
			"            (an administrator's; sign in with it, or send it as 'Authorization: Bearer' to the API)\n"+
			"  try:      %[1]s/officer/citizens/001181000104  (a record with a name change and a move)\n"+
			"            %[1]s/v1/register/citizens/001078000103  (the same data as JSON)\n"+
			"  agency:   a demonstration bank's API key (verify, lookup, batch; purpose kyc):\n"+
			"            %[4]s\n"+
			"            curl -s -H 'Authorization: Bearer %[4]s' %[1]s/v1/verify \\\n"+
			"              -d '{\"purpose\":\"kyc\",\"pid\":\"001078000103\",\"full_name\":\"Nguyen Van Minh\",\"date_of_birth\":\"1978\"}'\n"+
			"  review:   %[1]s/officer/reconcile  (a telecom list reconciled against the register, its doubtful records awaiting a decision)\n"+
			"  API doc:  %[1]s/openapi.json   health: %[1]s/healthz   metrics: %[1]s/metrics\n"+
			"Press Ctrl+C to stop. Run again on the same data directory to reuse it (with a new token and key).\n\n", url, st.Token, st.Citizens, st.AgencyKey)
	}

	// Background work, stopped at shutdown: the verification index is
	// built (verify answers 503 not_ready until then) and then follows
	// the register; usage counts are stored every few seconds; the audit
	// log signs a checkpoint every minute while entries arrive.
	bctx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var background sync.WaitGroup
	background.Go(func() {
		if err := stack.buildIndex(bctx, db, log); err != nil {
			if bctx.Err() == nil {
				log.Error("verification unavailable", "err", err)
			}
			return
		}
		if err := verify.Follow(bctx, stack.index, db, 0); err != nil {
			log.Error("verification index stopped following the register", "err", err)
		}
	})
	background.Go(func() {
		stack.usage.Run(bctx, 5*time.Second, func(err error) { log.Warn("usage counts", "err", err) })
	})
	background.Go(func() { stack.audit.RunCheckpoints(bctx, time.Minute) })
	defer func() {
		stopBackground()
		background.Wait()
	}()

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

// routeSurfaces is the server's one top-level router: the API's paths to
// api, everything else to the web pages (which hand unknown paths back to
// the API's problem document when the client does not want HTML).
func routeSurfaces(api, pages http.Handler) http.Handler {
	mux := http.NewServeMux()
	// The paths the JSON API owns.
	for _, p := range []string{"/v1/", "/healthz", "/readyz", "/metrics", "/openapi.json"} {
		mux.Handle(p, api)
	}
	mux.Handle("/", pages)
	return mux
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
