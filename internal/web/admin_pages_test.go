package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dancu/internal/agency"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
	"dancu/internal/usage"
	"dancu/internal/web"
)

// The administrators' pages: the usage statistics of connected agencies
// and the agencies with their keys, on fakes of their services.

const (
	bankID     = "01JBANK0000000000000000000"
	telecomID  = "01JTELECOM0000000000000000"
	ministryID = "01JMINISTRY000000000000000"
)

// The services the app wires in satisfy the pages' interfaces.
var (
	_ web.UsageReader = (*usage.Recorder)(nil)
	_ web.AgencyAdmin = (*agency.Service)(nil)
)

// fakeUsage answers the rows its filter selects, and remembers the
// filters it was asked.
type fakeUsage struct {
	mu      sync.Mutex
	rows    []usage.Row
	err     error
	filters []usage.Filter
}

func (f *fakeUsage) Query(_ context.Context, flt usage.Filter) ([]usage.Row, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.filters = append(f.filters, flt)
	if f.err != nil {
		return nil, f.err
	}
	var out []usage.Row
	for _, r := range f.rows {
		if (flt.From == "" || r.Day >= flt.From) && (flt.To == "" || r.Day <= flt.To) &&
			(flt.AgencyID == "" || r.AgencyID == flt.AgencyID) && (flt.Operation == "" || r.Operation == flt.Operation) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeUsage) asked() []usage.Filter {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.filters)
}

func sampleUsage() *fakeUsage {
	return &fakeUsage{rows: []usage.Row{
		{Day: "2026-06-01", AgencyID: bankID, Operation: "verify", Counts: usage.Counts{
			Requests: 1234, Matches: 1000, Mismatches: 200, NotFound: 30, Deceased: 2, Errors: 4,
			FieldMismatches: map[string]int64{"full_name": 150, "date_of_birth": 60, "phone": 10, "gender": 5},
		}},
		{Day: "2026-06-01", AgencyID: telecomID, Operation: "lookup", Counts: usage.Counts{Requests: 50, Found: 45, NotFound: 5}},
		{Day: "2026-06-03", AgencyID: bankID, Operation: "batch", Counts: usage.Counts{
			Requests: 10, Matches: 7, Mismatches: 3, FieldMismatches: map[string]int64{"permanent_address": 3},
		}},
		// An agency the list does not know (removed since) shows its ID.
		{Day: "2026-06-03", AgencyID: "01JGONE", Operation: "verify", Counts: usage.Counts{Requests: 1, Matches: 1}},
	}}
}

// fakeAgencies keeps listings in memory and remembers what it was asked
// to do.
type fakeAgencies struct {
	mu       sync.Mutex
	listings []agency.Listing
	calls    []string
}

func (f *fakeAgencies) List(context.Context) ([]agency.Listing, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.listings)
	for i := range out {
		out[i].Keys = slices.Clone(out[i].Keys)
	}
	return out, nil
}

func (f *fakeAgencies) setStatus(id string, s agency.Status, verb string) (agency.Agency, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, verb+" "+id)
	for i := range f.listings {
		if f.listings[i].ID == id {
			f.listings[i].Status = s
			f.listings[i].UpdatedAt = time.Date(2026, 6, 20, 8, 0, 0, 0, ict)
			return f.listings[i].Agency, nil
		}
	}
	return agency.Agency{}, fmt.Errorf("%s agency %s: %w", verb, id, agency.ErrNotFound)
}

func (f *fakeAgencies) Approve(_ context.Context, id string) (agency.Agency, error) {
	return f.setStatus(id, agency.StatusApproved, "approve")
}

func (f *fakeAgencies) Suspend(_ context.Context, id string) (agency.Agency, error) {
	return f.setStatus(id, agency.StatusSuspended, "suspend")
}

func (f *fakeAgencies) RevokeKey(_ context.Context, keyID string) (agency.Key, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "revoke "+keyID)
	for i := range f.listings {
		for j := range f.listings[i].Keys {
			if k := &f.listings[i].Keys[j]; k.ID == keyID {
				if k.RevokedAt.IsZero() {
					k.RevokedAt = time.Date(2026, 6, 20, 8, 0, 0, 0, ict)
				}
				return *k, nil
			}
		}
	}
	return agency.Key{}, fmt.Errorf("revoke key %s: %w", keyID, agency.ErrNotFound)
}

