package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/agency"
	"dancu/internal/eid"
	"dancu/internal/pid"
	"dancu/internal/reconcile"
	"dancu/internal/reconcile/input"
	"dancu/internal/registry"
	"dancu/internal/store"
	"dancu/internal/synth"
)

// demoFile, in the data directory, remembers the demonstration officer
// between runs of serve --demo.
const demoFile = "demo.json"

// demoState is what serve --demo prepared. It is written after each
// step, so that a demonstration interrupted while loading is finished by
// the next run.
type demoState struct {
	AccountID string `json:"account_id"`
	AgencyID  string `json:"agency_id"` // the demonstration bank
	Seeded    bool   `json:"seeded"`    // the sample family is recorded
	Citizens  int    `json:"citizens"`  // synthetic citizens loaded
	Seed      uint64 `json:"seed"`
	// ReconcileRun is the demonstration reconciliation of a telecom list,
	// whose ambiguous records wait in the review queue.
	ReconcileRun string `json:"reconcile_run,omitempty"`
	Token        string `json:"-"`
	AgencyKey    string `json:"-"` // a new key of the bank, each run
}

// demoScope is what the demonstration bank may do.
var demoScope = agency.Scope{
	Operations: []agency.Operation{agency.OpVerify, agency.OpLookup, agency.OpBatch},
	Fields:     []string{"pid", "old_id_number", "full_name", "date_of_birth", "gender", "id_card_issue_date", "permanent_address", "phone"},
	Purposes:   []string{"kyc"},
}

// demoSeed makes every demonstration the same population.
const demoSeed = 20250701

