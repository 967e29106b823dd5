package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/reconcile"
	"dancu/internal/registry"
	"dancu/internal/registry/registrytest"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
	"dancu/internal/web"
)

// The store is what the app passes as the reconciliation pages' store.
var _ web.ReconcileStore = (*store.DB)(nil)

// The reconciliation pages' people: twins registered in Ba Đình (the
// officer's area) whom a record naming them cannot tell apart, and a
// namesake in Tân Định (the outsider's).
const (
	twinAPID    = "001095001111"
	twinBPID    = "001095001112"
	namesakePID = "079095001113"
	dataset     = "thue-bao.csv"
)

type reconcileEnv struct {
	*env
	db    *store.DB
	run   string
	items map[string]int64 // by record key
}

// newReconcileEnv is the family's env with the reconciliation pages, the
// twins and the namesake registered, and a saved run with three review
// items: "twins" (both twins), "mixed" (a twin and the namesake) and
// "far" (the namesake alone).
func newReconcileEnv(t *testing.T, db *store.DB) *reconcileEnv {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, db, func(d *web.Deps) { d.Reconcile = db })
	reg := registrytest.New(t, db)
	meta := registry.Meta{Actor: "officer-1", LegalBasis: "Hồ sơ số 13/2026"}
	for _, c := range []struct {
		pid, commune, phone string
	}{{twinAPID, baDinh, "0912000001"}, {twinBPID, baDinh, "0912000002"}, {namesakePID, tanDinh, ""}} {
		if _, err := reg.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: registry.Citizen{
			PID: pid.PID(c.pid), FullName: "Phạm Minh Tuấn", Gender: pid.Male, DateOfBirth: registry.MustDate("1995-06-06"),
			Ethnicity: "01", Phone: c.phone,
			PermanentAddress: registry.Address{Street: "Số 5 Phố Hàng Bông", CommuneCode: c.commune, Era: adminunit.Era2025},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	record := map[string]string{"full_name": "Phạm Minh Tuấn", "date_of_birth": "06/06/1995", "gender": "Nam", "phone": "0912000111"}
	item := func(key string, line int64, cands ...store.ReviewCandidate) store.ReviewItem {
		return store.ReviewItem{RecordKey: key, Line: line, Fingerprint: "fp-" + key, Record: record, Candidates: cands}
	}
	a := store.ReviewCandidate{PID: twinAPID, Probability: 0.4981, Differing: []string{"phone"}}
	b := store.ReviewCandidate{PID: twinBPID, Probability: 0.4979, Differing: []string{"phone"}}
	n := store.ReviewCandidate{PID: namesakePID, Probability: 0.31}
	finished := time.Date(2026, 7, 1, 2, 30, 0, 0, time.UTC)
	report, _ := json.Marshal(map[string]any{
		"dataset": dataset, "records": 40, "review_share": 0.075,
		"statuses":  map[string]int64{"match": 30, "match_with_corrections": 5, "ambiguous": 3, "not_found": 1, "invalid": 1},
		"scorecard": map[string]float64{"correct": 0.912, "complete": 0.85, "clean": 0.975, "live": 0.9},
		"provinces": []map[string]any{{"code": "01", "name": "Thành phố Hà Nội", "statuses": map[string]int64{"ambiguous": 3},
			"scorecard": map[string]any{"records": 38, "linked": 34, "correct": 0.934, "complete": 0.85, "clean": 0.97, "live": 0.88}}},
	})
	run, err := db.SaveReconcileRun(ctx, store.ReconcileRun{
		Dataset: dataset, StartedAt: finished.Add(-2 * time.Minute), FinishedAt: finished, Records: 40,
		Statuses: map[string]int64{"match": 30, "match_with_corrections": 5, "ambiguous": 3, "not_found": 1, "invalid": 1},
		Report:   report,
	}, []store.ReviewItem{item("twins", 7, a, b), item("mixed", 12, a, n), item("far", 31, n)})
	if err != nil {
		t.Fatal(err)
	}
	re := &reconcileEnv{env: e, db: db, run: run, items: map[string]int64{}}
	list, err := db.ReviewItems(ctx, run, false, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range list {
		re.items[it.RecordKey] = it.ID
	}
	return re
}

func (e *reconcileEnv) runPath() string { return "/officer/reconcile/" + e.run }

func (e *reconcileEnv) itemPath(key, action string) string {
	return "/officer/reconcile/items/" + itoa(e.items[key]) + "/" + action
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// decisions is the dataset's decisions as the next run reads them.
func (e *reconcileEnv) decisions(t *testing.T) reconcile.DecisionMap {
	t.Helper()
	m, err := e.db.ReconcileDecisions(context.Background(), dataset)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// section is the part of a page from the item's article to its end.
func section(body, anchor string) string {
	i := strings.Index(body, `<article id="`+anchor+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</article>")
	return body[i : i+j]
}

func TestReconcilePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newReconcileEnv(t, db)
		b := e.browser()
		b.login(e.admin)

		search := b.get("/officer")
		contains(t, "navigation", search, `href="/officer/reconcile"`, `href="/officer/corrections"`, "Đối soát dữ liệu", "Yêu cầu sửa sổ")

		r := b.get("/officer/reconcile")
		if r.status != http.StatusOK {
			t.Fatalf("runs: %d", r.status)
		}
		checkPage(t, "runs", r)
		contains(t, "runs", r, "<h1>Đối soát dữ liệu của cơ quan</h1>", `<a href="/officer/reconcile" aria-current="page">`,
			`<a href="`+e.runPath()+`">`+dataset+`</a>`, "Dòng lệnh (dancu reconcile)", `datetime="2026-07-01T02:30:00Z"`,
			"01/07/2026 09:30:00 (UTC&#43;7)", "<li>Khớp: 30</li>", "<li>Chưa xác định, chờ cán bộ: 3</li>", "3/3 chờ quyết định")

		r = b.get(e.runPath())
		if r.status != http.StatusOK {
			t.Fatalf("run: %d", r.status)
		}
		checkPage(t, "run", r)
		contains(t, "run", r, "<h1>Đối soát "+dataset+"</h1>", "Bảng điểm: đúng, đủ, sạch, sống",
			`<dd class="summary-count">91,2%</dd>`, `<dd class="summary-count">97,5%</dd>`, "Tỷ lệ bản ghi cần cán bộ quyết định: 7,5%.",
			"Bảng điểm theo tỉnh", "<th scope=\"row\">Thành phố Hà Nội</th>", "93,4%",
			"Khớp, có thông tin sai lệch", "75,0%", "Còn 3 trên 3 bản ghi chờ quyết định.", "Bản ghi twins", "(dòng 7 của tệp)",
			// The record beside the twins, as the citizen page shows them.
			"Cơ quan ghi", "Ứng viên 1", `<a href="/officer/citizens/`+twinAPID+`">Phạm Minh Tuấn</a>`, "06/06/1995", "0912000111",
			"0912000002", "Phường Ba Đình, Thành phố Hà Nội", `<td class="differs">`, "khác", "49,8%",
			"Đây là người này", "Không ai trong số này", "Yêu cầu sửa sổ",
			`action="/officer/reconcile/items/`+itoa(e.items["twins"])+`/decision"`,
			`value="`+twinBPID+`"`)
		// The admin reads every candidate, the namesake too.
		if far := section(r.body, "item-"+itoa(e.items["far"])); !strings.Contains(far, namesakePID) || !strings.Contains(far, "Đây là người này") {
			t.Errorf("admin's view of the namesake's record: %.400s", far)
		}

		r = b.get(e.runPath() + "?lang=en")
		checkPage(t, "run en", r)
		contains(t, "run en", r, `<html lang="en">`, "<h1>Reconciliation of "+dataset+"</h1>", "Scorecard: correct, complete, clean, live",
			"91.2%", "The agency&#39;s record", "Candidate 2", "This is the person", "None of these", "Request a correction",
			"3 of 3 records await a decision.", "1995-06-06", "differs")
		r = b.get("/officer/reconcile?lang=en")
		checkPage(t, "runs en", r)
		contains(t, "runs en", r, "Reconciliation of agencies&#39; data", "Command line (dancu reconcile)", "3 of 3 awaiting a decision",
			"Match with corrections: 5")
		b.get("/officer?lang=vi")

		for _, path := range []string{"/officer/reconcile/nope", "/officer/reconcile/01jz0000000000000000000000",
			"/officer/reconcile/items/abc/correction", "/officer/reconcile/items/999999/correction"} {
			if r := b.get(path); r.status != http.StatusNotFound {
				t.Errorf("%s: %d", path, r.status)
			}
		}
	})
}

// TestReviewDecisionRoundTrip: an officer's decision on the queue is what
// the next run of the dataset reads.
func TestReviewDecisionRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newReconcileEnv(t, db)
		b := e.browser()
		b.login(e.officer)
		page := b.get(e.runPath() + "?page=1")
		token := b.csrf(page)

		r := b.post(e.itemPath("twins", "decision"), url.Values{"csrf": {token}, "decision": {"accept"}, "pid": {twinBPID}, "page": {"1"}})
		twins := itoa(e.items["twins"])
		if r.status != http.StatusSeeOther || r.header.Get("Location") != e.runPath()+"?done="+twins+"#item-"+twins {
			t.Fatalf("accept: %d %q", r.status, r.header.Get("Location"))
		}
		want := reconcile.DecisionMap{"twins": {Fingerprint: "fp-twins", Accepted: twinBPID}}
		if got := e.decisions(t); !equalDecisions(got, want) {
			t.Fatalf("decisions after accepting: %+v, want %+v", got, want)
		}
		r = b.get(r.header.Get("Location"))
		checkPage(t, "after the decision", r)
		contains(t, "after the decision", r, `<div class="notice notice-done" role="status">`,
			"Đã ghi nhận quyết định về bản ghi twins: Là công dân Phạm Minh Tuấn ("+twinBPID+").", `<a href="#item-`+twins+`">`,
			"Còn 2 trên 3 bản ghi chờ quyết định.")
		item := section(r.body, "item-"+twins)
		for _, w := range []string{"Đã xác định", "Quyết định bởi bạn lúc", `<strong class="tag tag-ok">Đã chọn</strong>`, "Không ai trong số này"} {
			if !strings.Contains(item, w) {
				t.Errorf("decided item lacks %q: %.600s", w, item)
			}
		}
		if strings.Count(item, `value="accept"`) != 1 {
			t.Errorf("the decided item should offer to accept only the other twin")
		}
		// Pending first: the decided item comes last.
		if strings.Index(r.body, `id="item-`+twins+`"`) < strings.Index(r.body, `id="item-`+itoa(e.items["mixed"])+`"`) {
			t.Error("a decided item is listed before a pending one")
		}

		// The decision can be changed: none of them.
		r = b.post(e.itemPath("twins", "decision"), url.Values{"csrf": {token}, "decision": {"reject"}, "pending": {"1"}, "page": {"2"}})
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), e.runPath()+"?done="+twins+"&page=2&pending=1#item-") {
			t.Fatalf("reject: %d %q", r.status, r.header.Get("Location"))
		}
		want = reconcile.DecisionMap{"twins": {Fingerprint: "fp-twins", Rejected: []pid.PID{twinAPID, twinBPID}}}
		if got := e.decisions(t); !equalDecisions(got, want) {
			t.Fatalf("decisions after rejecting: %+v, want %+v", got, want)
		}
		r = b.get(r.header.Get("Location"))
		checkPage(t, "pending only", r)
		contains(t, "pending only", r, "Không phải ai trong số các ứng viên.", `aria-current="page">Chỉ bản ghi chờ quyết định`)
		if strings.Contains(r.body, `id="item-`+twins+`"`) {
			t.Error("the pending-only queue lists a decided item")
		}
	})
}

