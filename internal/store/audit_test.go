package store_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dancu/internal/audit"
	"dancu/internal/pid"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// auditClock advances a millisecond per call: distinct, deterministic
// times.
func auditClock() func() time.Time {
	t := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Millisecond)
		return t
	}
}

func auditCitizen(i int) pid.PID {
	p, err := pid.FromUint64(79_300_000_000 + uint64(i))
	if err != nil {
		panic(err)
	}
	return p
}

func auditRecord(i int) audit.Record {
	return audit.Record{AgencyID: "agency-telecom", KeyID: "key-3", Purpose: "sim-registration", Operation: "verify",
		RequestID: fmt.Sprintf("req-%d", i),
		Accesses:  []audit.Access{{PID: auditCitizen(i), Fields: []string{"full_name", "date_of_birth"}, Result: "match"}}}
}

// fillAuditLog appends n one-access records with signer's log, making a
// checkpoint after each seq in checkpointAt, and closes the log (which
// indexes everything). It returns the checkpoints.
func fillAuditLog(t *testing.T, db *store.DB, signer ed25519.PrivateKey, n int, checkpointAt ...int) []audit.Checkpoint {
	t.Helper()
	ctx := context.Background()
	l, err := audit.Open(ctx, db, signer, audit.Options{Now: auditClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var cps []audit.Checkpoint
	for i := 1; i <= n; i++ {
		if err := l.Append(ctx, auditRecord(i)); err != nil {
			t.Fatal(err)
		}
		for _, at := range checkpointAt {
			if at == i {
				c, err := l.Checkpoint(ctx)
				if err != nil {
					t.Fatal(err)
				}
				cps = append(cps, c)
			}
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return cps
}

func auditKey(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

func verifyAudit(t *testing.T, db *store.DB, pub ed25519.PublicKey, against ...audit.Checkpoint) audit.Report {
	t.Helper()
	rep, err := audit.VerifyAgainst(context.Background(), db, pub, against)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// firstProblem returns the report's first problem, failing when there is
// none.
func firstProblem(t *testing.T, rep audit.Report) audit.Problem {
	t.Helper()
	if rep.OK() {
		t.Fatalf("Verify found nothing wrong: %+v", rep)
	}
	return rep.Problems[0]
}

// TestAuditVerifyNamesFirstBrokenEntry tampers with rows the way someone
// with write access to the database but not the signing key could, and
// checks that Verify names the right entry each time.
func TestAuditVerifyNamesFirstBrokenEntry(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, db *store.DB)
		kind   string
		seq    int64
		reason string
	}{
		{"edited purpose", editAuditRecord(5, 0, func(r *audit.Record) { r.Purpose = "marketing" }),
			audit.KindEntry, 5, "stored hash"},
		{"edited time", editAuditRecord(3, 0, func(r *audit.Record) { r.At = r.At.Add(time.Microsecond) }),
			audit.KindEntry, 3, "stored hash"},
		{"two edits, the first is named", func(t *testing.T, db *store.DB) {
			editAuditRecord(9, 0, func(r *audit.Record) { r.AgencyID = "nobody" })(t, db)
			editAuditRecord(4, 0, func(r *audit.Record) { r.AgencyID = "nobody" })(t, db)
		}, audit.KindEntry, 4, "stored hash"},
		{"deleted entry", execAudit(`DELETE FROM audit_groups WHERE chain = 0 AND seq = $1`, 7),
			audit.KindEntry, 7, "missing"},
		{"records cut", execAudit(`UPDATE audit_groups SET records = substr(records, 1, 10) WHERE chain = 0 AND seq = $1`, 2),
			audit.KindEntry, 2, "do not decode"},
		{"entries removed after the last checkpoint's head", execAudit(`DELETE FROM audit_groups WHERE chain = 0 AND seq > $1`, 6),
			audit.KindDiverged, 7, "entries were removed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				key := auditKey(1)
				fillAuditLog(t, db, key, 12, 8, 12)
				if rep := verifyAudit(t, db, key.Public().(ed25519.PublicKey)); !rep.OK() {
					t.Fatalf("intact log: %+v", rep.Problems)
				}
				tc.tamper(t, db)
				p := firstProblem(t, verifyAudit(t, db, key.Public().(ed25519.PublicKey)))
				if p.Kind != tc.kind || p.Chain != 0 || p.Seq != tc.seq || !strings.Contains(p.Reason, tc.reason) {
					t.Fatalf("problem %+v, want %s at chain 0 seq %d mentioning %q", p, tc.kind, tc.seq, tc.reason)
				}
			})
		})
	}
}

// TestAuditVerifyNamesBrokenRecord: in entries that hold groups, Verify
// names the entry, and the record in it when the stored records no
// longer decode; an edit that keeps them decoding shows in the hash only,
// which covers the whole group, and the problem lists the group's
// requests.
func TestAuditVerifyNamesBrokenRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key := auditKey(1)
		pub := key.Public().(ed25519.PublicKey)
		appendAuditGroups(t, db, 0, 3, 3, 3, 3) // entries 1 to 4, records 1 to 12
		if rep := verifyAudit(t, db, pub); !rep.OK() || rep.Entries != 4 || rep.Records != 12 {
			t.Fatalf("intact log: %+v", rep)
		}
		// The third record of entry 2 is cut short, which leaves bytes
		// that do not decode.
		e := auditEntry(t, db, 0, 2)
		blob := e.Encoded()
		third := len(blob) - len(audit.EncodeRecord(e.Records[2]))
		if err := db.ExecRaw(ctx, `UPDATE audit_groups SET records = $1 WHERE chain = 0 AND seq = 2`, blob[:third+20]); err != nil {
			t.Fatal(err)
		}
		p := firstProblem(t, verifyAudit(t, db, pub))
		if p.Kind != audit.KindEntry || p.Seq != 2 || p.Record != 3 || !strings.HasPrefix(p.String(), "chain 0 entry 2 record 3:") {
			t.Fatalf("problem %+v (%s), want entry 2 record 3", p, p)
		}
		if err := db.ExecRaw(ctx, `UPDATE audit_groups SET records = $1 WHERE chain = 0 AND seq = 2`, blob); err != nil {
			t.Fatal(err)
		}
		// An edited result: the entry, and its requests.
		editAuditRecord(3, 1, func(r *audit.Record) { r.Accesses[0].Result = "mismatch" })(t, db)
		p = firstProblem(t, verifyAudit(t, db, pub))
		if p.Kind != audit.KindEntry || p.Seq != 3 || p.Record != 0 || !strings.Contains(p.Reason, `3 records (requests "req-7" to "req-9")`) {
			t.Fatalf("problem %+v, want entry 3 naming its requests", p)
		}
	})
}

