package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/registry/registrytest"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
	"dancu/internal/vntext"

	"github.com/google/uuid"
)

// The register benchmarks, run by scripts/bench.sh on every engine that
// storetest.Engines selects, each beside a baseline of the same engine in
// the same run:
//
//	CitizenRead     db.Citizen: primary-key read and JSON decode of a record
//	RecordEvent     a name change through registry.Service: event row,
//	                citizen row and version snapshot in one durable commit
//	Baseline…       the bare read of the same column, or a one-row INSERT
//	                committed in its own transaction, through a plain
//	                database/sql handle configured as the store's own
//
// The …Parallel variants run benchParallelism callers at once, since reads
// run on a pool and PostgreSQL commits concurrent writers together.

// envBenchCitizens sets the size of the register the benchmarks build.
const envBenchCitizens = "DANCU_BENCH_CITIZENS"

// loadBatch is how many citizens one loading commit holds.
const loadBatch = 1000

// benchParallelism is the RunParallel multiplier: with GOMAXPROCS 2, eight
// concurrent callers, as many as the PostgreSQL pool's connections.
const benchParallelism = 4

// benchRegister is a migrated database on one engine, optionally loaded
// with citizens, with plain database/sql handles on the same database for
// the baselines.
type benchRegister struct {
	db    *store.DB
	svc   *registry.Service
	read  *sql.DB // configured as the store's read pool
	write *sql.DB // configured as the store's writer
	pids  []pid.PID
	// changes counts the name changes asked of each citizen, so that every
	// change asks for a name the citizen does not have.
	changes []atomic.Int64
	// floorID numbers the rows of the commit baseline across runs.
	floorID atomic.Int64
}

// onEachEngine runs bench as a sub-benchmark per engine, on a register of
// citizens citizens (none: an empty migrated database). The register is
// built here, outside the sub-benchmark, because testing calls a
// RunParallel benchmark function once per b.N it tries, and the register
// must be built once.
func onEachEngine(b *testing.B, citizens bool, bench func(b *testing.B, r *benchRegister)) {
	n := 0
	if citizens {
		n = benchCitizens(b)
	}
	for _, engine := range storetest.Engines() {
		r := openBenchRegister(b, engine)
		r.load(b, n)
		b.Run(string(engine), func(b *testing.B) { bench(b, r) })
	}
}

