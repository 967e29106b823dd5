package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/registry/registrytest"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

func register(t testing.TB, db *store.DB) *registry.Service {
	t.Helper()
	return registrytest.New(t, db)
}

var (
	meta   = registry.Meta{Actor: "officer-1", LegalBasis: "test"}
	baDinh = registry.Address{Street: "Số 1", CommuneCode: "00004", Era: adminunit.Era2025}
)

func citizen(n int) registry.Citizen {
	return registry.Citizen{PID: pid.PID(fmt.Sprintf("001090%06d", n)), FullName: "Nguyễn Văn An", Gender: pid.Male,
		DateOfBirth: registry.MustDate("1990"), Ethnicity: "01", PermanentAddress: baDinh}
}

// snapshot is every register table's row count.
func snapshot(t testing.TB, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"events", "citizens", "citizen_versions", "households", "household_versions", "residences", "pid_claims"} {
		n, err := db.RowCount(context.Background(), table)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d ", table, n)
	}
	return b.String()
}

// TestEventFailingMidwayWritesNothing aborts an event's transaction after
// each of its steps in turn: the event, its projection and its history are
// written together or not at all.
func TestEventFailingMidwayWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := register(t, db)
		if _, err := svc.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: citizen(1)}); err != nil {
			t.Fatal(err)
		}
		for _, step := range []string{"event", "households", "first citizen", "residences"} {
			t.Run(step, func(t *testing.T) {
				before := snapshot(t, db)
				crash := errors.New("crash at " + step)
				db.SetFailpoint(func(s string) error {
					if s == step {
						return crash
					}
					return nil
				})
				_, err := svc.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: citizen(2)})
				db.SetFailpoint(nil)
				if !errors.Is(err, crash) {
					t.Fatalf("err %v, want the crash", err)
				}
				if after := snapshot(t, db); after != before {
					t.Fatalf("a failed event left rows behind:\n before %s\n after  %s", before, after)
				}
			})
		}
		// And the same event then goes through.
		if _, err := svc.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: citizen(2)}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestKillDuringEvents kills a process with SIGKILL in the middle of an
// event's transaction and checks, on reopening the database, that every
// event is whole: each citizen's record is its newest version and the
// versions it replaced are all kept, every version has its event, and no
// event lacks its versions.
func TestKillDuringEvents(t *testing.T) {
	if dir := os.Getenv("DANCU_TEST_KILL_CHILD"); dir != "" {
		killChild(t, dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillDuringEvents$", "-test.count=1")
	cmd.Env = append(os.Environ(), "DANCU_TEST_KILL_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed: %v\n%s", err, out)
	}
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, filepath.Join(dir, "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checks := map[string]string{
		"citizens whose record is not their newest version": `SELECT COUNT(*) FROM citizens c WHERE c.version - 1 <> (SELECT COUNT(*) FROM citizen_versions v WHERE v.pid = c.pid AND v.version < c.version)
			OR EXISTS (SELECT 1 FROM citizen_versions v WHERE v.pid = c.pid AND v.version >= c.version)`,
		"versions without their event": `SELECT COUNT(*) FROM citizen_versions v WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = v.event_id)`,
		"citizens without their event": `SELECT COUNT(*) FROM citizens c WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = c.event_id)`,
		"events without versions": `SELECT COUNT(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM citizen_versions v WHERE v.event_id = e.id)
			AND NOT EXISTS (SELECT 1 FROM citizens c WHERE c.event_id = e.id)`,
		"members of a missing household": `SELECT COUNT(*) FROM citizens c WHERE c.household_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM households h WHERE h.id = c.household_id)`,
	}
	for what, q := range checks {
		n, err := db.QueryIntRaw(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d %s", n, what)
		}
	}
	events, _ := db.RowCount(ctx, "events")
	if events < 5 {
		t.Fatalf("only %d events committed before the kill; the test proves little", events)
	}
	// The register still takes events.
	if _, err := register(t, db).RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: citizen(999999)}); err != nil {
		t.Fatal(err)
	}
}

// killChild records events until, in the middle of the 20th event's
// transaction, it kills itself.
func killChild(t *testing.T, dir string) {
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, filepath.Join(dir, "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := register(t, db)
	n := 0
	db.SetFailpoint(func(step string) error {
		if step == "first citizen" {
			n++
			if n == 20 {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				time.Sleep(time.Minute)
			}
		}
		return nil
	})
	for i := 1; ; i++ {
		if _, err := svc.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: citizen(i)}); err != nil {
			t.Fatal(err)
		}
	}
}