// execAudit tampers with one statement.
func execAudit(query string, args ...any) func(t *testing.T, db *store.DB) {
	return func(t *testing.T, db *store.DB) {
		t.Helper()
		if err := db.ExecRaw(context.Background(), query, args...); err != nil {
			t.Fatal(err)
		}
	}
}

// editAuditRecord tampers with record i (from 0) of entry seq of chain 0
// as someone who can write the database could: its stored records are
// rewritten, its hash left as it was.
func editAuditRecord(seq int64, i int, edit func(r *audit.Record)) func(t *testing.T, db *store.DB) {
	return func(t *testing.T, db *store.DB) {
		t.Helper()
		e := auditEntry(t, db, 0, seq)
		edit(&e.Records[i])
		if err := db.ExecRaw(context.Background(), `UPDATE audit_groups SET records = $1 WHERE chain = 0 AND seq = $2`,
			audit.EncodeRecords(e.Records), seq); err != nil {
			t.Fatal(err)
		}
	}
}

// auditEntry reads entry seq of chain.
func auditEntry(t *testing.T, db *store.DB, chain int, seq int64) *audit.Entry {
	t.Helper()
	var found *audit.Entry
	if err := db.ScanAudit(context.Background(), func(e *audit.Entry) error {
		if e.Chain == chain && e.Seq == seq {
			found = e
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if found == nil {
		t.Fatalf("no entry %d on chain %d", seq, chain)
	}
	return found
}

// appendAuditGroups writes entries straight to the store, never indexed,
// one per size given, holding that many one-access records each: records
// 1, 2, 3 … (auditRecord) at one second apart from 2026-03-02.
func appendAuditGroups(t *testing.T, db *store.DB, chain int, sizes ...int) {
	t.Helper()
	ctx := context.Background()
	w, err := db.AuditWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	n := 0
	for _, size := range sizes {
		var records []audit.Record
		for range size {
			n++
			r := auditRecord(n)
			r.At = time.Date(2026, 3, 2, 0, 0, n, 0, time.UTC)
			records = append(records, r)
		}
		err := w.Append(ctx, chain, func(head audit.Head) (*audit.Entry, error) {
			e := &audit.Entry{Chain: chain, Seq: head.Seq + 1, Records: records, PrevHash: head.Hash}
			e.Hash = e.ComputeHash()
			return e, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestAuditVerifyRecomputedHashesWithoutKey: someone rewrites an entry and
// every later hash but cannot sign; the stored checkpoints catch it, and
// name the range between the last one that agrees and the first that
// does not.
func TestAuditVerifyRecomputedHashesWithoutKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		key := auditKey(1)
		fillAuditLog(t, db, key, 30, 10, 20, 30)
		rewriteAuditEntry(t, db, 15)
		p := firstProblem(t, verifyAudit(t, db, key.Public().(ed25519.PublicKey)))
		if p.Kind != audit.KindDiverged || p.Seq != 20 || p.GoodThrough != 10 || !strings.Contains(p.Reason, "stored checkpoint") {
			t.Fatalf("problem %+v, want a divergence at seq 20 after 10 found by a stored checkpoint", p)
		}
	})
}

// TestAuditInsiderAttack is the attack the checkpoints exist for: an
// insider who can rewrite the database and read the data directory edits
// an entry, recomputes every later hash and re-signs every stored
// checkpoint with the key in the data directory. Verify with what the data
// directory holds cannot see it; Verify against a checkpoint exported
// earlier to a file elsewhere, with the public key from a separate file,
// catches it and says where.
func TestAuditInsiderAttack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dataDir, witness := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "witness")
		if err := os.MkdirAll(witness, 0o700); err != nil {
			t.Fatal(err)
		}
		key, err := audit.LoadOrCreateKey(filepath.Join(dataDir, audit.KeyFileName))
		if err != nil {
			t.Fatal(err)
		}
		// Checkpoints after entries 10, 20 and 30; the first two are
		// exported with the public key, as `dancu audit checkpoint
		// --out … --public-key-out …` does.
		cps := fillAuditLog(t, db, key, 30, 10, 20, 30)
		for i, c := range cps[:2] {
			writeJSONFile(t, filepath.Join(witness, fmt.Sprintf("checkpoint-%d.json", i)), c)
		}
		pem, err := audit.MarshalPublicKey(key.Public().(ed25519.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(witness, "audit.pub"), pem, 0o600); err != nil {
			t.Fatal(err)
		}

		// The insider hides who looked at entry 15.
		rewriteAuditEntry(t, db, 15)
		stolen, err := audit.LoadKey(filepath.Join(dataDir, audit.KeyFileName))
		if err != nil {
			t.Fatal(err)
		}
		resignAuditCheckpoints(t, db, stolen)

		// What the data directory holds says all is well.
		rep := verifyAudit(t, db, stolen.Public().(ed25519.PublicKey))
		if !rep.OK() || rep.Checkpoints != 3 {
			t.Fatalf("the rewritten log should pass a check against itself: %+v", rep)
		}
		views, err := db.AuditAccesses(ctx, auditCitizen(15), 10)
		if err != nil || len(views) != 1 || views[0].AgencyID != "agency-someone-else" {
			t.Fatalf("the rewrite should show in the access view: %+v, %v", views, err)
		}

		// The witness's copies tell.
		pubData, err := os.ReadFile(filepath.Join(witness, "audit.pub"))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := audit.ParsePublicKey(pubData)
		if err != nil {
			t.Fatal(err)
		}
		exported := make([]audit.Checkpoint, 2)
		for i := range exported {
			data, err := os.ReadFile(filepath.Join(witness, fmt.Sprintf("checkpoint-%d.json", i)))
			if err != nil {
				t.Fatal(err)
			}
			if exported[i], err = audit.ParseCheckpoint(data); err != nil {
				t.Fatal(err)
			}
		}
		rep, err = audit.Verify(ctx, db, pub, &exported[1])
		if err != nil {
			t.Fatal(err)
		}
		p := firstProblem(t, rep)
		if p.Kind != audit.KindDiverged || p.Chain != 0 || p.Seq != 20 || p.GoodThrough != 0 ||
			!strings.Contains(p.Reason, "exported checkpoint") {
			t.Fatalf("against the exported checkpoint of entry 20: %+v", p)
		}
		// Both exported checkpoints narrow it down to entries 11..20.
		p = firstProblem(t, verifyAudit(t, db, pub, exported...))
		if p.Kind != audit.KindDiverged || p.Seq != 20 || p.GoodThrough != 10 || !strings.Contains(p.Reason, "after 10 and up to 20") {
			t.Fatalf("against both exported checkpoints: %+v", p)
		}
	})
}

// TestAuditReplacedKey: an insider who replaces the signing key (rather
// than stealing it) and re-signs is caught by the checkpoints' key.
func TestAuditReplacedKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		key := auditKey(1)
		cps := fillAuditLog(t, db, key, 12, 6, 12)
		rewriteAuditEntry(t, db, 3)
		resignAuditCheckpoints(t, db, auditKey(2))
		rep := verifyAudit(t, db, key.Public().(ed25519.PublicKey), cps[0])
		p := firstProblem(t, rep)
		if p.Kind != audit.KindCheckpoint || !strings.Contains(p.Reason, "not by") {
			t.Fatalf("first problem %+v, want a stored checkpoint signed by another key", p)
		}
		var diverged bool
		for _, p := range rep.Problems {
			diverged = diverged || (p.Kind == audit.KindDiverged && p.Seq == 6)
		}
		if !diverged {
			t.Fatalf("no divergence at the exported checkpoint's entry 6: %+v", rep.Problems)
		}
	})
}

