package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/audit"
	"dancu/internal/eid"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/registry/registrytest"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
	"dancu/internal/web"
)

var ict = registrytest.ICT

func directory(t testing.TB) *adminunit.Directory { return registrytest.Units(t) }

// The family every test reads: An and Bình, married, in one household in
// Phường Ba Đình (Hà Nội), and their son, registered at birth in 2024 as
// Nguyễn Văn Cường and renamed Nguyễn Minh Cường on 2026-06-15.
const (
	anPID   = "001080000001"
	binhPID = "001182000002"
	baDinh  = "00004"
	// tanDinh is a commune of Hồ Chí Minh City, the out-of-area officer's.
	tanDinh = "26737"
)

type env struct {
	t        *testing.T
	srv      *httptest.Server
	admin    string // tokens
	officer  string // commune officer of Ba Đình
	outsider string // commune officer of Tân Định
	child    string // the son's number
}

// newEnv builds the family's register and the pages on db; opts change
// the pages' dependencies (the administrators' pages' services).
func newEnv(t *testing.T, db *store.DB, opts ...func(*web.Deps)) *env {
	t.Helper()
	ctx := context.Background()
	clk := registrytest.NewClock(time.Date(2026, 6, 10, 9, 0, 0, 0, ict))
	reg := registrytest.New(t, db, registry.WithClock(clk.Now))
	accounts := eid.NewService(db, directory(t))
	e := &env{t: t}
	for _, u := range []struct {
		token *string
		role  eid.Role
		area  string
	}{{&e.admin, eid.RoleAdmin, ""}, {&e.officer, eid.RoleCommuneOfficer, baDinh}, {&e.outsider, eid.RoleCommuneOfficer, tanDinh}} {
		_, tok, err := accounts.CreateAccount(ctx, "Cán bộ "+string(u.role)+" "+u.area, u.role, u.area)
		if err != nil {
			t.Fatal(err)
		}
		*u.token = tok
	}
	meta := registry.Meta{Actor: "officer-1", LegalBasis: "Hồ sơ số 12/2026"}
	home := registry.Address{Street: "Số 1 Phố Điện Biên Phủ", CommuneCode: baDinh, Era: adminunit.Era2025}
	must := func(ev registry.Event, err error) registry.Event {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	must(reg.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: registry.Citizen{
		PID: anPID, FullName: "Nguyễn Văn An", Gender: pid.Male, DateOfBirth: registry.MustDate("1980-03-04"),
		Ethnicity: "01", PermanentAddress: home, Phone: "0912345678",
	}}))
	an, err := reg.Citizen(ctx, anPID)
	if err != nil {
		t.Fatal(err)
	}
	must(reg.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, HouseholdID: an.HouseholdID, Relation: registry.RelationSpouse,
		Citizen: registry.Citizen{PID: binhPID, FullName: "Trần Thị Bình", Gender: pid.Female, DateOfBirth: registry.MustDate("1982-07-15"), Ethnicity: "01"}}))
	m := meta
	m.EffectiveDate = registry.MustDate("2005-06-01")
	must(reg.RecordMarriage(ctx, registry.Marriage{Meta: m, PID: anPID, SpousePID: binhPID}))
	birth := must(reg.RecordBirth(ctx, registry.Birth{Meta: meta, FullName: "Nguyễn Văn Cường", Gender: pid.Male,
		DateOfBirth: registry.MustDate("2024-02-10"), BirthRegistration: home, Ethnicity: "01",
		MotherPID: binhPID, FatherPID: anPID}))
	e.child = string(birth.PID)
	clk.Set(time.Date(2026, 6, 15, 10, 0, 0, 0, ict))
	must(reg.RecordNameChange(ctx, registry.NameChange{Meta: meta, PID: pid.PID(e.child), FullName: "Nguyễn Minh Cường"}))

	deps := web.Deps{Register: reg, Accounts: accounts, Version: "test",
		NotFound: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"code":"not_found"}`)
		})}
	for _, o := range opts {
		o(&deps)
	}
	h, err := web.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// browser is a client with a cookie jar that does not follow redirects.
type browser struct {
	t    *testing.T
	e    *env
	c    *http.Client
	lang string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(body)}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the form on page.
func (b *browser) csrf(page response) string {
	b.t.Helper()
	m := csrfInput.FindStringSubmatch(page.body)
	if m == nil {
		b.t.Fatalf("no csrf field in page: %.300s", page.body)
	}
	return m[1]
}

// login signs in with token and fails the test unless it works.
func (b *browser) login(token string) {
	b.t.Helper()
	form := b.get("/officer/login")
	r := b.post("/officer/login", url.Values{"csrf": {b.csrf(form)}, "token": {token}, "next": {"/officer"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/officer" {
		b.t.Fatalf("login: %d %s", r.status, r.header.Get("Location"))
	}
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// checkPage checks what every HTML page must hold.
func checkPage(t *testing.T, what string, r response) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	if n := strings.Count(r.body, "<h1"); n != 1 {
		t.Errorf("%s: %d h1 elements, want 1", what, n)
	}
	for _, bad := range []string{"⟦", "<script", " style=", "%!"} {
		if strings.Contains(r.body, bad) {
			t.Errorf("%s: page contains %q", what, bad)
		}
	}
	if !regexp.MustCompile(`<html lang="(vi|en)">`).MatchString(r.body) {
		t.Errorf("%s: no lang on <html>", what)
	}
	if !strings.Contains(r.body, `href="#main"`) || !strings.Contains(r.body, `id="main"`) {
		t.Errorf("%s: no skip link to main", what)
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: CSP %q", what, csp)
	}
	// Every input but hidden ones has a label.
	for _, m := range regexp.MustCompile(`<input [^>]*\sid="([^"]+)"`).FindAllStringSubmatch(r.body, -1) {
		if !strings.Contains(r.body, `<label for="`+m[1]+`"`) {
			t.Errorf("%s: input %s has no label", what, m[1])
		}
	}
}