// benchCitizens is the size of the register: DANCU_BENCH_CITIZENS, by
// default 20,000.
func benchCitizens(b *testing.B) int {
	s := os.Getenv(envBenchCitizens)
	if s == "" {
		return 20_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 999_999 {
		b.Fatalf("%s=%q: want a number of citizens from 1 to 999999", envBenchCitizens, s)
	}
	return n
}

// openBenchRegister opens a fresh migrated database on engine and plain
// handles on it. It opens the store itself, rather than through
// storetest.Open, to know where the database is.
func openBenchRegister(b *testing.B, engine store.Engine) *benchRegister {
	b.Helper()
	ctx := context.Background()
	r := &benchRegister{}
	var err error
	switch engine {
	case store.SQLite:
		path := filepath.Join(b.TempDir(), "dancu.db")
		if r.db, err = store.OpenSQLite(ctx, path); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.db.Close() })
		r.read, r.write = openPlainSQLite(b, path)
	case store.Postgres:
		dbURL := storetest.PostgresURL(b)
		if r.db, err = store.OpenPostgres(ctx, dbURL); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.db.Close() })
		pool, err := sql.Open("pgx", dbURL)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { pool.Close() })
		pool.SetMaxOpenConns(max(8, runtime.GOMAXPROCS(0)*4))
		pool.SetMaxIdleConns(max(8, runtime.GOMAXPROCS(0)*4))
		r.read, r.write = pool, pool
	default:
		b.Fatalf("unknown engine %q", engine)
	}
	if _, err := r.db.Migrate(ctx); err != nil {
		b.Fatalf("migrate %s: %v", engine, err)
	}
	r.svc = registrytest.New(b, r.db)
	// The commit baseline's table: the same for both engines.
	if _, err := r.write.ExecContext(ctx, `CREATE TABLE bench_floor (id BIGINT PRIMARY KEY, data TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	return r
}

// openPlainSQLite opens a reader pool and a writer on the SQLite file at
// path with the settings store.OpenSQLite gives its own (WAL, synchronous
// FULL, one writer taking the lock at BEGIN, query-only readers).
func openPlainSQLite(b *testing.B, path string) (read, write *sql.DB) {
	b.Helper()
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)", "busy_timeout(10000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	write, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { write.Close() })
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	q.Add("_pragma", "query_only(ON)")
	q.Del("_txlock")
	read, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { read.Close() })
	n := max(4, runtime.GOMAXPROCS(0)*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	return read, write
}

var (
	benchFamilies = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"}
	benchMiddles  = []string{"Văn", "Thị", "Hữu", "Minh", "Ngọc", "Đức", "Thanh"}
	benchGivens   = []string{"An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Khánh",
		"Lan", "Linh", "Long", "Mai", "Nam", "Phương", "Quang", "Thảo", "Trung", "Yến"}
	// benchAddress is a 2025 commune (Phường Ba Đình, Hà Nội).
	benchAddress = registry.Address{Street: "Số 12 Ngõ 5 Phố Điện Biên Phủ", CommuneCode: "00004", Era: adminunit.Era2025}
)

// benchName is the name of citizen k after its m-th name change; it
// differs from the name after change m-1 (and after any of the 19 changes
// before that).
func benchName(k int, m int64) string {
	return benchFamilies[k%len(benchFamilies)] + " " + benchMiddles[(k/len(benchFamilies))%len(benchMiddles)] +
		" " + benchGivens[(int64(k)+m)%int64(len(benchGivens))]
}

// benchCitizen is citizen k of the register: a full record as an import
// leaves it, with a number agreeing with gender and year of birth.
func benchCitizen(k int, now time.Time) registry.Citizen {
	g := pid.Male
	if k%2 == 1 {
		g = pid.Female
	}
	year := 1940 + k%80
	digit := (year/100-19)*2 + k%2
	province := []string{"001", "079", "031", "048", "092"}[k%5]
	return registry.Citizen{
		PID:               pid.PID(fmt.Sprintf("%s%d%02d%06d", province, digit, year%100, k)),
		FullName:          vntext.NameCase(vntext.Normalize(benchName(k, 0))),
		Gender:            g,
		DateOfBirth:       registry.MustDate(fmt.Sprintf("%04d-%02d-%02d", year, 1+k%12, 1+k%28)),
		BirthRegistration: benchAddress,
		Hometown:          benchAddress,
		Ethnicity:         "01",
		Nationality:       "VN",
		PermanentAddress:  benchAddress,
		CurrentAddress:    benchAddress,
		MaritalStatus:     registry.Single,
		Status:            registry.StatusAlive,
		Version:           1,
		UpdatedAt:         now,
	}
}

// load enters n citizens through store.Commit, loadBatch per event (as an
// import would, not one RegisterInitial each), so that a register of
// 20,000 takes seconds to build. The citizens have no household: the
// benchmarks read and change citizen records only.
func (r *benchRegister) load(b *testing.B, n int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	r.pids = make([]pid.PID, 0, n)
	r.changes = make([]atomic.Int64, n)
	for start := 0; start < n; start += loadBatch {
		c := registry.Commit{Communes: map[pid.PID]string{}}
		for k := start; k < min(start+loadBatch, n); k++ {
			ct := benchCitizen(k, now)
			c.Citizens = append(c.Citizens, ct)
			c.ClaimPIDs = append(c.ClaimPIDs, ct.PID)
			c.Communes[ct.PID] = ct.PermanentAddress.CommuneCode
			c.Event.Subjects = append(c.Event.Subjects, ct.PID)
			r.pids = append(r.pids, ct.PID)
		}
		c.Event.ID = uuid.Must(uuid.NewV7()).String()
		c.Event.Kind = registry.KindInitialRegistration
		c.Event.PID = c.Citizens[0].PID
		c.Event.Meta = registry.Meta{Actor: "import", LegalBasis: "benchmark load", EffectiveDate: registry.DateOf(now)}
		c.Event.RecordedAt = now
		if err := r.db.Commit(ctx, c); err != nil {
			b.Fatalf("load citizens %d…: %v", start, err)
		}
	}
}

// nameChange is the next name change of a random citizen.
func (r *benchRegister) nameChange() registry.NameChange {
	k := rand.IntN(len(r.pids))
	m := r.changes[k].Add(1)
	return registry.NameChange{
		Meta:     registry.Meta{Actor: "officer-1", LegalBasis: "QĐ 123/QĐ-UBND"},
		PID:      r.pids[k],
		FullName: benchName(k, m),
	}
}

func (r *benchRegister) randomPID() pid.PID { return r.pids[rand.IntN(len(r.pids))] }

// readData is the baseline's read: the record's column by primary key,
// copied out as the store copies it, not decoded.
func (r *benchRegister) readData(ctx context.Context, number pid.PID) error {
	var data string
	if err := r.read.QueryRowContext(ctx, `SELECT data FROM citizens WHERE pid = $1`, string(number)).Scan(&data); err != nil {
		return err
	}
	if data == "" {
		return fmt.Errorf("citizen %s: empty record", number)
	}
	return nil
}

// floorPayload is the commit baseline's row: about the size of a citizen
// record.
var floorPayload = fmt.Sprintf("%0600d", 0)

// commitOne is the durability floor: one row inserted and committed in a
// transaction of its own on the writer.
func (r *benchRegister) commitOne(ctx context.Context) error {
	tx, err := r.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO bench_floor (id, data) VALUES ($1, $2)`, r.floorID.Add(1), floorPayload); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// reportRate reports operations per second of wall time under unit.