func (f *fakeAgencies) done() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func sampleAgencies() *fakeAgencies {
	at := func(d, hm string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", d+" "+hm, ict)
		if err != nil {
			panic(err)
		}
		return t
	}
	return &fakeAgencies{listings: []agency.Listing{
		{
			Agency: agency.Agency{ID: bankID, Name: "Ngân hàng Thử nghiệm", Kind: agency.KindBank, Status: agency.StatusApproved,
				CreatedAt: at("2026-05-01", "09:00"), UpdatedAt: at("2026-05-02", "10:30")},
			Keys: []agency.Key{
				{ID: "key-live", AgencyID: bankID, Prefix: "dancu_key_k3xa", RateLimit: 100, CreatedAt: at("2026-05-01", "09:00"),
					Scope: agency.Scope{Operations: []agency.Operation{agency.OpVerify, agency.OpLookup},
						Fields: []string{"pid", "full_name", "date_of_birth", "id_card_issue_date"}, Purposes: []string{"kyc", "aml-check"}}},
				{ID: "key-old", AgencyID: bankID, Prefix: "dancu_key_0ld1", CreatedAt: at("2026-05-01", "09:00"),
					RevokedAt: at("2026-05-20", "16:45"), Scope: agency.Scope{Operations: []agency.Operation{agency.OpBatch}, Fields: []string{"pid"}, Purposes: []string{"kyc"}}},
				{ID: "key-expired", AgencyID: bankID, Prefix: "dancu_key_exp1", CreatedAt: at("2019-05-01", "09:00"),
					ExpiresAt: at("2020-01-01", "00:00"), Scope: agency.Scope{Operations: []agency.Operation{agency.OpVerify}, Fields: []string{"pid"}, Purposes: []string{"kyc"}}},
			},
		},
		{Agency: agency.Agency{ID: telecomID, Name: "Viễn thông <Thử> & Co", Kind: agency.KindTelecom, Status: agency.StatusPending,
			CreatedAt: at("2026-06-01", "08:00"), UpdatedAt: at("2026-06-01", "08:00")}},
		{
			Agency: agency.Agency{ID: ministryID, Name: "Bộ Y tế", Kind: agency.KindMinistry, Status: agency.StatusSuspended,
				CreatedAt: at("2026-04-01", "08:00"), UpdatedAt: at("2026-06-10", "08:00")},
			Keys: []agency.Key{{ID: "key-moh", AgencyID: ministryID, Prefix: "dancu_key_moh1", CreatedAt: at("2026-04-01", "08:00"),
				ExpiresAt: at("2099-12-31", "00:00"), Scope: agency.Scope{Operations: []agency.Operation{agency.OpSync}, Fields: []string{"pid", "status"}, Purposes: []string{"health-insurance"}}}},
		},
	}}
}

// withAdminPages wires the fakes that are not nil into the pages.
func withAdminPages(u *fakeUsage, a *fakeAgencies) func(*web.Deps) {
	return func(d *web.Deps) {
		if u != nil {
			d.Usage = u
		}
		if a != nil {
			d.Agencies = a
		}
	}
}

func TestStatsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u, ag := sampleUsage(), sampleAgencies()
		e := newEnv(t, db, withAdminPages(u, ag))
		b := e.browser()
		b.login(e.admin)

		r := b.get("/officer/stats?from=2026-06-01&to=2026-06-03")
		if r.status != http.StatusOK {
			t.Fatalf("stats: %d", r.status)
		}
		checkPage(t, "stats", r)
		if got := u.asked(); len(got) != 1 || got[0] != (usage.Filter{From: "2026-06-01", To: "2026-06-03"}) {
			t.Fatalf("asked %+v", got)
		}
		contains(t, "stats vi", r, `<html lang="vi">`, "<h1>Thống kê sử dụng của cơ quan kết nối</h1>",
			`<a href="/officer/stats" aria-current="page">Thống kê kết nối</a>`, `<a href="/officer/agencies">Cơ quan kết nối</a>`,
			// The filter, as a GET form with labelled fields.
			`<form method="get" action="/officer/stats"`, `<label for="from">Từ ngày</label>`, `value="2026-06-01"`,
			`<label for="agency">Cơ quan</label>`, `<option value="" selected>Tất cả cơ quan</option>`,
			`<option value="`+bankID+`">Ngân hàng Thử nghiệm</option>`, `<option value="verify">Xác thực</option>`,
			"Từ 01/06/2026 đến 03/06/2026",
			// Totals, with thousands grouped the Vietnamese way.
			`<span class="summary-count">1.295</span>`, "(77,8%)", "Các trường thông tin sai lệch nhiều nhất:",
			"<strong>Họ và tên</strong> (150), <strong>Ngày sinh</strong> (60)",
			// The chart: an image with a text alternative and a key.
			`role="img" aria-labelledby="chart-title" aria-describedby="chart-desc"`,
			`<title id="chart-title">Biểu đồ cột chồng: số yêu cầu mỗi ngày từ 01/06/2026 đến 03/06/2026</title>`,
			"Tổng cộng 1.295 yêu cầu: 1.008 khớp hoàn toàn, 203 không khớp, 35 không tìm thấy.",
			`<title>01/06/2026: 1.284 yêu cầu (1.000 khớp hoàn toàn, 200 không khớp, 35 không tìm thấy, 49 khác)</title>`,
			`<title>02/06/2026: 0 yêu cầu`, `class="seg seg-mismatch"`, `fill="url(#hatch)"`, "Chú giải", `href="#table-heading"`,
			// The table: headers with scope, a row per day × agency × operation, totals.
			`<th scope="col">Ngày</th>`, `<th scope="col" class="num">Khớp hoàn toàn</th>`,
			`<th scope="row"><time datetime="2026-06-01">01/06/2026</time></th>`, `<td class="name">Ngân hàng Thử nghiệm</td>`, `<td class="op">Xác thực</td>`,
			`<td class="num">1.234</td>`, "Họ và tên (150), Ngày sinh (60), Điện thoại (10)", `<td class="op">Tra cứu</td>`, `<td class="op">Xác thực theo lô</td>`,
			"Nơi thường trú (3)", `<td class="name">01JGONE</td>`, `<th scope="row" colspan="3">Tổng cộng</th>`,
			`role="region" aria-labelledby="stats-caption" tabindex="0"`)
		// The table and the chart hold only what the filter selects.
		if strings.Count(r.body, `<th scope="row"><time`) != 4 {
			t.Errorf("stats: %d rows, want 4", strings.Count(r.body, `<th scope="row"><time`))
		}

		// English, with the filter narrowed to one agency and operation.
		r = b.get("/officer/stats?lang=en&from=2026-06-01&to=2026-06-03&agency=" + bankID + "&operation=verify")
		checkPage(t, "stats en", r)
		if got := u.asked(); got[len(got)-1] != (usage.Filter{From: "2026-06-01", To: "2026-06-03", AgencyID: bankID, Operation: "verify"}) {
			t.Fatalf("asked %+v", got[len(got)-1])
		}
		contains(t, "stats en", r, `<html lang="en">`, "<h1>Usage by connected agencies</h1>", "Agency statistics",
			"From 2026-06-01 to 2026-06-03", `<option value="`+bankID+`" selected>`, `<option value="verify" selected>Verify</option>`,
			`<span class="summary-count">1,234</span>`, "(81.0%)", "Exact matches", "Mismatches", "Not found", "Most discrepant fields",
			"Full name (150), Date of birth (60), Phone (10)", "Stacked bar chart: requests per day from 2026-06-01 to 2026-06-03",
			"Requests of connected agencies from 2026-06-01 to 2026-06-03", `<time datetime="2026-06-01">2026-06-01</time>`)
		if strings.Contains(r.body, "Xác thực theo lô") || strings.Contains(r.body, ">Batch verify</td>") {
			t.Error("stats en: the operation filter let batch through")
		}

		// Without dates, the last 30 days, today included (Vietnam time).
		b.get("/officer/stats?lang=vi")
		today := time.Now().In(ict)
		want := usage.Filter{From: today.AddDate(0, 0, -29).Format(time.DateOnly), To: today.Format(time.DateOnly)}
		if got := u.asked(); got[len(got)-1] != want {
			t.Errorf("default period %+v, want %+v", got[len(got)-1], want)
		}

		// A bad filter is explained at its field, and nothing is read.
		asked := len(u.asked())
		for q, msg := range map[string]string{
			"from=2026-13-01":                  "Nhập một ngày đầy đủ",
			"to=yesterday":                     "Nhập một ngày đầy đủ",
			"from=2026-06-05&to=2026-06-01":    "Ngày bắt đầu phải trước hoặc trùng ngày kết thúc.",
			"from=2024-01-01&to=2026-06-01":    "Khoảng thời gian dài nhất là 366 ngày.",
			"operation=teleport":               "Hãy chọn một loại yêu cầu trong danh sách.",
			"agency=" + url.QueryEscape("<x>"): "Không có cơ quan này",
		} {
			r = b.get("/officer/stats?" + q)
			if r.status != http.StatusBadRequest {
				t.Errorf("stats?%s: %d", q, r.status)
			}
			checkPage(t, "stats error", r)
			contains(t, "stats?"+q, r, msg, `class="error-summary" role="alert"`, `aria-invalid="true"`, "<title>Lỗi: ")
			if strings.Contains(r.body, "<svg") {
				t.Errorf("stats?%s: shows a chart", q)
			}
		}
		if n := len(u.asked()); n != asked {
			t.Errorf("a refused filter read the statistics %d times", n-asked)
		}

		// A year of 366 days is allowed.
		if r = b.get("/officer/stats?from=2024-01-01&to=2024-12-31"); r.status != http.StatusOK {
			t.Errorf("366 days: %d", r.status)
		}

		// Empty state.
		r = b.get("/officer/stats?from=2025-01-01&to=2025-01-31")
		checkPage(t, "stats empty", r)
		contains(t, "stats empty", r, "<strong>Từ 01/01/2025 đến 31/01/2025</strong> — không có yêu cầu nào.")
		for _, no := range []string{"<svg", "<table", "summary-count"} {
			if strings.Contains(r.body, no) {
				t.Errorf("empty stats page has %s", no)
			}
		}

		// A failing store is the 500 page.
		u.mu.Lock()
		u.err = errors.New("disk on fire")
		u.mu.Unlock()
		if r = b.get("/officer/stats"); r.status != http.StatusInternalServerError {
			t.Errorf("failing usage: %d", r.status)
		}
	})
}