func equalDecisions(a, b reconcile.DecisionMap) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestReviewFormsRefused: forms without the CSRF token, from another
// site, with a bad decision or a citizen who is not a candidate, change
// nothing.
func TestReviewFormsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newReconcileEnv(t, db)
		b := e.browser()
		b.login(e.admin)
		token := b.csrf(b.get(e.runPath()))
		accept := url.Values{"decision": {"accept"}, "pid": {twinAPID}}
		for _, form := range []url.Values{accept, {"decision": {"accept"}, "pid": {twinAPID}, "csrf": {strings.Repeat("A", len(token))}}} {
			r := b.post(e.itemPath("twins", "decision"), form)
			if r.status != http.StatusForbidden {
				t.Errorf("without the CSRF token: %d", r.status)
			}
			checkPage(t, "csrf refusal", r)
			contains(t, "csrf refusal", r, "Biểu mẫu đã hết hạn")
		}
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+e.itemPath("twins", "decision"),
			strings.NewReader(url.Values{"csrf": {token}, "decision": {"accept"}, "pid": {twinAPID}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r := b.do(req); r.status != http.StatusForbidden {
			t.Errorf("cross-site decision: %d", r.status)
		}
		for _, c := range []struct {
			form   url.Values
			status int
			says   string
		}{
			{url.Values{"decision": {"maybe"}, "pid": {twinAPID}}, http.StatusBadRequest, "Quyết định phải là chọn một ứng viên"},
			{url.Values{"decision": {"accept"}}, http.StatusBadRequest, "không phải là ứng viên của bản ghi này"},
			{url.Values{"decision": {"accept"}, "pid": {namesakePID}}, http.StatusBadRequest, "không phải là ứng viên của bản ghi này"},
			{url.Values{"decision": {"accept"}, "pid": {"<script>"}}, http.StatusBadRequest, "không phải là ứng viên của bản ghi này"},
		} {
			c.form.Set("csrf", token)
			r := b.post(e.itemPath("twins", "decision"), c.form)
			if r.status != c.status {
				t.Errorf("%v: %d, want %d", c.form, r.status, c.status)
			}
			checkPage(t, "refused decision", r)
			contains(t, "refused decision", r, c.says)
		}
		if r := b.post("/officer/reconcile/items/999999/decision", url.Values{"csrf": {token}, "decision": {"reject"}}); r.status != http.StatusNotFound {
			t.Errorf("unknown item: %d", r.status)
		}
		if got := e.decisions(t); len(got) != 0 {
			t.Errorf("refused forms decided: %+v", got)
		}
		// Without a session a form goes to sign in and decides nothing.
		anon := e.browser()
		if r := anon.post(e.itemPath("twins", "decision"), url.Values{"csrf": {token}, "decision": {"reject"}}); r.status != http.StatusSeeOther ||
			r.header.Get("Location") != "/officer/login" {
			t.Errorf("anonymous decision: %d %q", r.status, r.header.Get("Location"))
		}
		if got := e.decisions(t); len(got) != 0 {
			t.Errorf("an anonymous form decided: %+v", got)
		}
	})
}