// prepareDemo makes the data directory a demonstration: an administrator
// whose fresh token it returns, a small family recorded through real
// events, and size synthetic citizens imported as an operator would. Run
// again on the same directory, it keeps what is there and only issues a
// new token (tokens are stored hashed and cannot be shown again).
func prepareDemo(ctx context.Context, dataDir string, db *store.DB, accounts *eid.Service, agencies *agency.Service, reg *registry.Service, size int, env Env) (demoState, error) {
	path := filepath.Join(dataDir, demoFile)
	var st demoState
	save := func() error {
		raw, _ := json.Marshal(st)
		if err := os.WriteFile(path+".tmp", raw, 0o600); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		return os.Rename(path+".tmp", path)
	}
	if raw, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(raw, &st); err != nil {
			return st, fmt.Errorf("read %s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return st, err
	}
	var tok string
	var err error
	if st.AccountID == "" {
		var a eid.Account
		if a, tok, err = accounts.CreateAccount(ctx, "Quản trị viên demo", eid.RoleAdmin, ""); err != nil {
			return st, fmt.Errorf("demo: create officer: %w", err)
		}
		st.AccountID = a.ID
		if err := save(); err != nil {
			return st, err
		}
	} else if _, tok, err = accounts.IssueToken(ctx, st.AccountID, 0); err != nil {
		return st, fmt.Errorf("demo: new token for %s: %w", st.AccountID, err)
	}
	st.Token = tok
	if st.AgencyID == "" {
		a, _, key, err := agencies.Add(ctx, agency.NewAgency{Name: "Ngân hàng Demo", Kind: agency.KindBank, Scope: demoScope,
			RateLimit: 0, Approved: true})
		if err != nil {
			return st, fmt.Errorf("demo: add the bank: %w", err)
		}
		st.AgencyID, st.AgencyKey = a.ID, key
		if err := save(); err != nil {
			return st, err
		}
	} else if _, st.AgencyKey, err = agencies.IssueKey(ctx, st.AgencyID, demoScope, 0, time.Time{}); err != nil {
		return st, fmt.Errorf("demo: new key for the bank %s: %w", st.AgencyID, err)
	}
	// The synthetic population goes first, into the empty register (the
	// fast path of an import), then the sample family. Loaded once; a run
	// that stopped while loading left no count, and loading again skips
	// whoever is already there. A later --demo-size keeps the population
	// the directory has.
	if st.Citizens == 0 && size > 0 {
		fmt.Fprintf(env.Stderr, "demo: generating and loading %d synthetic citizens (seed %d)…\n", size, demoSeed)
		sum, err := generateInto(ctx, env, db, reg, size, demoSeed, filepath.Join(dataDir, "demo.rejects.csv"))
		if err != nil {
			return st, fmt.Errorf("demo: %w", err)
		}
		if err := printImportSummary(env, false, sum); err != nil {
			return st, err
		}
		st.Citizens, st.Seed = size, demoSeed
		if err := save(); err != nil {
			return st, err
		}
	}
	if !st.Seeded {
		if err := seedFamily(ctx, reg, st.AccountID); err != nil {
			return st, fmt.Errorf("demo: %w", err)
		}
		st.Seeded = true
		if err := save(); err != nil {
			return st, err
		}
	}
	if st.ReconcileRun == "" && st.Citizens > 0 {
		id, err := reconcileDemo(ctx, db, reg.Units(), st.Citizens, env)
		if err != nil {
			return st, fmt.Errorf("demo: %w", err)
		}
		st.ReconcileRun = id
		if err := save(); err != nil {
			return st, err
		}
	}
	return st, nil
}

// demoListSize is how many subscribers the demonstration telecom list has
// (at most a tenth of the population).
const demoListSize = 5000

// reconcileDemo reconciles a demonstration telecom subscriber list,
// derived with the generator's default noise from the demonstration
// population, so that the console has a run, a scorecard and a review
// queue to show. It returns the run's ID.
func reconcileDemo(ctx context.Context, db *store.DB, units *adminunit.Directory, citizens int, env Env) (string, error) {
	records := func() (synth.Records, error) {
		g, err := newGenerator(citizens, demoSeed)
		if err != nil {
			return nil, err
		}
		return generated{g}, nil
	}
	kind := synth.Telecom
	d, err := synth.NewDeriver(units, synth.DatasetConfig{Kind: kind, Seed: demoSeed, Count: min(demoListSize, citizens/10),
		Noise: synth.DefaultNoise(kind)})
	if err != nil {
		return "", err
	}
	in, err := records()
	if err != nil {
		return "", err
	}
	if _, err := d.Scan(in); err != nil {
		return "", err
	}
	if in, err = records(); err != nil {
		return "", err
	}
	var list bytes.Buffer
	w := csv.NewWriter(&list)
	_ = w.Write(kind.Columns())
	if err := d.Derive(in, func(row synth.DatasetRow) error { return w.Write(row.Values) }); err != nil {
		return "", err
	}
	w.Flush()
	snapshot, err := reconcile.Load(ctx, units, db.EachCitizenBrief, nil)
	if err != nil {
		return "", err
	}
	rep, id, err := runAndKeep(ctx, db, snapshot, reconcile.Config{
		Dataset:       "demo-telecom-subscribers.csv",
		Open:          func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(list.Bytes())), nil },
		Input:         input.Options{Columns: map[string]string{"pid": "id_number", "permanent_address": "address", "record_key": "subscriber_id"}},
		MaxPerCitizen: 3,
	}, "")
	if err != nil {
		return "", err
	}
	fmt.Fprintf(env.Stderr, "demo: reconciled a telecom list of %d subscribers: %d linked, %d for review, %d not found\n", rep.Records,
		rep.Statuses[reconcile.StatusMatch]+rep.Statuses[reconcile.StatusCorrected], rep.Statuses[reconcile.StatusAmbiguous],
		rep.Statuses[reconcile.StatusNotFound])
	return id, nil
}

// generated is a synthetic population as synth.Records.
type generated struct{ g *synth.Generator }

func (g generated) Next() (registry.Record, error) {
	r, ok := g.g.Next()
	if !ok {
		return r, io.EOF
	}
	return r, nil
}

