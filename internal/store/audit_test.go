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
		tamper string
		args   []any
		kind   string
		seq    int64
		reason string
	}{
		{"edited purpose", `UPDATE audit_entries SET purpose = 'marketing' WHERE chain = 0 AND seq = $1`, []any{5},
			audit.KindEntry, 5, "stored hash"},
		{"edited time", `UPDATE audit_entries SET at = at + 1 WHERE chain = 0 AND seq = $1`, []any{3},
			audit.KindEntry, 3, "stored hash"},
		{"two edits, the first is named", `UPDATE audit_entries SET agency_id = 'nobody' WHERE chain = 0 AND seq IN ($1, $2)`, []any{4, 9},
			audit.KindEntry, 4, "stored hash"},
		{"deleted entry", `DELETE FROM audit_entries WHERE chain = 0 AND seq = $1`, []any{7},
			audit.KindEntry, 7, "missing"},
		{"access list cut", `UPDATE audit_entries SET accesses = substr(accesses, 1, 10) WHERE chain = 0 AND seq = $1`, []any{2},
			audit.KindEntry, 2, "does not decode"},
		{"entries removed after the last checkpoint's head", `DELETE FROM audit_entries WHERE chain = 0 AND seq > $1`, []any{6},
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
				if err := db.ExecRaw(context.Background(), tc.tamper, tc.args...); err != nil {
					t.Fatal(err)
				}
				p := firstProblem(t, verifyAudit(t, db, key.Public().(ed25519.PublicKey)))
				if p.Kind != tc.kind || p.Chain != 0 || p.Seq != tc.seq || !strings.Contains(p.Reason, tc.reason) {
					t.Fatalf("problem %+v, want %s at chain 0 seq %d mentioning %q", p, tc.kind, tc.seq, tc.reason)
				}
			})
		})
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
		// Chain 3's entries written straight to the store, never indexed.
		err := db.AppendAudit(ctx, 3, func(head audit.Head) ([]audit.Entry, error) {
			var out []audit.Entry
			prev := head.Hash
			for i := 1; i <= 5; i++ {
				e := audit.Entry{Chain: 3, Seq: head.Seq + int64(i), Record: auditRecord(i), PrevHash: prev}
				e.At = time.Date(2026, 3, 2, 0, 0, i, 0, time.UTC)
				e.Hash = e.ComputeHash()
				prev = e.Hash
				out = append(out, e)
			}
			return out, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		views, err := db.AuditAccesses(ctx, auditCitizen(2), 10)
		if err != nil || len(views) != 1 || views[0].Chain != 3 || views[0].Seq != 2 || views[0].Result != "match" {
			t.Fatalf("unindexed entry's view: %+v, %v", views, err)
		}
		pub := key.Public().(ed25519.PublicKey)
		if rep := verifyAudit(t, db, pub); !rep.OK() || rep.Unindexed != 5 || rep.IndexRows != 0 {
			t.Fatalf("before indexing: %+v", rep)
		}

		fillAuditLog(t, db, key, 4) // chain 0; Close indexes chain 3 too
		marks, err := db.AuditIndexWatermarks(ctx)
		if err != nil || marks[3] != 5 || marks[0] != 4 {
			t.Fatalf("watermarks %v, %v", marks, err)
		}
		views, err = db.AuditAccesses(ctx, auditCitizen(2), 10)
		if err != nil || len(views) != 2 {
			t.Fatalf("views after indexing: %+v, %v", views, err)
		}
		if rep := verifyAudit(t, db, pub); !rep.OK() || rep.Unindexed != 0 || rep.IndexRows != 9 || rep.Chains != 2 {
			t.Fatalf("after indexing: %+v", rep)
		}
	})
}

// rewriteAuditEntry changes who made entry seq of chain 0 and recomputes
// the hash of it and of every later entry, and the head, as an insider
// with the code would.
func rewriteAuditEntry(t *testing.T, db *store.DB, seq int64) {
	t.Helper()
	ctx := context.Background()
	if err := db.ExecRaw(ctx, `UPDATE audit_entries SET agency_id = 'agency-someone-else' WHERE chain = 0 AND seq = $1`, seq); err != nil {
		t.Fatal(err)
	}
	var entries []audit.Entry
	if err := db.ScanAudit(ctx, func(e audit.Entry) error {
		if e.Chain == 0 {
			entries = append(entries, e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var prev [32]byte
	for _, e := range entries {
		e.PrevHash = prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
		if err := db.ExecRaw(ctx, `UPDATE audit_entries SET hash = $1 WHERE chain = 0 AND seq = $2`, e.Hash[:], e.Seq); err != nil {
			t.Fatal(err)
		}
	}
	last := entries[len(entries)-1]
	if err := db.ExecRaw(ctx, `UPDATE audit_heads SET hash = $1 WHERE chain = 0`, last.Hash[:]); err != nil {
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
	if err := db.ScanAudit(ctx, func(e audit.Entry) error {
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
// engine) still verifies against the checkpoints taken before the backup.
func TestAuditSurvivesBackupAndRestore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.DB) {
		ctx := context.Background()
		key := auditKey(1)
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
			if !rep.OK() || rep.Entries != 10 || rep.Checkpoints != 1 || rep.IndexRows != 10 {
				t.Fatalf("restored into %s: %+v", engine, rep)
			}
			views, err := dst.AuditAccesses(ctx, auditCitizen(7), 5)
			if err != nil || len(views) != 1 || views[0].Seq != 7 {
				t.Fatalf("view after restore into %s: %+v, %v", engine, views, err)
			}
		}
	})
}