// TestReviewByArea: an officer of an area sees and decides only what
// concerns the citizens of the area.
func TestReviewByArea(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newReconcileEnv(t, db)
		o := e.browser()
		o.login(e.officer)
		r := o.get(e.runPath())
		checkPage(t, "officer's queue", r)
		twins := section(r.body, "item-"+itoa(e.items["twins"]))
		mixed := section(r.body, "item-"+itoa(e.items["mixed"]))
		far := section(r.body, "item-"+itoa(e.items["far"]))
		if !strings.Contains(twins, "Đây là người này") || !strings.Contains(twins, twinBPID) {
			t.Errorf("the officer cannot decide the twins: %.500s", twins)
		}
		if !strings.Contains(mixed, twinAPID) || strings.Contains(mixed, namesakePID) || !strings.Contains(mixed, "ngoài địa bàn của bạn") ||
			strings.Contains(mixed, "Đây là người này") || !strings.Contains(mixed, "Bạn không quyết định được bản ghi này") {
			t.Errorf("the mixed item as an officer sees it: %.800s", mixed)
		}
		if strings.Contains(far, namesakePID) || strings.Contains(far, "0912000111") || !strings.Contains(far, "đều ngoài địa bàn") {
			t.Errorf("the far item as an officer sees it: %.500s", far)
		}
		if strings.Contains(r.body, namesakePID) {
			t.Error("the page shows the number of a citizen outside the officer's area")
		}
		token := o.csrf(r)
		for _, key := range []string{"mixed", "far"} {
			res := o.post(e.itemPath(key, "decision"), url.Values{"csrf": {token}, "decision": {"accept"}, "pid": {twinAPID}})
			if res.status != http.StatusForbidden {
				t.Errorf("officer deciding %s: %d", key, res.status)
			}
			checkPage(t, "403", res)
		}
		if res := o.get(e.itemPath("far", "correction")); res.status != http.StatusForbidden {
			t.Errorf("officer's correction form for the far item: %d", res.status)
		}
		if got := e.decisions(t); len(got) != 0 {
			t.Errorf("refused decisions recorded: %+v", got)
		}
		// The outsider sees the namesake and nothing of the twins.
		x := e.browser()
		x.login(e.outsider)
		r = x.get(e.runPath())
		if strings.Contains(r.body, twinAPID) || strings.Contains(r.body, twinBPID) || !strings.Contains(section(r.body, "item-"+itoa(e.items["far"])), namesakePID) {
			t.Errorf("the outsider's queue shows the wrong people")
		}
	})
}

