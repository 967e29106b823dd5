package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dancu/internal/eid"
	"dancu/internal/registry/registrytest"
	"dancu/internal/store"
	"dancu/internal/store/storetest"

	"github.com/prometheus/client_golang/prometheus"
)

// registerAPI is the API over a real register on a fresh database, with an
// admin, a commune officer for Phường Ba Đình (00004) and one for another
// commune.
type registerAPI struct {
	t       *testing.T
	srv     *httptest.Server
	tokens  map[string]string
	logs    *bytes.Buffer
	lastLoc string
}

func newRegisterAPI(t *testing.T, db *store.DB) *registerAPI {
	units := registrytest.Units(t)
	accounts := eid.NewService(db, units)
	api := &registerAPI{t: t, tokens: map[string]string{}, logs: &bytes.Buffer{}}
	for name, ra := range map[string]struct {
		role eid.Role
		area string
	}{"admin": {eid.RoleAdmin, ""}, "local": {eid.RoleCommuneOfficer, "00004"}, "elsewhere": {eid.RoleCommuneOfficer, "26737"}} {
		_, tok, err := accounts.CreateAccount(t.Context(), "Cán bộ "+name, ra.role, ra.area)
		if err != nil {
			t.Fatal(err)
		}
		api.tokens[name] = tok
	}
	h := New(Deps{
		Log:      slog.New(slog.NewTextHandler(api.logs, nil)),
		Metrics:  prometheus.NewRegistry(),
		Accounts: accounts,
		Register: registrytest.New(t, db),
	})
	api.srv = httptest.NewServer(h)
	t.Cleanup(api.srv.Close)
	return api
}

// call sends a request as who ("" for no token) and decodes the JSON
// answer into a map.
func (a *registerAPI) call(who, method, path, body string) (int, map[string]any) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[who])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	a.lastLoc = resp.Header.Get("Location")
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			a.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

const anRegistration = `{"citizen":{"pid":"001080000001","full_name":"Nguyễn Văn An","gender":"male","date_of_birth":"1980-03-04","ethnicity":"01",
	"permanent_address":{"street":"Số 1 Phố Điện Biên Phủ","commune_code":"00004","era":"2025"}},"legal_basis":"Sổ hộ khẩu số 12"}`

func TestRegisterAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		api := newRegisterAPI(t, db)
		status, ev := api.call("local", "POST", "/v1/register/events/initial_registration", anRegistration)
		if status != 201 || ev["kind"] != "initial_registration" || ev["pid"] != "001080000001" {
			t.Fatalf("register: %d %v", status, ev)
		}
		if ev["actor"] == "officer-1" || ev["actor"] == "" {
			t.Fatalf("actor %v: must be the authenticated account", ev["actor"])
		}
		if api.lastLoc != "/v1/register/citizens/001080000001/history" {
			t.Fatalf("Location %q", api.lastLoc)
		}
		status, _ = api.call("local", "POST", "/v1/register/events/name_change",
			`{"pid":"001080000001","full_name":"Nguyễn Văn Bình","legal_basis":"Quyết định 5/QĐ","effective_date":"2026-01-02"}`)
		if status != 201 {
			t.Fatalf("name change: %d", status)
		}
		status, c := api.call("local", "GET", "/v1/register/citizens/001080000001", "")
		if status != 200 || c["full_name"] != "Nguyễn Văn Bình" || c["version"] != float64(2) {
			t.Fatalf("read: %d %v", status, c)
		}
		places, _ := c["places"].(map[string]any)
		if p, _ := places["permanent_address"].(map[string]any); p == nil || !strings.Contains(p["text"].(string), "Phường Ba Đình") {
			t.Fatalf("places %v", places)
		}
		status, h := api.call("admin", "GET", "/v1/register/citizens/001080000001/history", "")
		if versions, _ := h["versions"].([]any); status != 200 || len(versions) != 2 {
			t.Fatalf("history: %d %v", status, h)
		}
		// Events carry the real clock: the record did not exist in 2000,
		// and tomorrow (in Vietnam) it reads as it does now.
		if status, p := api.call("admin", "GET", "/v1/register/citizens/001080000001/as-of/2000-01-01", ""); status != 404 {
			t.Fatalf("as-of before registration: %d %v", status, p)
		}
		tomorrow := time.Now().In(time.FixedZone("ICT", 7*3600)).AddDate(0, 0, 1).Format("2006-01-02")
		if status, old := api.call("admin", "GET", "/v1/register/citizens/001080000001/as-of/"+tomorrow, ""); status != 200 || old["full_name"] != "Nguyễn Văn Bình" {
			t.Fatalf("as-of tomorrow: %d %v", status, old)
		}
		status, found := api.call("local", "GET", "/v1/register/citizens?name=nguyen+van+binh&birth_year=1980", "")
		if list, _ := found["citizens"].([]any); status != 200 || len(list) != 1 {
			t.Fatalf("find: %d %v", status, found)
		}
		status, found = api.call("elsewhere", "GET", "/v1/register/citizens?name=nguyen+van+binh", "")
		if list, _ := found["citizens"].([]any); status != 200 || len(list) != 0 {
			t.Fatalf("find outside area must list nothing: %d %v", status, found)
		}
		hid := c["household_id"].(string)
		if status, hh := api.call("local", "GET", "/v1/register/households/"+hid, ""); status != 200 || hh["head_pid"] != "001080000001" {
			t.Fatalf("household: %d %v", status, hh)
		}
		if status, r := api.call("local", "GET", "/v1/register/citizens/001080000001/residences", ""); status != 200 || len(r["residences"].([]any)) != 1 {
			t.Fatalf("residences: %d %v", status, r)
		}
	})
}

func TestRegisterAPIErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		api := newRegisterAPI(t, db)
		if status, _ := api.call("admin", "POST", "/v1/register/events/initial_registration", anRegistration); status != 201 {
			t.Fatalf("seed: %d", status)
		}
		death := `{"pid":"001080000001","date_of_death":"2026-01-01","legal_basis":"Trích lục khai tử 1"}`
		cases := []struct {
			name, who, method, path, body string
			status                        int
			code, field                   string
		}{
			{"no token", "", "GET", "/v1/register/citizens/001080000001", "", 401, "unauthenticated", ""},
			{"malformed pid", "admin", "GET", "/v1/register/citizens/00108000000a", "", 400, "bad_pid", "pid"},
			{"unknown citizen", "admin", "GET", "/v1/register/citizens/001080999999", "", 404, "not_found", "pid"},
			{"out of area", "elsewhere", "GET", "/v1/register/citizens/001080000001", "", 403, "forbidden", ""},
			{"out of area event", "elsewhere", "POST", "/v1/register/events/death", death, 403, "forbidden", ""},
			{"unknown kind", "admin", "POST", "/v1/register/events/resurrection", "{}", 404, "not_found", ""},
			{"bad json", "admin", "POST", "/v1/register/events/death", `{"pid":`, 400, "invalid_json", ""},
			{"empty body", "admin", "POST", "/v1/register/events/death", ``, 400, "invalid_json", ""},
			{"unknown field", "admin", "POST", "/v1/register/events/death", `{"pid":"001080000001","date_of_death":"2026-01-01","cause":"x"}`, 400, "invalid_json", ""},
			{"wrong type", "admin", "POST", "/v1/register/events/death", `{"pid":1}`, 400, "invalid_json", "pid"},
			{"malformed pid in body", "admin", "POST", "/v1/register/events/death", `{"pid":"123","date_of_death":"2026-01-01"}`, 400, "invalid_pid", ""},
			{"bad date", "admin", "POST", "/v1/register/events/death", `{"pid":"001080000001","date_of_death":"2026-02-30"}`, 400, "invalid_date", ""},
			{"future date", "admin", "POST", "/v1/register/events/death", `{"pid":"001080000001","date_of_death":"2999-01-01"}`, 400, "future_date", "date_of_death"},
			{"death of nobody", "admin", "POST", "/v1/register/events/death", `{"pid":"001080999999","date_of_death":"2026-01-01"}`, 404, "not_found", "pid"},
			{"unknown commune", "admin", "POST", "/v1/register/events/initial_registration",
				strings.Replace(strings.Replace(anRegistration, "00004", "99999", 1), "000001", "000002", 1), 400, "unknown_commune", "citizen.permanent_address.commune_code"},
			{"two values", "admin", "POST", "/v1/register/events/death", death + death, 400, "invalid_json", ""},
			{"as-of bad date", "admin", "GET", "/v1/register/citizens/001080000001/as-of/yesterday", "", 400, "invalid_date", "date"},
			{"huge body", "admin", "POST", "/v1/register/events/death", `{"note":"` + strings.Repeat("a", 70<<10) + `"}`, 413, "too_large", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				api.t = t
				before, _ := db.RowCount(t.Context(), "events")
				status, p := api.call(c.who, c.method, c.path, c.body)
				if status != c.status || p["code"] != c.code {
					t.Fatalf("%d %v; want %d code %s", status, p, c.status, c.code)
				}
				if c.field != "" && p["field"] != c.field {
					t.Fatalf("field %v, want %s (%v)", p["field"], c.field, p)
				}
				if after, _ := db.RowCount(t.Context(), "events"); after != before {
					t.Fatalf("a refused request stored an event")
				}
			})
		}
		api.t = t
		if status, _ := api.call("local", "POST", "/v1/register/events/death", death); status != 201 {
			t.Fatalf("death: %d", status)
		}
		status, p := api.call("local", "POST", "/v1/register/events/death", death)
		if status != 422 || p["code"] != "already_deceased" || p["field"] != "pid" {
			t.Fatalf("second death: %d %v", status, p)
		}
		if strings.Contains(api.logs.String(), "001080000001") {
			t.Fatalf("a personal ID number reached the log:\n%s", api.logs)
		}
	})
}
