package httpapi

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dancu/internal/access"
	"dancu/internal/agency"
	"dancu/internal/audit"
	"dancu/internal/eid"
	"dancu/internal/registry"
	"dancu/internal/registry/registrytest"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
	"dancu/internal/usage"
	"dancu/internal/verify"

	"github.com/prometheus/client_golang/prometheus"
)

// agencyAPI is the agencies' endpoints over a real register, audit log
// and index on a fresh database, with one citizen, an admin, a commune
// officer elsewhere, and a bank whose key may verify and look up a few
// fields for kyc.
type agencyAPI struct {
	t      *testing.T
	db     *store.DB
	srv    *httptest.Server
	admin  string
	other  string
	key    string
	bank   agency.Agency
	svc    *agency.Service
	log    *audit.Log
	pub    ed25519.PublicKey
	index  *verify.Index
	access *access.Service
}

const anPID = "001080000001"

func newAgencyAPI(t *testing.T, db *store.DB) *agencyAPI {
	ctx := t.Context()
	units := registrytest.Units(t)
	reg := registrytest.New(t, db)
	accounts := eid.NewService(db, units)
	a := &agencyAPI{t: t, db: db}
	var err error
	if _, a.admin, err = accounts.CreateAccount(ctx, "Quản trị", eid.RoleAdmin, ""); err != nil {
		t.Fatal(err)
	}
	if _, a.other, err = accounts.CreateAccount(ctx, "Cán bộ xã khác", eid.RoleCommuneOfficer, "26737"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.RegisterInitial(ctx, registry.InitialRegistration{Meta: registry.Meta{Actor: "test", LegalBasis: "test"},
		Citizen: registry.Citizen{PID: anPID, FullName: "Nguyễn Văn An", Gender: 1, DateOfBirth: registry.MustDate("1980-03-04"),
			Ethnicity: "01", Phone: "0912345678",
			PermanentAddress: registry.Address{Street: "Số 1 Phố Điện Biên Phủ", CommuneCode: "00004", Era: "2025"}}}); err != nil {
		t.Fatal(err)
	}
	a.svc = agency.NewService(db, agency.Options{Fields: registry.RecordFields})
	a.bank, _, a.key, err = a.svc.Add(ctx, agency.NewAgency{Name: "Ngân hàng A", Kind: agency.KindBank, Approved: true,
		Scope: agency.Scope{Operations: []agency.Operation{agency.OpVerify, agency.OpLookup, agency.OpBatch},
			Fields: []string{"pid", "full_name", "date_of_birth", "gender", "phone"}, Purposes: []string{"kyc"}}})
	if err != nil {
		t.Fatal(err)
	}
	var priv ed25519.PrivateKey
	a.pub, priv, _ = ed25519.GenerateKey(rand.Reader)
	if a.log, err = audit.Open(ctx, db, priv, audit.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.log.Close() })
	a.index = verify.NewIndex(units)
	if _, err := a.index.Build(ctx, db.EachCitizenBrief); err != nil {
		t.Fatal(err)
	}
	counts := usage.New(db, nil)
	a.access = access.New(a.index, a.log, counts, reg)
	a.access.SetReady()
	h := New(Deps{
		Log:      slog.New(slog.DiscardHandler),
		Metrics:  prometheus.NewRegistry(),
		Accounts: accounts,
		Register: reg,
		Agencies: a.svc,
		Access:   a.access,
		Audit:    a.log,
		Usage:    counts,
	})
	a.srv = httptest.NewServer(h)
	t.Cleanup(a.srv.Close)
	return a
}

// call sends body with the bearer token and returns the status, headers
// and body.
func (a *agencyAPI) call(token, path, contentType string, body io.Reader) (int, http.Header, []byte) {
	a.t.Helper()
	method := "POST"
	if body == nil {
		method = "GET"
	}
	req, err := http.NewRequest(method, a.srv.URL+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, raw
}

func (a *agencyAPI) json(token, path, body string) (int, map[string]any) {
	a.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	status, _, raw := a.call(token, path, "application/json", r)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("%s: not JSON (%d): %.300s", path, status, raw)
	}
	return status, out
}

func verdict(res map[string]any, field string) string {
	f, _ := res["fields"].(map[string]any)[field].(map[string]any)
	v, _ := f["verdict"].(string)
	return v
}

func TestVerifyAndLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAgencyAPI(t, db)
		status, res := a.json(a.key, "/v1/verify",
			`{"purpose":"kyc","pid":"001080000001","full_name":"NGUYỄN  VĂN AN","date_of_birth":"1980-03","gender":"male"}`)
		if status != 200 || res["result"] != "match" || res["deceased"] != false || res["request_id"] == "" {
			t.Fatalf("verify: %d %v", status, res)
		}
		// Without diacritics: a mismatch that says it agrees folded.
		status, res = a.json(a.key, "/v1/verify", `{"purpose":"kyc","pid":"001080000001","full_name":"Nguyen Van An","phone":"+84 912 345 678"}`)
		name, _ := res["fields"].(map[string]any)["full_name"].(map[string]any)
		if status != 200 || res["result"] != "mismatch" || name["folded"] != true || name["exact"] != false || verdict(res, "phone") != "match" {
			t.Fatalf("folded: %d %v", status, res)
		}
		if bytes.Contains(mustJSON(res), []byte("Nguyễn")) {
			t.Fatalf("verify returned a register value: %v", res)
		}
		status, res = a.json(a.key, "/v1/verify", `{"purpose":"kyc","pid":"001080000009"}`)
		if status != 200 || res["result"] != "not_found" {
			t.Fatalf("unknown pid: %d %v", status, res)
		}
		status, res = a.json(a.key, "/v1/lookup", `{"purpose":"kyc","pid":"001080000001","fields":["full_name","phone"]}`)
		rec, _ := res["record"].(map[string]any)
		if status != 200 || res["result"] != "found" || rec["full_name"] != "Nguyễn Văn An" || rec["phone"] != "0912345678" || len(rec) != 2 {
			t.Fatalf("lookup: %d %v", status, res)
		}
		// Every answer is in the citizen's access view, newest first.
		status, acc := a.json(a.admin, "/v1/register/citizens/"+anPID+"/accesses", "")
		list, _ := acc["accesses"].([]any)
		if status != 200 || len(list) != 3 || list[0].(map[string]any)["operation"] != "lookup" ||
			list[2].(map[string]any)["agency_id"] != a.bank.ID || list[2].(map[string]any)["purpose"] != "kyc" {
			t.Fatalf("accesses: %d %v", status, acc)
		}
		if status, _ := a.json(a.other, "/v1/register/citizens/"+anPID+"/accesses", ""); status != 403 {
			t.Fatalf("accesses by an officer of another commune: %d", status)
		}
		// Statistics, for admins.
		status, st := a.json(a.admin, "/v1/stats", "")
		total, _ := st["total"].(map[string]any)
		if status != 200 || total["requests"] != float64(4) || total["exact_matches"] != float64(1) || total["not_found"] != float64(1) ||
			total["field_mismatches"].(map[string]any)["full_name"] != float64(1) {
			t.Fatalf("stats: %d %v", status, st)
		}
		if status, _ := a.json(a.other, "/v1/stats", ""); status != 403 {
			t.Fatalf("stats for an officer: %d", status)
		}
		rep, err := audit.Verify(t.Context(), db, a.pub, nil)
		if err != nil || !rep.OK() || rep.Entries != 4 {
			t.Fatalf("audit: %+v, %v", rep, err)
		}
	})
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// Bad input gets a problem document naming it, and nothing is recorded.
func TestVerifyRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAgencyAPI(t, db)
		for _, c := range []struct {
			name, token, path, body string
			status                  int
			code                    string
		}{
			{"no key", "", "/v1/verify", `{"purpose":"kyc","pid":"001080000001"}`, 401, "unauthenticated"},
			{"unknown key", "dancu_key_" + strings.Repeat("a", 52), "/v1/verify", `{"purpose":"kyc","pid":"001080000001"}`, 401, "unauthenticated"},
			{"an officer's token", a.admin, "/v1/verify", `{"purpose":"kyc","pid":"001080000001"}`, 401, "unauthenticated"},
			{"invalid JSON", a.key, "/v1/verify", `{"purpose":"kyc",`, 400, "invalid_json"},
			{"unknown field", a.key, "/v1/verify", `{"purpose":"kyc","pid":"001080000001","nickname":"An"}`, 400, "invalid_json"},
			{"pid with letters", a.key, "/v1/verify", `{"purpose":"kyc","pid":"00108000000A"}`, 400, ""},
			{"no purpose", a.key, "/v1/verify", `{"pid":"001080000001"}`, 400, "missing_purpose"},
			{"undeclared purpose", a.key, "/v1/verify", `{"purpose":"marketing","pid":"001080000001"}`, 403, "out_of_scope"},
			{"field outside scope", a.key, "/v1/verify", `{"purpose":"kyc","pid":"001080000001","permanent_address":"Hà Nội"}`, 403, "out_of_scope"},
			{"lookup field outside scope", a.key, "/v1/lookup", `{"purpose":"kyc","pid":"001080000001","fields":["email"]}`, 403, "out_of_scope"},
			{"lookup unknown field", a.key, "/v1/lookup", `{"purpose":"kyc","pid":"001080000001","fields":["salary"]}`, 400, "unknown_field"},
		} {
			status, p := a.json(c.token, c.path, c.body)
			if status != c.status || (c.code != "" && p["code"] != c.code) || p["detail"] == "" {
				t.Errorf("%s: %d %v, want %d %s", c.name, status, p, c.status, c.code)
			}
		}
		status, p := a.json(a.key, "/v1/verify", `{"purpose":"kyc","pid":"001080000001","permanent_address":"Hà Nội"}`)
		if detail, _ := p["detail"].(string); status != 403 || !strings.Contains(detail, "permanent_address") {
			t.Errorf("the refusal must name the missing field: %v", p)
		}
		// A 50 MB body is refused without being read whole.
		big := io.MultiReader(strings.NewReader(`{"purpose":"kyc","full_name":"`), io.LimitReader(zeros{}, 50<<20))
		if status, _, raw := a.call(a.key, "/v1/verify", "application/json", big); status != 413 {
			t.Errorf("50 MB body: %d %s", status, raw)
		}
		rep, err := audit.Verify(t.Context(), db, a.pub, nil)
		if err != nil || !rep.OK() || rep.Entries != 0 {
			t.Fatalf("refused requests were recorded: %+v, %v", rep, err)
		}

		// A revoked key and a suspended agency are refused at once.
		k, key2, err := a.svc.IssueKey(t.Context(), a.bank.ID, agency.Scope{Operations: []agency.Operation{agency.OpVerify},
			Fields: []string{"pid"}, Purposes: []string{"kyc"}}, 0, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if status, _ := a.json(key2, "/v1/verify", `{"purpose":"kyc","pid":"001080000001"}`); status != 200 {
			t.Fatalf("second key: %d", status)
		}
		if status, _ := a.json(a.admin, "/v1/admin/keys/"+k.ID+"/revoke", "{}"); status != 200 {
			t.Fatalf("revoke: %d", status)
		}
		if status, _ := a.json(key2, "/v1/verify", `{"purpose":"kyc","pid":"001080000001"}`); status != 401 {
			t.Fatalf("revoked key: %d", status)
		}
		if status, _ := a.json(a.admin, "/v1/admin/agencies/"+a.bank.ID+"/suspend", "{}"); status != 200 {
			t.Fatalf("suspend: %d", status)
		}
		if status, _ := a.json(a.key, "/v1/verify", `{"purpose":"kyc","pid":"001080000001"}`); status != 401 {
			t.Fatalf("key of a suspended agency: %d", status)
		}
		if status, _ := a.json(a.admin, "/v1/admin/agencies/"+a.bank.ID+"/approve", "{}"); status != 200 {
			t.Fatalf("approve: %d", status)
		}
		if status, _ := a.json(a.key, "/v1/verify", `{"purpose":"kyc","pid":"001080000001"}`); status != 200 {
			t.Fatalf("key after approval: %d", status)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// Onboarding through the admin API: a new agency is pending until
// approved, and its key works only then; a rate limit answers 429 with
// Retry-After.
func TestAgencyAdminAndRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAgencyAPI(t, db)
		status, created := a.json(a.admin, "/v1/admin/agencies", `{"name":"Nhà mạng B","kind":"telecom","operations":["verify"],
			"fields":["pid","full_name"],"purposes":["sim-registration"],"rate_limit":1}`)
		key, _ := created["key"].(string)
		id, _ := created["agency_id"].(string)
		if status != 201 || created["status"] != "pending" || key == "" {
			t.Fatalf("create: %d %v", status, created)
		}
		if status, _ := a.json(a.other, "/v1/admin/agencies", `{"name":"X","kind":"bank"}`); status != 403 {
			t.Fatalf("an officer onboarding an agency: %d", status)
		}
		if status, p := a.json(a.admin, "/v1/admin/agencies", `{"name":"X","kind":"casino","operations":["verify"],"fields":["pid"],"purposes":["kyc"]}`); status != 400 {
			t.Fatalf("unknown kind: %d %v", status, p)
		}
		body := `{"purpose":"sim-registration","pid":"001080000001"}`
		if status, _ := a.json(key, "/v1/verify", body); status != 401 {
			t.Fatalf("pending agency's key: %d", status)
		}
		if status, _ := a.json(a.admin, "/v1/admin/agencies/"+id+"/approve", "{}"); status != 200 {
			t.Fatal("approve")
		}
		if status, list := a.json(a.admin, "/v1/admin/agencies", ""); status != 200 || len(list["agencies"].([]any)) != 2 {
			t.Fatalf("list: %d %v", status, list)
		}
		// One request a second: the second in a row is refused.
		var limited bool
		for range 3 {
			status, h, _ := a.call(key, "/v1/verify", "application/json", strings.NewReader(body))
			if status == 429 {
				limited = h.Get("Retry-After") != ""
				break
			}
			if status != 200 {
				t.Fatalf("verify: %d", status)
			}
		}
		if !limited {
			t.Fatal("no 429 with Retry-After over the rate limit")
		}
	})
}