// TestCorrectionRequestRoundTrip: from an item to the requests page, then
// resolved.
func TestCorrectionRequestRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newReconcileEnv(t, db)
		b := e.browser()
		b.login(e.officer)
		form := b.get(e.itemPath("twins", "correction") + "?pid=" + twinBPID)
		if form.status != http.StatusOK {
			t.Fatalf("correction form: %d", form.status)
		}
		checkPage(t, "correction form", form)
		contains(t, "correction form", form, "<h1>Yêu cầu sửa sổ đăng ký</h1>", `<option value="`+twinBPID+`" selected>Phạm Minh Tuấn (`+twinBPID+`)</option>`,
			`<option value="phone" selected>Điện thoại</option>`, `<option value="full_name">Họ và tên</option>`,
			`<option value="date_of_birth">Ngày sinh</option>`, `name="value" value="0912000111"`, `<label for="note">`,
			// Each field the record gives that a correction can change links to the form filled in with it.
			`<a href="`+e.itemPath("twins", "correction")+`?field=date_of_birth&amp;pid=`+twinBPID+`" class="use-value">`)
		if strings.Contains(form.body, `value="gender"`) || strings.Contains(form.body, namesakePID) {
			t.Error("the form offers a field a correction cannot change, or a citizen outside the area")
		}
		if dob := b.get(e.itemPath("twins", "correction") + "?field=date_of_birth"); !strings.Contains(dob.body, `name="value" value="1995-06-06"`) {
			t.Errorf("the date is not prefilled in the register's form")
		}
		token := b.csrf(form)

		// Refused: nothing proposed, a field the record does not give, a citizen not a candidate.
		r := b.post(e.itemPath("twins", "correction"), url.Values{"csrf": {token}, "pid": {namesakePID}, "field": {"email"}, "value": {" "}})
		if r.status != http.StatusBadRequest {
			t.Fatalf("bad request form: %d", r.status)
		}
		checkPage(t, "refused request", r)
		contains(t, "refused request", r, `<div class="error-summary" role="alert">`, `<a href="#pid">Chọn một công dân trong danh sách.</a>`,
			`<a href="#field">Chọn một thông tin trong danh sách.</a>`, `<a href="#value">Nhập giá trị đề nghị.</a>`, `aria-invalid="true"`, "<title>Lỗi: ")
		if r := b.post(e.itemPath("twins", "correction"), url.Values{"pid": {twinBPID}, "field": {"phone"}, "value": {"0912000111"}}); r.status != http.StatusForbidden {
			t.Errorf("request without the CSRF token: %d", r.status)
		}
		if list, _ := db.CorrectionRequests(context.Background(), "", 0); len(list) != 0 {
			t.Fatalf("refused forms stored requests: %+v", list)
		}

		r = b.post(e.itemPath("twins", "correction"), url.Values{"csrf": {token}, "pid": {twinBPID}, "field": {"phone"},
			"value": {"0912000111"}, "note": {"Theo hợp đồng thuê bao số 88"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("request: %d", r.status)
		}
		list, err := db.CorrectionRequests(context.Background(), store.CorrectionPending, 0)
		if err != nil || len(list) != 1 {
			t.Fatalf("stored requests: %+v, %v", list, err)
		}
		c := list[0]
		if c.PID != twinBPID || c.Field != "phone" || c.RegisterValue != "0912000002" || c.ProposedValue != "0912000111" ||
			c.Source != "reconcile:"+dataset+":twins" || c.Note != "Theo hợp đồng thuê bao số 88" || c.CreatedBy == "" {
			t.Errorf("stored request %+v", c)
		}
		id := itoa(c.ID)
		if loc := r.header.Get("Location"); loc != "/officer/corrections?done="+id+"#request-"+id {
			t.Errorf("request redirects to %q", loc)
		}
		r = b.get(r.header.Get("Location"))
		checkPage(t, "requests", r)
		contains(t, "requests", r, `<a href="/officer/corrections" aria-current="page">`, "Đã gửi yêu cầu số "+id+" (Điện thoại của Phạm Minh Tuấn).",
			`<article id="request-`+id+`" class="request"`, `<a href="/officer/citizens/`+twinBPID+`">Phạm Minh Tuấn</a>`, "0912000002", "<strong>0912000111</strong>",
			"reconcile:"+dataset+":twins", "Theo hợp đồng thuê bao số 88", "bởi bạn", "Đã sửa", "Bỏ qua")
		// The outsider does not see it.
		x := e.browser()
		x.login(e.outsider)
		if r := x.get("/officer/corrections"); strings.Contains(r.body, twinBPID) || !strings.Contains(r.body, "Không có yêu cầu nào chờ xử lý.") {
			t.Errorf("the outsider sees the request")
		}
		if r := x.post("/officer/corrections/"+id+"/resolve", url.Values{"csrf": {x.csrf(x.get("/officer/corrections"))}, "status": {"dismissed"}}); r.status != http.StatusForbidden {
			t.Errorf("the outsider resolved a request: %d", r.status)
		}

		// Resolving: a bad status, no token, then applied, then again.
		if r := b.post("/officer/corrections/"+id+"/resolve", url.Values{"csrf": {token}, "status": {"done"}}); r.status != http.StatusBadRequest {
			t.Errorf("bad status: %d", r.status)
		}
		if r := b.post("/officer/corrections/"+id+"/resolve", url.Values{"status": {"applied"}}); r.status != http.StatusForbidden {
			t.Errorf("resolve without the CSRF token: %d", r.status)
		}
		r = b.post("/officer/corrections/"+id+"/resolve", url.Values{"csrf": {token}, "status": {"applied"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/officer/corrections?done="+id {
			t.Fatalf("resolve: %d %q", r.status, r.header.Get("Location"))
		}
		r = b.get(r.header.Get("Location"))
		checkPage(t, "after resolving", r)
		contains(t, "after resolving", r, "Yêu cầu số "+id+" (Điện thoại của Phạm Minh Tuấn) đã được đánh dấu là đã sửa.", "Không có yêu cầu nào chờ xử lý.")
		r = b.post("/officer/corrections/"+id+"/resolve", url.Values{"csrf": {token}, "status": {"dismissed"}})
		if r.status != http.StatusConflict {
			t.Errorf("resolving twice: %d", r.status)
		}
		checkPage(t, "resolved twice", r)
		for _, status := range []string{"applied", "dismissed", "all"} {
			r := b.get("/officer/corrections?status=" + status)
			checkPage(t, "requests "+status, r)
			if got := strings.Contains(r.body, `<article id="request-`+id+`" class="request"`); got != (status != "dismissed") {
				t.Errorf("%s: lists the request %v", status, got)
			}
			r = b.get("/officer/corrections?lang=en&status=" + status)
			checkPage(t, "requests en "+status, r)
		}
		applied := b.get("/officer/corrections?status=applied&lang=vi")
		contains(t, "applied", applied, `<strong class="tag tag-ok">Đã sửa</strong>`, "Yêu cầu đã sửa, mới nhất trước")

		// The longest note the form allows (in Vietnamese, three bytes a
		// character) fits in a form's body; one character more is refused.
		long := url.Values{"csrf": {token}, "pid": {twinBPID}, "field": {"full_name"}, "value": {"Phạm Minh Tuân"}}
		long.Set("note", strings.Repeat("ễ", 1001))
		if r := b.post(e.itemPath("twins", "correction"), long); r.status != http.StatusBadRequest ||
			!strings.Contains(r.body, "Ghi chú quá dài (tối đa 1.000 ký tự).") {
			t.Errorf("a note too long: %d", r.status)
		}
		long.Set("note", strings.Repeat("ễ", 1000))
		if r := b.post(e.itemPath("twins", "correction"), long); r.status != http.StatusSeeOther {
			t.Errorf("the longest note: %d", r.status)
		}
		if list, _ := db.CorrectionRequests(context.Background(), store.CorrectionPending, 0); len(list) != 1 || len(list[0].Note) != 3000 {
			t.Errorf("the longest note was not stored whole")
		}
	})
}

// TestReconcilePagesAbsent: without the store the pages are not found and
// not linked.
func TestReconcilePagesAbsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.login(e.admin)
		search := b.get("/officer")
		for _, link := range []string{`href="/officer/reconcile"`, `href="/officer/corrections"`} {
			if strings.Contains(search.body, link) {
				t.Errorf("navigation has %s without the store", link)
			}
		}
		for _, path := range []string{"/officer/reconcile", "/officer/reconcile/01jz0000000000000000000000", "/officer/corrections",
			"/officer/reconcile/items/1/correction"} {
			r := b.get(path)
			if r.status != http.StatusNotFound {
				t.Errorf("%s: %d", path, r.status)
			}
			checkPage(t, "404", r)
		}
		token := b.csrf(search)
		for _, path := range []string{"/officer/reconcile/items/1/decision", "/officer/corrections/1/resolve"} {
			if r := b.post(path, url.Values{"csrf": {token}}); r.status != http.StatusNotFound {
				t.Errorf("POST %s: %d", path, r.status)
			}
		}
	})
}

// TestReconcileEmpty: the pages say when there is nothing yet.
func TestReconcileEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, func(d *web.Deps) { d.Reconcile = db })
		b := e.browser()
		b.login(e.officer)
		r := b.get("/officer/reconcile")
		checkPage(t, "no runs", r)
		contains(t, "no runs", r, "Chưa có lần đối soát nào được lưu.")
		r = b.get("/officer/corrections?lang=en")
		checkPage(t, "no requests", r)
		contains(t, "no requests", r, "No request is pending.")
		if regexp.MustCompile(`<table`).MatchString(r.body) {
			t.Error("an empty list has a table")
		}
	})
}