// TestStatsWithoutAgencies: without the agency list, the agency filter is
// a text field for an ID and the table shows IDs.
func TestStatsWithoutAgencies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, withAdminPages(sampleUsage(), nil))
		b := e.browser()
		b.login(e.admin)
		r := b.get("/officer/stats?from=2026-06-01&to=2026-06-03&agency=" + bankID)
		checkPage(t, "stats without agencies", r)
		contains(t, "stats without agencies", r, `<input type="text" id="agency" name="agency" value="`+bankID+`"`,
			`<td class="name">`+bankID+"</td>", `href="/officer/stats"`)
		if strings.Contains(r.body, `href="/officer/agencies"`) {
			t.Error("navigation links to the agencies page without it")
		}
		if r = b.get("/officer/agencies"); r.status != http.StatusNotFound {
			t.Errorf("agencies without the service: %d", r.status)
		}
	})
}

func TestAgenciesPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ag := sampleAgencies()
		e := newEnv(t, db, withAdminPages(sampleUsage(), ag))
		b := e.browser()
		b.login(e.admin)

		r := b.get("/officer/agencies")
		if r.status != http.StatusOK {
			t.Fatalf("agencies: %d", r.status)
		}
		checkPage(t, "agencies", r)
		contains(t, "agencies vi", r, "<h1>Cơ quan, tổ chức kết nối</h1>", `<a href="/officer/agencies" aria-current="page">`, "3 cơ quan.",
			`<h2 id="agency-`+bankID+`" tabindex="-1">Ngân hàng Thử nghiệm</h2>`, "Ngân hàng, trung gian thanh toán",
			`<strong class="tag tag-ok">Đã phê duyệt</strong>`, `<time datetime="2026-05-02T03:30:00Z">02/05/2026 10:30:00 (UTC&#43;7)</time>`,
			"Viễn thông &lt;Thử&gt; &amp; Co", "Chờ thẩm định an ninh", "Bộ Y tế", "Đã tạm dừng", "Khôi phục quyền truy cập",
			// Keys: prefix, state, scope in words, rate, expiry.
			`<caption id="keys-`+bankID+`-caption">Khóa API của Ngân hàng Thử nghiệm</caption>`, `<th scope="col">Khóa (phần đầu)</th>`,
			`<th scope="row" class="mono">dancu_key_k3xa…</th>`, "Còn hiệu lực", "<li>Xác thực</li><li>Tra cứu</li>",
			"<li>Số định danh cá nhân</li><li>Họ và tên</li><li>Ngày sinh</li><li>Ngày cấp căn cước</li>", "<li>aml-check</li>",
			"100 yêu cầu/giây", "Không giới hạn", "Không thời hạn", `<strong class="tag tag-stop">Đã thu hồi</strong>`,
			`<strong class="tag tag-stop">Đã hết hạn</strong>`, "Đồng bộ thay đổi", "Cơ quan chưa có khóa API nào.",
			// The forms.
			`action="/officer/agencies/`+bankID+`/suspend"`, `action="/officer/agencies/`+telecomID+`/approve"`,
			`action="/officer/agencies/`+ministryID+`/approve"`, `action="/officer/agencies/keys/key-live/revoke"`,
			`<summary>Thu hồi…<span class="visually-hidden"> dancu_key_k3xa</span></summary>`)
		for _, no := range []string{`/officer/agencies/` + bankID + `/approve"`, `/officer/agencies/` + telecomID + `/suspend"`,
			"/officer/agencies/keys/key-old/revoke"} {
			if strings.Contains(r.body, no) {
				t.Errorf("agencies page offers %s", no)
			}
		}

		r = b.get("/officer/agencies?lang=en")
		checkPage(t, "agencies en", r)
		contains(t, "agencies en", r, `<html lang="en">`, "<h1>Connected agencies</h1>", "3 agencies.", "Bank or payment provider",
			"Approved", "Pending security assessment", "Suspended", "Restore access", "API keys of Ngân hàng Thử nghiệm",
			"<li>Verify</li><li>Lookup</li>", "<li>Personal identification number</li>", "100 requests/s", "Unlimited", "Never",
			"Revoked", "Expired", "Valid", "refused while the agency is not approved", "Revoke…", "Suspend…", "Approve", "2026-05-02 10:30:00 (UTC&#43;7)")
		b.get("/officer/agencies?lang=vi")

		// Each form: approve, suspend, revoke; back to the page with a message, once.
		for _, c := range []struct {
			path, call, flash string
		}{
			{"/officer/agencies/" + telecomID + "/approve", "approve " + telecomID, "Đã cho phép Viễn thông &lt;Thử&gt; &amp; Co truy cập"},
			{"/officer/agencies/" + bankID + "/suspend", "suspend " + bankID, "Đã tạm dừng Ngân hàng Thử nghiệm: mọi khóa"},
			{"/officer/agencies/keys/key-live/revoke", "revoke key-live", "Đã thu hồi khóa dancu_key_k3xa."},
			{"/officer/agencies/NOPE/approve", "approve NOPE", "Không tìm thấy cơ quan hoặc khóa đó"},
		} {
			page := b.get("/officer/agencies")
			r = b.post(c.path, url.Values{"csrf": {b.csrf(page)}})
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/officer/agencies" {
				t.Fatalf("%s: %d %q", c.path, r.status, r.header.Get("Location"))
			}
			if got := ag.done(); got[len(got)-1] != c.call {
				t.Errorf("%s: service got %v", c.path, got)
			}
			r = b.get("/officer/agencies")
			checkPage(t, "after "+c.path, r)
			contains(t, "after "+c.path, r, `role="status"`, c.flash)
			if r = b.get("/officer/agencies"); strings.Contains(r.body, c.flash) {
				t.Errorf("%s: the message shows twice", c.path)
			}
		}
		r = b.get("/officer/agencies")
		contains(t, "after the forms", r, `action="/officer/agencies/`+bankID+`/approve"`, `action="/officer/agencies/`+telecomID+`/suspend"`)
		if strings.Contains(r.body, "/officer/agencies/keys/key-live/revoke") {
			t.Error("a revoked key can still be revoked")
		}

		// A forged flash cookie shows nothing.
		u, _ := url.Parse(e.srv.URL + "/officer/agencies")
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "dancu_flash", Value: "layout.skip.eA", Path: "/officer/agencies"}})
		if r = b.get("/officer/agencies"); strings.Contains(r.body, `class="notice notice-`) {
			t.Error("a forged flash cookie was shown")
		}
	})
}