// seedFamily records three generations of one family in Hà Nội through
// the register's own events, so that the console has records, a
// household and histories to show.
func seedFamily(ctx context.Context, reg *registry.Service, actor string) error {
	home := registry.Address{Street: "Số 8 Ngõ 12 Phố Đội Cấn", CommuneCode: "00004", Era: adminunit.Era2025}
	oldHome := registry.Address{Street: "Thôn Trung", CommuneCode: "09820", Era: adminunit.EraPre2025}
	meta := registry.Meta{Actor: actor, LegalBasis: "Dữ liệu mẫu (demo)"}
	person := func(number, name, gender, born string, addr registry.Address) registry.Citizen {
		var g pid.Gender
		_ = g.UnmarshalText([]byte(gender))
		return registry.Citizen{PID: pid.PID(number), FullName: name, Gender: g, DateOfBirth: registry.MustDate(born),
			Ethnicity: "01", PermanentAddress: addr, Hometown: registry.Address{CommuneCode: "09820", Era: adminunit.EraPre2025}}
	}
	grandfather := person("001048000101", "Nguyễn Văn Hùng", "male", "1948-02-11", home)
	ev, err := reg.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: grandfather})
	if err != nil {
		return err
	}
	head, err := reg.Citizen(ctx, ev.PID)
	if err != nil {
		return err
	}
	hid := head.HouseholdID
	steps := []func() error{
		func() error {
			_, err := reg.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: person("001152000102", "Trần Thị Lan", "female", "1952", registry.Address{}), HouseholdID: hid, Relation: registry.RelationSpouse})
			return err
		},
		func() error {
			_, err := reg.RecordMarriage(ctx, registry.Marriage{Meta: withDay(meta, "1972-05-20"), PID: "001048000101", SpousePID: "001152000102"})
			return err
		},
		func() error {
			c := person("001078000103", "Nguyễn Văn Minh", "male", "1978-09-02", registry.Address{})
			c.FatherPID, c.MotherPID = "001048000101", "001152000102"
			_, err := reg.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: c, HouseholdID: hid, Relation: registry.RelationChild})
			return err
		},
		func() error {
			_, err := reg.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: person("001181000104", "Phạm Thị Thu Hà", "female", "1981-12-24", oldHome)})
			return err
		},
		func() error {
			_, err := reg.RecordMarriage(ctx, registry.Marriage{Meta: withDay(meta, "2008-10-10"), PID: "001078000103", SpousePID: "001181000104"})
			return err
		},
		func() error {
			_, err := reg.RecordPermanentResidence(ctx, registry.PermanentResidence{Meta: meta, PID: "001181000104", HouseholdID: hid, Relation: registry.RelationInLaw})
			return err
		},
		func() error {
			_, err := reg.RecordBirth(ctx, registry.Birth{Meta: meta, FullName: "Nguyễn Minh Khôi", Gender: pid.Male,
				DateOfBirth: registry.DateOf(time.Now().AddDate(0, 0, -20)), BirthRegistration: home, Ethnicity: "01",
				MotherPID: "001181000104", FatherPID: "001078000103"})
			return err
		},
		func() error {
			_, err := reg.RecordIDCardIssuance(ctx, registry.IDCardIssuance{Meta: withDay(meta, "2021-04-15"), PID: "001078000103", IssuedBy: "Cục Cảnh sát quản lý hành chính về trật tự xã hội"})
			return err
		},
		func() error {
			_, err := reg.RecordNameChange(ctx, registry.NameChange{Meta: registry.Meta{Actor: actor, LegalBasis: "Quyết định thay đổi họ tên số 15/QĐ-UBND"}, PID: "001181000104", FullName: "Phạm Thu Hà"})
			return err
		},
		func() error {
			today := registry.DateOf(time.Now())
			_, err := reg.RecordTemporaryResidence(ctx, registry.Stay{Meta: meta, PID: "001078000103",
				Address:   registry.Address{Street: "12 Hai Bà Trưng", CommuneCode: "26737", Era: adminunit.Era2025},
				StartDate: today, EndDate: today.AddYears(1)})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("sample event %d: %w", i+2, err)
		}
	}
	return nil
}

func withDay(m registry.Meta, day string) registry.Meta {
	m.EffectiveDate = registry.MustDate(day)
	return m
}