func reportRate(b *testing.B, unit string) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, unit)
	}
}

// BenchmarkCitizenRead reads random citizens by number through db.Citizen,
// JSON decoding included, one caller at a time.
func BenchmarkCitizenRead(b *testing.B) {
	onEachEngine(b, true, func(b *testing.B, r *benchRegister) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.db.Citizen(ctx, r.randomPID()); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, "reads/s")
	})
}

// BenchmarkBaselineCitizenRead reads the same column by primary key through
// a plain handle, without decoding it.
func BenchmarkBaselineCitizenRead(b *testing.B) {
	onEachEngine(b, true, func(b *testing.B, r *benchRegister) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if err := r.readData(ctx, r.randomPID()); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, "reads/s")
	})
}

// BenchmarkCitizenReadParallel is BenchmarkCitizenRead with concurrent
// callers sharing the read pool.
func BenchmarkCitizenReadParallel(b *testing.B) {
	onEachEngine(b, true, func(b *testing.B, r *benchRegister) {
		ctx := context.Background()
		b.ReportAllocs()
		b.SetParallelism(benchParallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := r.db.Citizen(ctx, r.randomPID()); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportRate(b, "reads/s")
	})
}

// BenchmarkBaselineCitizenReadParallel is BenchmarkBaselineCitizenRead with
// the same concurrent callers.
func BenchmarkBaselineCitizenReadParallel(b *testing.B) {
	onEachEngine(b, true, func(b *testing.B, r *benchRegister) {
		ctx := context.Background()
		b.ReportAllocs()
		b.SetParallelism(benchParallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := r.readData(ctx, r.randomPID()); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportRate(b, "reads/s")
	})
}

// BenchmarkRecordEvent records name changes of random citizens through
// registry.Service, one at a time: each reads the record, validates, and
// commits the event, the new record and its version snapshot durably.
func BenchmarkRecordEvent(b *testing.B) {
	onEachEngine(b, true, func(b *testing.B, r *benchRegister) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.svc.RecordNameChange(ctx, r.nameChange()); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, "events/s")
	})
}

// BenchmarkBaselineRecordEvent is the durability floor under an event: one
// row inserted and committed in its own transaction through a writer
// configured as the store's (SQLite: its one writer connection;
// PostgreSQL: its pool).
func BenchmarkBaselineRecordEvent(b *testing.B) {
	onEachEngine(b, false, func(b *testing.B, r *benchRegister) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if err := r.commitOne(ctx); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, "commits/s")
	})
}

// BenchmarkRecordEventParallel is BenchmarkRecordEvent with concurrent
// officers: SQLite queues them on its one writer; PostgreSQL commits them
// side by side.
func BenchmarkRecordEventParallel(b *testing.B) {
	onEachEngine(b, true, func(b *testing.B, r *benchRegister) {
		ctx := context.Background()
		b.ReportAllocs()
		b.SetParallelism(benchParallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := r.svc.RecordNameChange(ctx, r.nameChange()); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportRate(b, "events/s")
	})
}

// BenchmarkBaselineRecordEventParallel is BenchmarkBaselineRecordEvent with
// the same concurrent callers.
func BenchmarkBaselineRecordEventParallel(b *testing.B) {
	onEachEngine(b, false, func(b *testing.B, r *benchRegister) {
		ctx := context.Background()
		b.ReportAllocs()
		b.SetParallelism(benchParallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := r.commitOne(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportRate(b, "commits/s")
	})
}