func contains(t *testing.T, what string, r response, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(r.body, w) {
			t.Errorf("%s: page lacks %q", what, w)
		}
	}
}

func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()

		// Unauthenticated pages send the browser to the login page.
		r := b.get("/officer/citizens/" + anPID)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/officer/login?next="+url.QueryEscape("/officer/citizens/"+anPID) {
			t.Fatalf("unauthenticated record: %d %q", r.status, r.header.Get("Location"))
		}
		if r = b.get("/officer"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/officer/login" {
			t.Fatalf("unauthenticated search: %d %q", r.status, r.header.Get("Location"))
		}

		form := b.get("/officer/login?next=" + url.QueryEscape("/officer/citizens/"+anPID))
		checkPage(t, "login", form)
		contains(t, "login", form, `<label for="token">Mã truy cập</label>`, `aria-describedby="token-hint"`)
		token := b.csrf(form)
		if c := b.cookie("dancu_csrf"); c == nil || c.Value != token {
			t.Fatalf("csrf cookie %v, form token %q", c, token)
		}

		// Without the CSRF field, or with another, the form is refused.
		for _, bad := range []url.Values{
			{"token": {e.admin}},
			{"token": {e.admin}, "csrf": {strings.Repeat("A", len(token))}},
		} {
			r = b.post("/officer/login", bad)
			if r.status != http.StatusForbidden || b.cookie("dancu_session") != nil {
				t.Fatalf("login without a good CSRF token: %d, session %v", r.status, b.cookie("dancu_session"))
			}
			checkPage(t, "csrf refusal", r)
			contains(t, "csrf refusal", r, "Biểu mẫu đã hết hạn")
		}
		// A cross-site form post is refused before the token is read.
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/officer/login",
			strings.NewReader(url.Values{"token": {e.admin}, "csrf": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r = b.do(req); r.status != http.StatusForbidden {
			t.Fatalf("cross-site login: %d", r.status)
		}

		// A wrong token shows the form again with one message, whatever the reason.
		for _, wrong := range []string{"", "dancu_nonsense", e.admin + "x", strings.Repeat("x", 600)} {
			r = b.post("/officer/login", url.Values{"csrf": {token}, "token": {wrong}})
			if r.status != http.StatusUnauthorized {
				t.Fatalf("wrong token %.20q: %d", wrong, r.status)
			}
			checkPage(t, "login error", r)
			contains(t, "login error", r, "Không đăng nhập được", `aria-invalid="true"`,
				`aria-describedby="token-hint token-error"`, `id="token-error"`, "<title>Lỗi: ")
		}

		// The right token starts a session and returns where the officer was going.
		r = b.post("/officer/login", url.Values{"csrf": {token}, "token": {e.admin}, "next": {"/officer/citizens/" + anPID}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/officer/citizens/"+anPID {
			t.Fatalf("login: %d %q", r.status, r.header.Get("Location"))
		}
		set := r.header.Values("Set-Cookie")
		var session string
		for _, c := range set {
			if strings.HasPrefix(c, "dancu_session=") {
				session = c
			}
		}
		for _, attr := range []string{"Path=/", "HttpOnly", "SameSite=Strict"} {
			if !strings.Contains(session, attr) {
				t.Errorf("session cookie %q lacks %s", session, attr)
			}
		}
		if strings.Contains(session, "Secure") {
			t.Errorf("session cookie over plain HTTP is Secure: %q", session)
		}
		r = b.get("/officer")
		checkPage(t, "search", r)
		contains(t, "search", r, "Cán bộ admin", "Đăng xuất")

		// The login page of a signed-in officer goes to the console.
		if r = b.get("/officer/login"); r.status != http.StatusSeeOther {
			t.Errorf("login page when signed in: %d", r.status)
		}

		// Logging out needs the CSRF token too, and ends the session.
		if r = b.post("/officer/logout", url.Values{}); r.status != http.StatusForbidden {
			t.Fatalf("logout without CSRF: %d", r.status)
		}
		page := b.get("/officer")
		r = b.post("/officer/logout", url.Values{"csrf": {b.csrf(page)}})
		if r.status != http.StatusSeeOther || b.cookie("dancu_session") != nil {
			t.Fatalf("logout: %d, session %v", r.status, b.cookie("dancu_session"))
		}
		if r = b.get("/officer"); r.status != http.StatusSeeOther {
			t.Fatalf("after logout: %d", r.status)
		}

		// A forged or stale session cookie is dropped.
		u, _ := url.Parse(e.srv.URL)
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "dancu_session", Value: "dancu_forged", Path: "/"}})
		if r = b.get("/officer"); r.status != http.StatusSeeOther || !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), ";"), "dancu_session=;") {
			t.Fatalf("forged session: %d %v", r.status, r.header.Values("Set-Cookie"))
		}
	})
}