// TestAuditIndexTamper: the per-citizen index is derived, but a row
// removed from it hides an access from a citizen, so Verify checks it.
func TestAuditIndexTamper(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key := auditKey(1)
		fillAuditLog(t, db, key, 8)
		pub := key.Public().(ed25519.PublicKey)
		if rep := verifyAudit(t, db, pub); !rep.OK() || rep.IndexRows != 8 || rep.Unindexed != 0 {
			t.Fatalf("intact: %+v", rep)
		}
		if err := db.ExecRaw(ctx, `DELETE FROM audit_accesses WHERE pid = $1`, int64(auditCitizen(4).Uint64())); err != nil {
			t.Fatal(err)
		}
		views, err := db.AuditAccesses(ctx, auditCitizen(4), 10)
		if err != nil || len(views) != 0 {
			t.Fatalf("views after the index row went: %+v, %v", views, err)
		}
		p := firstProblem(t, verifyAudit(t, db, pub))
		if p.Kind != audit.KindIndex || p.Chain != 0 || !strings.Contains(p.Reason, "7 rows listed, 8 expected") {
			t.Fatalf("problem %+v", p)
		}

		// An index row pointing at an access to someone else is refused.
		if err := db.ExecRaw(ctx, `UPDATE audit_accesses SET seq = 2 WHERE pid = $1`, int64(auditCitizen(5).Uint64())); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AuditAccesses(ctx, auditCitizen(5), 10); !errors.Is(err, audit.ErrCorrupt) {
			t.Fatalf("index row to another citizen's access: %v, want ErrCorrupt", err)
		}
	})
}

