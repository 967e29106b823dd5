package registry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/registry/registrytest"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

var ict = registrytest.ICT

// fixture is a register on a fresh database, with a clock set to
// 2026-06-15 09:00 in Vietnam.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	svc   *registry.Service
	clock *registrytest.Clock
	next  int
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	clk := registrytest.NewClock(time.Date(2026, 6, 15, 9, 0, 0, 0, ict))
	svc := registrytest.New(t, db, registry.WithClock(clk.Now))
	return &fixture{t: t, ctx: context.Background(), db: db, svc: svc, clock: clk}
}

// each runs fn on a fresh fixture per engine.
func each(t *testing.T, fn func(t *testing.T, f *fixture)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newFixture(t, db)) })
}

var meta = registry.Meta{Actor: "officer-1", LegalBasis: "test"}

func metaOn(day string) registry.Meta {
	m := meta
	m.EffectiveDate = registry.MustDate(day)
	return m
}

// number makes a PID agreeing with gender and birth year, registered in
// province 001 (Hà Nội).
func (f *fixture) number(g pid.Gender, year int) pid.PID {
	f.next++
	digit := (year/100 - 19) * 2
	if g == pid.Female {
		digit++
	}
	return pid.PID(fmt.Sprintf("001%d%02d%06d", digit, year%100, f.next))
}

var baDinh = registry.Address{Street: "Số 1 Phố Điện Biên Phủ", CommuneCode: "00004", Era: adminunit.Era2025}

// person registers a living citizen; with head, as the head of a new
// household at baDinh, else with no household.
func (f *fixture) person(name string, g pid.Gender, dob string, head bool) registry.Citizen {
	f.t.Helper()
	c := registry.Citizen{
		PID: f.number(g, registry.MustDate(dob).Year), FullName: name, Gender: g,
		DateOfBirth: registry.MustDate(dob), Ethnicity: "01",
	}
	if head {
		c.PermanentAddress = baDinh
	}
	if _, err := f.svc.RegisterInitial(f.ctx, registry.InitialRegistration{Meta: meta, Citizen: c}); err != nil {
		f.t.Fatalf("register %s: %v", name, err)
	}
	return f.get(c.PID)
}

// member registers a citizen into household h with rel.
func (f *fixture) member(name string, g pid.Gender, dob, household string, rel registry.Relation) registry.Citizen {
	f.t.Helper()
	c := registry.Citizen{PID: f.number(g, registry.MustDate(dob).Year), FullName: name, Gender: g,
		DateOfBirth: registry.MustDate(dob), Ethnicity: "01"}
	if _, err := f.svc.RegisterInitial(f.ctx, registry.InitialRegistration{Meta: meta, Citizen: c, HouseholdID: household, Relation: rel}); err != nil {
		f.t.Fatalf("register %s: %v", name, err)
	}
	return f.get(c.PID)
}

func (f *fixture) get(number pid.PID) registry.Citizen {
	f.t.Helper()
	v, err := f.svc.Citizen(f.ctx, number)
	if err != nil {
		f.t.Fatalf("read %s: %v", number, err)
	}
	return v.Citizen
}

func (f *fixture) household(id string) registry.Household {
	f.t.Helper()
	h, err := f.svc.Household(f.ctx, id)
	if err != nil {
		f.t.Fatalf("read household %s: %v", id, err)
	}
	return h
}

// counts is how many rows each register table holds, to prove that a
// refused event stored nothing.
func (f *fixture) counts() map[string]int64 {
	f.t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"events", "citizens", "citizen_versions", "households", "household_versions", "residences", "pid_claims"} {
		n, err := f.db.RowCount(f.ctx, table)
		if err != nil {
			f.t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// refused checks that err is a FieldError of the given sentinel, field and
// code, and that nothing was stored by the call.
func (f *fixture) refused(err error, before map[string]int64, sentinel error, field, code string) {
	f.t.Helper()
	var fe *registry.FieldError
	if !errors.As(err, &fe) || !errors.Is(err, sentinel) {
		f.t.Fatalf("err %v, want a %v FieldError", err, sentinel)
	}
	if fe.Field != field || (code != "" && fe.Code != code) {
		f.t.Fatalf("err %v: field %q code %q, want field %q code %q", err, fe.Field, fe.Code, field, code)
	}
	after := f.counts()
	for k, v := range before {
		if after[k] != v {
			f.t.Fatalf("refused event changed %s: %d rows → %d", k, v, after[k])
		}
	}
}