func TestSafeNext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for next, want := range map[string]string{
			"/officer/citizens/" + anPID: "/officer/citizens/" + anPID,
			"https://evil.example/":      "/officer",
			"//evil.example/officer":     "/officer",
			"/officer/../../etc":         "/officer",
			"/v1/me":                     "/officer",
			"/officer/logout":            "/officer",
			"javascript:alert(1)":        "/officer",
		} {
			b := e.browser()
			form := b.get("/officer/login")
			r := b.post("/officer/login", url.Values{"csrf": {b.csrf(form)}, "token": {e.officer}, "next": {next}})
			if got := r.header.Get("Location"); got != want {
				t.Errorf("next %q: redirected to %q, want %q", next, got, want)
			}
		}
	})
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.login(e.officer)

		for _, q := range []string{"Nguyễn Văn An", "nguyen van an", "NGUYEN VAN AN"} {
			r := b.get("/officer?q=" + url.QueryEscape(q) + "&birth_year=1980")
			checkPage(t, "results", r)
			contains(t, "results "+q, r, "Tìm thấy 1 công dân.", `href="/officer/citizens/`+anPID+`"`, "Nguyễn Văn An",
				`<time datetime="1980-03-04">04/03/1980</time>`, "Nam", "Số 1 Phố Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội",
				"Còn sống", `<th scope="col">`, "<caption")
		}
		r := b.get("/officer?q=" + url.QueryEscape("Nguyễn Văn An") + "&birth_year=1981")
		contains(t, "wrong year", r, "Không tìm thấy công dân nào.")

		// A number goes to the record.
		r = b.get("/officer?q=" + anPID)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/officer/citizens/"+anPID {
			t.Fatalf("search by number: %d %q", r.status, r.header.Get("Location"))
		}
		// Bad input is explained at the field.
		for q, want := range map[string]string{
			"q=12345":                       "Số định danh cá nhân gồm đúng 12 chữ số.",
			"q=An&birth_year=19x0":          "Năm sinh phải là bốn chữ số",
			"q=An&birth_year=2999":          "Năm sinh phải là bốn chữ số",
			"birth_year=1980":               "Nhập họ và tên hoặc số định danh cá nhân",
			"q=" + strings.Repeat("a", 180): "Họ và tên quá dài.",
			"q=" + strings.Repeat("a", 300): "Họ và tên quá dài.",
		} {
			r = b.get("/officer?" + q)
			if r.status != http.StatusBadRequest {
				t.Errorf("search %s: %d", q, r.status)
			}
			checkPage(t, "search error", r)
			contains(t, "search "+q, r, want, `aria-invalid="true"`, `class="error-summary" role="alert"`)
		}

		// An officer of another commune finds nobody here.
		o := e.browser()
		o.login(e.outsider)
		r = o.get("/officer?q=" + url.QueryEscape("Nguyễn Văn An"))
		contains(t, "outsider search", r, "Không tìm thấy công dân nào.")
		if strings.Contains(r.body, anPID) {
			t.Error("outsider sees a citizen of another commune")
		}
	})
}

func TestCitizenPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.login(e.officer)

		r := b.get("/officer/citizens/" + anPID)
		if r.status != http.StatusOK {
			t.Fatalf("record: %d", r.status)
		}
		checkPage(t, "record", r)
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("record Cache-Control %q", r.header.Get("Cache-Control"))
		}
		contains(t, "record", r,
			"<h1>Nguyễn Văn An</h1>", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Kinh (01)", "Quê quán", "Nơi thường trú",
			"Nơi tạm trú", "Nơi ở hiện tại", "Tình trạng hôn nhân", "Đã kết hôn", "Cha", "Mẹ", "Vợ/chồng", "Chủ hộ",
			"Quan hệ với chủ hộ", "Căn cước", "Số CMND cũ", "Điện thoại", "0912345678", "Thư điện tử",
			"Số 1 Phố Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội",
			`<a href="/officer/citizens/`+binhPID+`">Trần Thị Bình (`+binhPID+`)</a>`,
			// The household, with links to the other members.
			"Thành viên hộ tại", `<a href="/officer/citizens/`+e.child+`">Nguyễn Minh Cường</a>`, "(hồ sơ đang xem)", "Vợ/chồng", "Con",
			// Residence registrations and history.
			"Đăng ký cư trú", "Thường trú", "Lịch sử thay đổi", "Đăng ký ban đầu vào sổ", "Đăng ký kết hôn",
			`<time datetime="2005-06-01">01/06/2005</time>`, "Hồ sơ số 12/2026", "officer-1",
			`<span class="visually-hidden">không có thông tin</span>`)

		// The son's history shows the name change, before and after.
		r = b.get("/officer/citizens/" + e.child)
		contains(t, "child", r, "<h1>Nguyễn Minh Cường</h1>", "Thay đổi họ, tên", "Đăng ký khai sinh",
			`<td class="before">Nguyễn Văn Cường</td>`, `<td class="after">Nguyễn Minh Cường</td>`,
			"Tên gọi khác", `<a href="/officer/citizens/`+anPID+`">Nguyễn Văn An (`+anPID+`)</a>`)

		// As of a day before the change, the old name; before the birth, nothing.
		r = b.get("/officer/citizens/" + e.child + "?as_of=2026-06-12")
		checkPage(t, "as of", r)
		contains(t, "as of", r, "Hồ sơ như sổ đăng ký ghi nhận vào cuối ngày 12/06/2026.", "Họ tên khi đó: Nguyễn Văn Cường.",
			"<dd>Nguyễn Văn Cường", "Xem hồ sơ hiện tại")
		if strings.Contains(r.body, `id="household"`) {
			t.Error("as-of view shows today's household")
		}
		r = b.get("/officer/citizens/" + e.child + "?as_of=2026-06-01")
		contains(t, "as of before birth", r, "chưa có trong sổ đăng ký", "<dd>Nguyễn Minh Cường")
		for _, bad := range []string{"2026-13-01", "2026", "yesterday"} {
			r = b.get("/officer/citizens/" + e.child + "?as_of=" + bad)
			if r.status != http.StatusBadRequest {
				t.Errorf("as_of=%s: %d", bad, r.status)
			}
			contains(t, "bad as of", r, "Nhập một ngày đầy đủ", `aria-describedby="as_of-hint as_of-error"`)
		}

		// Unknown and malformed numbers: the 404 page.
		for _, n := range []string{"001080999999", "123", "abc"} {
			r = b.get("/officer/citizens/" + n)
			if r.status != http.StatusNotFound {
				t.Errorf("record %s: %d", n, r.status)
			}
			checkPage(t, "404", r)
			contains(t, "404", r, "Không tìm thấy", "Đăng xuất")
		}

		// Another commune's officer: the 403 page, which says nothing of the record.
		o := e.browser()
		o.login(e.outsider)
		r = o.get("/officer/citizens/" + anPID)
		if r.status != http.StatusForbidden {
			t.Fatalf("outsider: %d", r.status)
		}
		checkPage(t, "403", r)
		contains(t, "403", r, "Ngoài phạm vi được phép")
		if strings.Contains(r.body, "Nguyễn") {
			t.Error("403 page shows personal data")
		}
	})
}

func TestLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		r := b.get("/")
		checkPage(t, "home", r)
		contains(t, "home vi", r, `<html lang="vi">`, "nền tảng dữ liệu dân cư", `href="/officer"`, `href="/openapi.json"`,
			`<a href="/?lang=en" lang="en" hreflang="en">English</a>`)

		r = b.get("/?lang=en")
		contains(t, "home en", r, `<html lang="en">`, "national population data platform", `hreflang="vi">Tiếng Việt</a>`)
		if c := b.cookie("lang"); c == nil || c.Value != "en" {
			t.Fatalf("lang cookie %v", c)
		}
		b.login(e.officer)
		// Remembered: the record is in English without ?lang.
		r = b.get("/officer/citizens/" + anPID)
		checkPage(t, "record en", r)
		contains(t, "record en", r, `<html lang="en">`, "Full name", "Date of birth", "1980-03-04", "Male", "Married",
			"Permanent residence", "History of changes", "Marriage registration", "Sign out")
		// The switch keeps the query.
		r = b.get("/officer?q=" + url.QueryEscape("Nguyễn Văn An"))
		contains(t, "search en", r, "1 citizens found.", `href="/officer?lang=vi&amp;q=Nguy%E1%BB%85n&#43;V%C4%83n&#43;An"`)
		r = b.get("/officer?lang=vi")
		contains(t, "back to vi", r, `<html lang="vi">`, "Tra cứu công dân")
		if c := b.cookie("lang"); c == nil || c.Value != "vi" {
			t.Fatalf("lang cookie %v", c)
		}
	})
}

func TestStaticAndNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		home := b.get("/")
		m := regexp.MustCompile(`href="(/static/dancu\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(home.body)
		if m == nil {
			t.Fatal("no stylesheet link")
		}
		r := b.get(m[1])
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") ||
			!strings.Contains(r.header.Get("Cache-Control"), "immutable") || r.header.Get("ETag") == "" {
			t.Fatalf("css: %d %v", r.status, r.header)
		}
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/static/dancu.css", nil)
		req.Header.Set("If-None-Match", r.header.Get("ETag"))
		if r = b.do(req); r.status != http.StatusNotModified {
			t.Errorf("conditional css: %d", r.status)
		}

		// Browsers get the 404 page; other clients the API's answer.
		r = b.get("/nowhere")
		if r.status != http.StatusNotFound {
			t.Fatalf("/nowhere: %d", r.status)
		}
		checkPage(t, "404", r)
		contains(t, "404", r, "Không tìm thấy", `href="/officer/login"`)
		resp, err := http.Get(e.srv.URL + "/nowhere")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("API client /nowhere: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
}

func TestPlaceOf(t *testing.T) {
	reg := registry.NewService(nil, nil, directory(t))
	for _, c := range []struct {
		name string
		c    registry.Citizen
		want eid.Place
	}{
		{"permanent 2025", registry.Citizen{PermanentAddress: registry.Address{CommuneCode: baDinh, Era: adminunit.Era2025}}, eid.Place{Province: "01", Commune: baDinh}},
		{"current when no permanent", registry.Citizen{CurrentAddress: registry.Address{CommuneCode: tanDinh, Era: adminunit.Era2025}}, eid.Place{Province: "79", Commune: tanDinh}},
		{"nothing", registry.Citizen{}, eid.Place{}},
	} {
		if got := web.PlaceOf(reg.View(c.c)); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// fakeAccesses is an audit log's per-citizen view.
type fakeAccesses map[pid.PID][]audit.AccessView

func (f fakeAccesses) Accesses(_ context.Context, number pid.PID, limit int) ([]audit.AccessView, error) {
	list := f[number]
	return list[:min(limit, len(list))], nil
}

// A citizen's page lists who accessed the data, in both languages, and
// says so when nobody has.
func TestCitizenAccesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		at := time.Date(2026, 6, 20, 3, 4, 5, 0, time.UTC)
		e := newEnv(t, db, func(d *web.Deps) {
			d.Accesses = fakeAccesses{anPID: {
				{At: at, AgencyID: "06h0hnp1n2lh9etlm6lomn3iig", Operation: "verify", Purpose: "kyc", Fields: []string{"pid", "full_name"}, Result: "mismatch"},
				{At: at.Add(-time.Hour), AgencyID: "06h0hnp1n2lh9etlm6lomn3iig", Operation: "lookup", Purpose: "kyc", Fields: []string{"phone"}, Result: "found"},
			}}
		})
		b := e.browser()
		b.login(e.officer)
		page := b.get("/officer/citizens/" + anPID)
		for _, want := range []string{`id="accesses"`, "Truy cập dữ liệu", "Xác thực", "Họ và tên", "Không khớp", "Đã trả dữ liệu", `datetime="2026-06-20T03:04:05Z"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("citizen page lacks %q", want)
			}
		}
		if other := b.get("/officer/citizens/" + binhPID); !strings.Contains(other.body, "Chưa có cơ quan nào truy cập dữ liệu này.") {
			t.Errorf("a citizen nobody accessed: %.300s", other.body)
		}
	})
}