// TestAuditUnindexedEntries: entries committed by a writer that stopped
// before indexing them (a crash) are in the access view at once, and the
// next log to open indexes them.
func TestAuditUnindexedEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key := auditKey(1)
		// Chain 3's entries written straight to the store, never indexed:
		// records 1 to 3 in entry 1, 4 and 5 in entry 2.
		appendAuditGroups(t, db, 3, 3, 2)
		views, err := db.AuditAccesses(ctx, auditCitizen(2), 10)
		if err != nil || len(views) != 1 || views[0].Chain != 3 || views[0].Seq != 1 || views[0].Result != "match" ||
			views[0].RequestID != "req-2" || !views[0].At.Equal(time.Date(2026, 3, 2, 0, 0, 2, 0, time.UTC)) {
			t.Fatalf("unindexed entry's view: %+v, %v", views, err)
		}
		pub := key.Public().(ed25519.PublicKey)
		if rep := verifyAudit(t, db, pub); !rep.OK() || rep.Unindexed != 2 || rep.IndexRows != 0 || rep.Records != 5 {
			t.Fatalf("before indexing: %+v", rep)
		}

		fillAuditLog(t, db, key, 4) // chain 0; Close indexes chain 3 too
		marks, err := db.AuditIndexWatermarks(ctx)
		if err != nil || marks[3] != 2 || marks[0] != 4 {
			t.Fatalf("watermarks %v, %v", marks, err)
		}
		views, err = db.AuditAccesses(ctx, auditCitizen(2), 10)
		if err != nil || len(views) != 2 || views[0].Chain != 3 || views[0].Seq != 1 || views[1].Chain != 0 || views[1].Seq != 2 {
			t.Fatalf("views after indexing: %+v, %v", views, err)
		}
		if rep := verifyAudit(t, db, pub); !rep.OK() || rep.Unindexed != 0 || rep.IndexRows != 9 || rep.Chains != 2 {
			t.Fatalf("after indexing: %+v", rep)
		}
	})
}

