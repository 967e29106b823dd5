package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"dancu/internal/access"
	"dancu/internal/adminunit"
	"dancu/internal/agency"
	"dancu/internal/audit"
	"dancu/internal/config"
	"dancu/internal/registry"
	"dancu/internal/store"
	"dancu/internal/usage"
	"dancu/internal/verify"

	"github.com/prometheus/client_golang/prometheus"
)

// agencyStack is the connected agencies' access path and what it runs on:
// their keys, the audit log, the verification index and the usage counts.
type agencyStack struct {
	agencies *agency.Service
	audit    *audit.Log
	index    *verify.Index
	usage    *usage.Recorder
	access   *access.Service
}

// indexDelay is how long the audit log's per-citizen index may trail its
// entries under load. Each index pass rewrites the index pages its rows
// land on, so longer passes put more rows on each page write; meanwhile
// the access view reads the entries past the index directly.
const indexDelay = time.Second

// openAgencyStack opens the audit log (creating its signing key in the
// data directory on first use) and builds the services over db; the index
// starts empty (buildIndex fills it). metrics may be nil.
func openAgencyStack(ctx context.Context, cfg config.Config, db *store.DB, register *registry.Service,
	units *adminunit.Directory, metrics prometheus.Registerer, log *slog.Logger, chain int) (*agencyStack, error) {
	key, err := audit.LoadOrCreateKey(auditKeyPath(cfg))
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	lg, err := audit.Open(ctx, db, key, audit.Options{Chain: chain, Logger: log, IndexDelay: indexDelay})
	if err != nil {
		return nil, err
	}
	st := &agencyStack{
		agencies: agency.NewService(db, agency.Options{Fields: registry.RecordFields}),
		audit:    lg,
		index:    verify.NewIndex(units),
		usage:    usage.New(db, metrics),
	}
	st.access = access.New(st.index, lg, st.usage, register)
	return st, nil
}

// buildIndex loads the whole register into the verification index and
// marks the access path ready, logging how long it took.
func (st *agencyStack) buildIndex(ctx context.Context, db *store.DB, log *slog.Logger) error {
	stats, err := st.index.Build(ctx, db.EachCitizenBrief)
	if err != nil {
		return fmt.Errorf("build the verification index: %w", err)
	}
	st.access.SetReady()
	log.Info("verification index built", "citizens", stats.Citizens, "took", stats.Elapsed.Round(time.Millisecond),
		"citizens_per_s", int64(stats.Rate()))
	return nil
}

// close flushes the usage counts and closes the audit log.
func (st *agencyStack) close(ctx context.Context) error {
	ferr := st.usage.Flush(ctx)
	if err := st.audit.Close(); err != nil {
		return err
	}
	return ferr
}
