package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"dancu/internal/registry"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// A record's current version lives in its own row and the versions it
// replaced in citizen_versions; the history reads both, and reads rows
// written before that layout (every version in citizen_versions, the whole
// event in events.data) the same way.
func TestHistoryAcrossLayouts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := register(t, db)
		c := citizen(1)
		if _, err := svc.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: c}); err != nil {
			t.Fatal(err)
		}
		correct := func(phone string) registry.Event {
			t.Helper()
			value, _ := json.Marshal(phone)
			ev, err := svc.RecordDataCorrection(ctx, registry.DataCorrection{
				Meta: registry.Meta{Actor: "officer-2", LegalBasis: "đơn số " + phone, Note: "phone " + phone},
				PID:  c.PID, Field: "phone", Value: value})
			if err != nil {
				t.Fatal(err)
			}
			return ev
		}
		second := correct("0912000001")
		if n, _ := db.QueryIntRaw(ctx, `SELECT COUNT(*) FROM citizen_versions`); n != 1 {
			t.Fatalf("%d rows in citizen_versions after one change, want the one replaced version", n)
		}
		between := time.Now()
		time.Sleep(2 * time.Millisecond)

		// Make the rows look as an older dancu wrote them.
		if err := db.ExecRaw(ctx, `INSERT INTO citizen_versions (pid, version, event_id, recorded_at, data)
			SELECT pid, version, event_id, updated_at, data FROM citizens`); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `UPDATE citizens SET event_id = ''`); err != nil {
			t.Fatal(err)
		}
		whole, _ := json.Marshal(second)
		if err := db.ExecRaw(ctx, `UPDATE events SET data = $1 WHERE id = $2`, string(whole), second.ID); err != nil {
			t.Fatal(err)
		}

		third := correct("0912000002")
		history, err := db.History(ctx, c.PID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range history {
			got = append(got, fmt.Sprintf("v%d %s %s %q %q %s phone=%s subjects=%v changes=%d", v.Version, v.Event.Kind, v.Event.Actor,
				v.Event.LegalBasis, v.Event.Note, v.Event.EffectiveDate, v.Citizen.Phone, v.Event.Subjects, len(v.Event.Changes)))
		}
		day := second.EffectiveDate.String()
		want := []string{
			fmt.Sprintf(`v1 initial_registration officer-1 "test" "" %s phone= subjects=[%s] changes=0`, day, c.PID),
			fmt.Sprintf(`v2 data_correction officer-2 "đơn số 0912000001" "phone 0912000001" %s phone=0912000001 subjects=[%s] changes=1`, day, c.PID),
			fmt.Sprintf(`v3 data_correction officer-2 "đơn số 0912000002" "phone 0912000002" %s phone=0912000002 subjects=[%s] changes=1`, day, c.PID),
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("history:\n%s\nwant:\n%s", got, want)
		}
		if !history[2].Event.RecordedAt.Equal(third.RecordedAt) || history[2].Event.ID != third.ID {
			t.Fatalf("event of v3: %+v, want %+v", history[2].Event, third)
		}
		then, err := db.AsOf(ctx, c.PID, between)
		if err != nil || then.Version != 2 {
			t.Fatalf("as of between: version %d, %v; want 2", then.Version, err)
		}
		now, err := db.AsOf(ctx, c.PID, time.Now())
		if err != nil || now.Version != 3 {
			t.Fatalf("as of now: version %d, %v; want 3", now.Version, err)
		}
	})
}