// A batch streams a result per row in order, an error row for a bad one,
// and a summary; every verified row is in its citizen's access view.
func TestVerifyBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAgencyAPI(t, db)
		csv := "record_key,pid,full_name,date_of_birth,gender\n" +
			"K1,001080000001,Nguyễn Văn An,1980-03-04,male\n" +
			"K2,001080000001,Nguyễn Văn Ân,1980,male\n" +
			"K3,001080000009,Trần Thị B,1990,female\n" +
			"K4,001080000001,Nguyễn Văn An,04/03/1980,male\n" +
			"K5,001080000001,\"An\",1980,male,extra\n" +
			"K6,0010800000XY,An,1980,male\n"
		status, _, raw := a.call(a.key, "/v1/verify/batch?purpose=kyc", "text/csv", strings.NewReader(csv))
		if status != 200 {
			t.Fatalf("batch: %d %s", status, raw)
		}
		var lines []map[string]any
		sc := bufio.NewScanner(bytes.NewReader(raw))
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			lines = append(lines, m)
		}
		want := []string{"match", "mismatch", "not_found", "error", "error", "error"}
		if len(lines) != len(want)+1 {
			t.Fatalf("%d lines:\n%s", len(lines), raw)
		}
		for i, w := range want {
			key, _ := lines[i]["record_key"].(string)
			if lines[i]["result"] != w || lines[i]["line"] != float64(i+2) || key != []string{"K1", "K2", "K3", "K4", "", "K6"}[i] {
				t.Errorf("line %d: %v, want %s", i+2, lines[i], w)
			}
		}
		sum, _ := lines[len(lines)-1]["summary"].(map[string]any)
		if sum["total"] != float64(6) || sum["exact_match"] != float64(1) || sum["mismatch"] != float64(1) || sum["not_found"] != float64(1) ||
			sum["errors"] != float64(3) || sum["mismatch_by_field"].(map[string]any)["full_name"] != float64(1) {
			t.Fatalf("summary %v", sum)
		}
		status, acc := a.json(a.admin, "/v1/register/citizens/"+anPID+"/accesses", "")
		if list, _ := acc["accesses"].([]any); status != 200 || len(list) != 2 || list[0].(map[string]any)["operation"] != "batch" {
			t.Fatalf("accesses after the batch: %d %v", status, acc)
		}
		// NDJSON, purpose per row; a key without the batch operation is refused.
		nd := `{"purpose":"kyc","pid":"001080000001","gender":"male"}` + "\n" + `{"pid":"001080000001","nickname":"x"}` + "\n"
		status, _, raw = a.call(a.key, "/v1/verify/batch", "application/x-ndjson", strings.NewReader(nd))
		if status != 200 || !bytes.Contains(raw, []byte(`"result":"match"`)) || !bytes.Contains(raw, []byte("unknown field")) {
			t.Fatalf("ndjson batch: %d %s", status, raw)
		}
		_, key2, err := a.svc.IssueKey(t.Context(), a.bank.ID, agency.Scope{Operations: []agency.Operation{agency.OpVerify},
			Fields: []string{"pid"}, Purposes: []string{"kyc"}}, 0, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if status, _, raw := a.call(key2, "/v1/verify/batch?purpose=kyc", "text/csv", strings.NewReader(csv)); status != 403 {
			t.Fatalf("batch without the batch operation: %d %s", status, raw)
		}
		if status, _, _ := a.call(a.key, "/v1/verify/batch", "application/pdf", strings.NewReader(csv)); status != 400 {
			t.Fatalf("batch of an unknown format: %d", status)
		}
		rep, err := audit.Verify(t.Context(), db, a.pub, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("audit: %+v, %v", rep, err)
		}
	})
}

// Until the index is built, verification answers 503, not "not found".
func TestVerifyNotReady(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAgencyAPI(t, db)
		fresh := access.New(verify.NewIndex(registrytest.Units(t)), a.log, nil, nil)
		h := New(Deps{Log: slog.New(slog.DiscardHandler), Metrics: prometheus.NewRegistry(), Agencies: a.svc, Access: fresh})
		srv := httptest.NewServer(h)
		defer srv.Close()
		req, _ := http.NewRequest("POST", srv.URL+"/v1/verify", strings.NewReader(`{"purpose":"kyc","pid":"001080000001"}`))
		req.Header.Set("Authorization", "Bearer "+a.key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("verify before the index is built: %d", resp.StatusCode)
		}
	})
}