// TestAuditSharedChain: two logs appending to one chain (two processes
// given the same Options.Chain) take turns; each keeps the index rows of
// its own entries in memory, and the index still lists every access once
// the other's entries between are indexed from the store.
func TestAuditSharedChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key := auditKey(1)
		a, err := audit.Open(ctx, db, key, audit.Options{Now: auditClock()})
		if err != nil {
			t.Fatal(err)
		}
		b, err := audit.Open(ctx, db, key, audit.Options{Now: auditClock()})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 20; i++ {
			l := a
			if i%3 == 0 {
				l = b
			}
			if err := l.Append(ctx, auditRecord(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		rep := verifyAudit(t, db, key.Public().(ed25519.PublicKey))
		if !rep.OK() || rep.Entries != 20 || rep.IndexRows != 20 || rep.Unindexed != 0 {
			t.Fatalf("report %+v", rep)
		}
		for _, i := range []int{3, 4} {
			views, err := db.AuditAccesses(ctx, auditCitizen(i), 10)
			if err != nil || len(views) != 1 || views[0].RequestID != fmt.Sprintf("req-%d", i) {
				t.Fatalf("views of citizen %d: %+v, %v", i, views, err)
			}
		}
	})
}

// TestAuditFirstFormatEntries: entries an earlier dancu wrote, one record
// per audit_entries row, go on verifying against the checkpoints signed
// then, are shown in the access view (indexed or not), and are continued
// by the groups of audit_groups.
func TestAuditFirstFormatEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key := auditKey(1)
		pub := key.Public().(ed25519.PublicKey)
		// Entries 1 to 6, of records 101 to 106, the first 4 indexed,
		// and a checkpoint of them: what the earlier dancu left.
		writeFirstFormatEntries(t, db, 6, 4)
		old, err := audit.MakeCheckpoint(ctx, db, key, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if rep := verifyAudit(t, db, pub, old); !rep.OK() || rep.Entries != 6 || rep.IndexRows != 4 || rep.Unindexed != 2 {
			t.Fatalf("first-format entries: %+v", rep)
		}
		for _, i := range []int{102, 106} { // indexed, not indexed
			views, err := db.AuditAccesses(ctx, auditCitizen(i), 10)
			if err != nil || len(views) != 1 || views[0].RequestID != fmt.Sprintf("req-%d", i) || views[0].Result != "match" ||
				len(views[0].Fields) != 2 || views[0].Seq != int64(i-100) {
				t.Fatalf("view of citizen %d: %+v, %v", i, views, err)
			}
		}

		// The new dancu indexes entries 5 and 6 and continues the chain.
		fillAuditLog(t, db, key, 3) // records 1 to 3, entries 7 to 9
		rep := verifyAudit(t, db, pub, old)
		if !rep.OK() || rep.Entries != 9 || rep.Records != 9 || rep.IndexRows != 9 || rep.Unindexed != 0 || rep.Heads[0].Seq != 9 {
			t.Fatalf("after new entries: %+v", rep)
		}
		for _, i := range []int{106, 2} {
			views, err := db.AuditAccesses(ctx, auditCitizen(i), 10)
			if err != nil || len(views) != 1 || views[0].RequestID != fmt.Sprintf("req-%d", i) {
				t.Fatalf("view of citizen %d: %+v, %v", i, views, err)
			}
		}

		// Tampering with an entry of the first format is named as before.
		if err := db.ExecRaw(ctx, `UPDATE audit_entries SET purpose = 'marketing' WHERE chain = 0 AND seq = 3`); err != nil {
			t.Fatal(err)
		}
		p := firstProblem(t, verifyAudit(t, db, pub, old))
		if p.Kind != audit.KindEntry || p.Seq != 3 || !strings.Contains(p.Reason, "stored hash") {
			t.Fatalf("problem %+v, want entry 3", p)
		}
	})
}

