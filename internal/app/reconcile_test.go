package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dancu/internal/store/storetest"
)

// A data steward's view of reconciliation, on each engine: the command
// line reconciles a synthetic telecom list and keeps the run for review;
// the register is unchanged; a file with broken rows still completes with
// row errors; an agency with the reconcile scope uploads the list through
// the API and gets a line per record, audited.
func TestReconcileCommandAndAPI(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dir, cfg, where := onEngine(t, engine)
			cli := func(command string, args ...string) (string, string) {
				t.Helper()
				all := append(append(strings.Fields(command), where...), args...)
				code, out, errs := run(t, "", nil, all...)
				if code != 0 {
					t.Fatalf("dancu %s: exit %d\n%s", strings.Join(all, " "), code, errs)
				}
				return out, errs
			}
			people := filepath.Join(dir, "people.csv")
			cli("generate", "--count", "3000", "--seed", "5", "--out", people)
			cli("import", people)
			list := filepath.Join(dir, "telecom.csv")
			truth := filepath.Join(dir, "truth.csv")
			cli("generate", "--dataset", "telecom", "--from", people, "--count", "2000", "--seed", "9", "--out", list, "--truth", truth)
			before, _ := cli("export", "--format", "csv")

			columns := "pid=id_number,permanent_address=address,record_key=subscriber_id"
			out := filepath.Join(dir, "out")
			stdout, _ := cli("reconcile", "--file", list, "--columns", columns, "--max-per-citizen", "2", "--out", out)
			if !strings.Contains(stdout, "2000 records") || !strings.Contains(stdout, "scorecard: correct") {
				t.Errorf("summary: %s", stdout)
			}
			rows := readCSV(t, filepath.Join(out, "records.csv"))
			if len(rows) != 2001 || strings.Join(rows[0], ",") != "record_key,line,status,pid,differing_fields,duplicate_of,deceased,over_limit,probability,decided,corrections,errors" {
				t.Fatalf("records.csv: %d rows, header %v", len(rows), rows[0])
			}
			truthRows := readCSV(t, truth)
			want := map[string]string{}
			for _, r := range truthRows[1:] {
				want[r[0]] = r[1]
			}
			linked, wrong := 0, 0
			for _, r := range rows[1:] {
				if r[2] == "match" || r[2] == "match_with_corrections" {
					linked++
					if r[3] != want[r[0]] {
						wrong++
					}
				}
			}
			if linked < 1800 || wrong > 0 {
				t.Errorf("%d linked, %d of them wrongly", linked, wrong)
			}
			for _, name := range []string{"report.json", "report.html"} {
				if _, err := os.Stat(filepath.Join(out, name)); err != nil {
					t.Error(err)
				}
			}
			if after, _ := cli("export", "--format", "csv"); after != before {
				t.Error("the register changed during a reconciliation")
			}

			// A broken file completes, with row-level errors.
			broken := filepath.Join(dir, "broken.csv")
			data, err := os.ReadFile(list)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitAfter(string(data), "\n")
			lines = append(lines[:5], append([]string{
				"X1,001090000001,Nguyễn Văn An,31/02/1990,Nam,,,01/01/2020,extra\n",
				"X2,001090000001,Nguy\xe1n V\xe3n An,01/02/1990,Nam,,,01/01/2020\n",
				"X3,001090000001,Nguyễn Văn An,not a date,Nam,,,01/01/2020\n",
			}, lines[5:]...)...)
			if err := os.WriteFile(broken, []byte(strings.Join(lines, "")), 0o600); err != nil {
				t.Fatal(err)
			}
			out2 := filepath.Join(dir, "out2")
			cli("reconcile", "--file", broken, "--columns", columns, "--out", out2, "--json")
			var rep struct {
				Records int64 `json:"records"`
				Errors  struct {
					Rows  int64 `json:"rows"`
					First []struct {
						Line   int64  `json:"line"`
						Reason string `json:"reason"`
					} `json:"first"`
				} `json:"row_errors"`
			}
			raw, err := os.ReadFile(filepath.Join(out2, "report.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Records != 2003 || rep.Errors.Rows != 3 {
				t.Errorf("broken file: %d records, %d rows with errors; want 2003 and 3 (%+v)", rep.Records, rep.Errors.Rows, rep.Errors.First)
			}

			// The runs are kept for review.
			db, err := openStore(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			runs, err := db.ReconcileRuns(context.Background(), 10)
			db.Close()
			if err != nil || len(runs) != 2 {
				t.Fatalf("kept runs: %d, %v", len(runs), err)
			}

			// An agency uploads the list.
			var added struct {
				Key string `json:"key"`
			}
			addOut, _ := cli("agency add", "--name", "Nhà mạng Thử", "--kind", "telecom", "--operations", "reconcile",
				"--fields", "full_name", "--purposes", "sim-registration", "--rate-limit", "0", "--json")
			if err := json.Unmarshal([]byte(addOut), &added); err != nil {
				t.Fatal(err)
			}
			base, stop := startStoppableServer(t, cfg)
			defer stop()
			waitReady(t, base)
			f, err := os.Open(list)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			req, _ := http.NewRequest("POST", base+"/v1/reconcile?purpose=sim-registration&columns="+columns, f)
			req.Header.Set("Authorization", "Bearer "+added.Key)
			req.Header.Set("Content-Type", "text/csv")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("upload: %s", resp.Status)
			}
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(nil, 1<<24)
			var n, apiLinked int
			var summary bool
			for sc.Scan() {
				var line map[string]any
				if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
					t.Fatalf("line %d: %v", n, err)
				}
				if _, ok := line["summary"]; ok {
					summary = true
					continue
				}
				n++
				if line["pid"] != nil {
					apiLinked++
				}
				if c, ok := line["corrections"].(map[string]any); ok {
					for k := range c {
						if k != "full_name" {
							t.Errorf("corrections reveal %s, outside the key's scope", k)
						}
					}
				}
			}
			if n != 2000 || !summary || apiLinked != linked {
				t.Errorf("upload: %d lines, summary %v, %d linked (the command line linked %d)", n, summary, apiLinked, linked)
			}
			// Without the purpose, or outside the scope, it is refused.
			req, _ = http.NewRequest("POST", base+"/v1/reconcile", strings.NewReader("a,b\n"))
			req.Header.Set("Authorization", "Bearer "+added.Key)
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 400 {
				t.Errorf("no purpose: %v %v", resp.Status, err)
			}
			stop()
			audited, _ := cli("audit verify", "--json")
			var av struct {
				Accesses int64 `json:"accesses"`
				OK       bool  `json:"ok"`
			}
			if err := json.Unmarshal([]byte(audited), &av); err != nil || !av.OK || av.Accesses < int64(apiLinked) {
				t.Errorf("audit after the upload: %s (%v), want at least %d accesses", audited, err, apiLinked)
			}
		})
	}
}

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