func TestAgenciesFormsNeedCSRF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ag := sampleAgencies()
		e := newEnv(t, db, withAdminPages(nil, ag))
		b := e.browser()
		b.login(e.admin)
		page := b.get("/officer/agencies")
		token := b.csrf(page)
		for _, path := range []string{"/officer/agencies/" + telecomID + "/approve", "/officer/agencies/" + bankID + "/suspend",
			"/officer/agencies/keys/key-live/revoke"} {
			for _, form := range []url.Values{{}, {"csrf": {strings.Repeat("A", len(token))}}} {
				r := b.post(path, form)
				if r.status != http.StatusForbidden {
					t.Errorf("%s without the CSRF token: %d", path, r.status)
				}
				checkPage(t, "csrf refusal", r)
				contains(t, "csrf refusal", r, "Biểu mẫu đã hết hạn")
			}
			// Another site's form is refused by its headers.
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(url.Values{"csrf": {token}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			if r := b.do(req); r.status != http.StatusForbidden {
				t.Errorf("%s cross-site: %d", path, r.status)
			}
		}
		if got := ag.done(); len(got) != 0 {
			t.Errorf("refused forms reached the service: %v", got)
		}
		// Without a session, a form sends the browser to sign in, and does
		// not come back to the form's action afterwards.
		anon := e.browser()
		r := anon.post("/officer/agencies/"+telecomID+"/approve", url.Values{"csrf": {token}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/officer/login" {
			t.Errorf("anonymous form: %d %q", r.status, r.header.Get("Location"))
		}
		if got := ag.done(); len(got) != 0 {
			t.Errorf("anonymous form reached the service: %v", got)
		}
	})
}

func TestAdminPagesAreForAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u, ag := sampleUsage(), sampleAgencies()
		e := newEnv(t, db, withAdminPages(u, ag))
		o := e.browser()
		o.login(e.officer)
		search := o.get("/officer")
		for _, link := range []string{`href="/officer/stats"`, `href="/officer/agencies"`} {
			if strings.Contains(search.body, link) {
				t.Errorf("an officer's navigation has %s", link)
			}
		}
		for _, path := range []string{"/officer/stats", "/officer/stats?from=2026-06-01", "/officer/agencies"} {
			r := o.get(path)
			if r.status != http.StatusForbidden {
				t.Errorf("officer %s: %d", path, r.status)
			}
			checkPage(t, "403", r)
			contains(t, "403 "+path, r, "<h1>Chỉ dành cho quản trị viên</h1>", "Trang này chỉ dành cho tài khoản quản trị viên.")
			if strings.Contains(r.body, "Ngân hàng") {
				t.Errorf("officer %s: the 403 page names an agency", path)
			}
		}
		token := o.csrf(search)
		for _, path := range []string{"/officer/agencies/" + telecomID + "/approve", "/officer/agencies/" + bankID + "/suspend",
			"/officer/agencies/keys/key-live/revoke"} {
			if r := o.post(path, url.Values{"csrf": {token}}); r.status != http.StatusForbidden {
				t.Errorf("officer POST %s: %d", path, r.status)
			}
		}
		if got := u.asked(); len(got) != 0 {
			t.Errorf("an officer read the statistics: %v", got)
		}
		if got := ag.done(); len(got) != 0 {
			t.Errorf("an officer changed agencies: %v", got)
		}
	})
}

// TestAdminPagesAbsent: without the services (the zero Deps of existing
// callers) the pages are not found and not linked.
func TestAdminPagesAbsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.login(e.admin)
		search := b.get("/officer")
		for _, link := range []string{`href="/officer/stats"`, `href="/officer/agencies"`} {
			if strings.Contains(search.body, link) {
				t.Errorf("navigation has %s without its service", link)
			}
		}
		for _, path := range []string{"/officer/stats", "/officer/agencies"} {
			r := b.get(path)
			if r.status != http.StatusNotFound {
				t.Errorf("%s: %d", path, r.status)
			}
			checkPage(t, "404", r)
		}
		r := b.post("/officer/agencies/"+bankID+"/approve", url.Values{"csrf": {b.csrf(search)}})
		if r.status != http.StatusNotFound {
			t.Errorf("approve without the service: %d", r.status)
		}
	})
}

func TestAgenciesEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, withAdminPages(&fakeUsage{}, &fakeAgencies{}))
		b := e.browser()
		b.login(e.admin)
		r := b.get("/officer/agencies")
		checkPage(t, "no agencies", r)
		contains(t, "no agencies", r, "Chưa có cơ quan nào được kết nối.", "dancu agency add")
		r = b.get("/officer/stats?lang=en")
		checkPage(t, "no usage", r)
		contains(t, "no usage", r, "no requests.", `<option value="" selected>All agencies</option>`)
	})
}