// writeFirstFormatEntries writes entries 1 to n of chain 0 as dancu did
// before entries held groups: one audit_entries row per record (records
// 101, 102 …), the head, and the index of the first indexed.
func writeFirstFormatEntries(t *testing.T, db *store.DB, n, indexed int) {
	t.Helper()
	ctx := context.Background()
	var prev [32]byte
	for i := 1; i <= n; i++ {
		r := auditRecord(100 + i)
		r.At = time.Date(2026, 1, 15, 0, 0, i, 0, time.UTC)
		e := audit.Entry{Chain: 0, Seq: int64(i), Records: []audit.Record{r}, PrevHash: prev, V1: true}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		if err := db.ExecRaw(ctx, `INSERT INTO audit_entries (chain, seq, at, agency_id, key_id, purpose, operation, request_id, accesses, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, 0, e.Seq, r.At.UnixMicro(), r.AgencyID, r.KeyID, r.Purpose, r.Operation, r.RequestID,
			audit.EncodeAccesses(r.Accesses), e.Hash[:]); err != nil {
			t.Fatal(err)
		}
		if i <= indexed {
			if err := db.ExecRaw(ctx, `INSERT INTO audit_accesses (pid, at, chain, seq, idx) VALUES ($1, $2, 0, $3, 0)`,
				int64(r.Accesses[0].PID.Uint64()), r.At.UnixMicro(), e.Seq); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := db.ExecRaw(ctx, `INSERT INTO audit_heads (chain, seq, hash, indexed_seq) VALUES (0, $1, $2, $3)`, int64(n), prev[:], int64(indexed)); err != nil {
		t.Fatal(err)
	}
}

// rewriteAuditEntry changes who made entry seq of chain 0 and recomputes
// the hash of it and of every later entry, and the head, as an insider
// with the code would.
func rewriteAuditEntry(t *testing.T, db *store.DB, seq int64) {
	t.Helper()
	ctx := context.Background()
	var entries []*audit.Entry
	if err := db.ScanAudit(ctx, func(e *audit.Entry) error {
		if e.Chain == 0 {
			entries = append(entries, e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var prev [32]byte
	for _, e := range entries {
		if e.Seq == seq {
			for i := range e.Records {
				e.Records[i].AgencyID = "agency-someone-else"
			}
			e = &audit.Entry{Chain: e.Chain, Seq: e.Seq, Records: e.Records}
		}
		e.PrevHash = prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
		if err := db.ExecRaw(ctx, `UPDATE audit_groups SET records = $1, hash = $2 WHERE chain = 0 AND seq = $3`, e.Encoded(), e.Hash[:], e.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.ExecRaw(ctx, `UPDATE audit_heads SET hash = $1 WHERE chain = 0`, prev[:]); err != nil {
		t.Fatal(err)
	}
}

// resignAuditCheckpoints replaces every stored checkpoint by one of the
// same time over the log's current hashes, signed by signer.
func resignAuditCheckpoints(t *testing.T, db *store.DB, signer ed25519.PrivateKey) {
	t.Helper()
	ctx := context.Background()
	old, err := db.AuditCheckpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[[2]int64][32]byte{}
	if err := db.ScanAudit(ctx, func(e *audit.Entry) error {
		hashes[[2]int64{int64(e.Chain), e.Seq}] = e.Hash
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.ExecRaw(ctx, `DELETE FROM audit_checkpoints`); err != nil {
		t.Fatal(err)
	}
	for _, c := range old {
		heads := make([]audit.Head, len(c.Heads))
		for i, h := range c.Heads {
			heads[i] = audit.Head{Chain: h.Chain, Seq: h.Seq, Hash: hashes[[2]int64{int64(h.Chain), h.Seq}]}
		}
		forged, err := audit.SignCheckpoint(signer, c.At, heads)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SaveAuditCheckpoint(ctx, forged); err != nil {
			t.Fatal(err)
		}
	}
}

func writeJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAuditSurvivesBackupAndRestore: a restored database (into either
// engine) still verifies against the checkpoints taken before the backup,
// entries of both formats.
func TestAuditSurvivesBackupAndRestore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.DB) {
		ctx := context.Background()
		key := auditKey(1)
		writeFirstFormatEntries(t, src, 3, 3)
		cps := fillAuditLog(t, src, key, 10, 10)
		var buf bytes.Buffer
		if _, err := src.Backup(ctx, &buf, nil); err != nil {
			t.Fatal(err)
		}
		for _, engine := range storetest.Engines() {
			dst := storetest.OpenEmpty(t, engine)
			if _, err := dst.Restore(ctx, bytes.NewReader(buf.Bytes()), nil); err != nil {
				t.Fatalf("restore into %s: %v", engine, err)
			}
			rep := verifyAudit(t, dst, key.Public().(ed25519.PublicKey), cps...)
			if !rep.OK() || rep.Entries != 13 || rep.Checkpoints != 1 || rep.IndexRows != 13 {
				t.Fatalf("restored into %s: %+v", engine, rep)
			}
			for i, seq := range map[int]int64{7: 10, 102: 2} {
				views, err := dst.AuditAccesses(ctx, auditCitizen(i), 5)
				if err != nil || len(views) != 1 || views[0].Seq != seq {
					t.Fatalf("view of citizen %d after restore into %s: %+v, %v", i, engine, views, err)
				}
			}
		}
	})
}
