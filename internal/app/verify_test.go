package app

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dancu/internal/store/storetest"
)

// A connected agency's view of a running server, on each engine: citizens
// imported by another process while it serves are verifiable shortly
// after (the index follows the register); after a restart the index is
// rebuilt, the audit chain goes on intact and the statistics are kept; the
// command line runs a batch as the agency.
func TestVerifyWhileServingAndAfterRestart(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dir, cfg, where := onEngine(t, engine)
			// cli runs command (its words) with the database flags first.
			cli := func(env map[string]string, command string, args ...string) string {
				t.Helper()
				all := append(append(strings.Fields(command), where...), args...)
				code, out, errs := run(t, "", env, all...)
				if code != 0 {
					t.Fatalf("dancu %s: exit %d\n%s", strings.Join(all, " "), code, errs)
				}
				return out
			}
			var added struct {
				Key string `json:"key"`
			}
			out := cli(nil, "agency add", "--name", "Ngân hàng Thử", "--kind", "bank", "--operations", "verify,batch",
				"--fields", "pid,full_name,date_of_birth,gender", "--purposes", "kyc", "--rate-limit", "0", "--json")
			if err := json.Unmarshal([]byte(out), &added); err != nil || added.Key == "" {
				t.Fatalf("agency add: %v\n%s", err, out)
			}
			base, stop := startStoppableServer(t, cfg)
			waitReady(t, base)

			// Another process imports people while the server runs.
			people := filepath.Join(dir, "people.csv")
			cli(nil, "generate", "--count", "40", "--seed", "3", "--out", people)
			rows := readRows(t, people)
			imported := time.Now()
			cli(nil, "import", people)
			last := rows[len(rows)-1]
			body := `{"purpose":"kyc","pid":"` + last["pid"] + `","full_name":"` + last["full_name"] + `","date_of_birth":"` + last["date_of_birth"] + `"}`
			var seen time.Duration
			answered := 0 // every 200 is an audited access, "not_found" included
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				status, res := postVerify(t, base, added.Key, body)
				if status == 200 {
					answered++
				}
				if status == 200 && res["result"] == "match" {
					seen = time.Since(imported)
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("a citizen imported while serving is still %d %v after 10s", status, res)
				}
			}
			t.Logf("a citizen imported by another process was verifiable %v after the import began", seen.Round(time.Millisecond))
			for _, r := range rows[:10] {
				status, res := postVerify(t, base, added.Key, `{"purpose":"kyc","pid":"`+r["pid"]+`","gender":"`+r["gender"]+`"}`)
				if status != 200 || res["result"] != "match" {
					t.Fatalf("verify %s: %d %v", r["pid"], status, res)
				}
				answered++
			}
			stop()

			// Restart: the index is rebuilt from the register, the log
			// goes on.
			cfg.Addr = freeAddr(t)
			base, stop = startStoppableServer(t, cfg)
			waitReady(t, base)
			status, res := postVerify(t, base, added.Key, body)
			if status != 200 || res["result"] != "match" {
				t.Fatalf("after restart: %d %v", status, res)
			}
			answered++
			stop()

			// A batch from the command line, as the agency.
			batch := filepath.Join(dir, "batch.csv")
			var b strings.Builder
			b.WriteString("record_key,pid,full_name,date_of_birth\n")
			for i, r := range rows[:5] {
				b.WriteString("R" + string(rune('0'+i)) + "," + r["pid"] + "," + r["full_name"] + "," + r["date_of_birth"] + "\n")
			}
			b.WriteString("bad,12345,X,1990\n")
			if err := os.WriteFile(batch, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			results := cli(map[string]string{EnvAgencyKey: added.Key}, "verify", "--file", batch, "--purpose", "kyc")
			lines := strings.Split(strings.TrimSpace(results), "\n")
			if len(lines) != 7 || !strings.Contains(lines[5], `"result":"error"`) || !strings.Contains(lines[6], `"exact_match":5`) {
				t.Fatalf("verify --file:\n%s", results)
			}

			var rep struct {
				Entries  int64 `json:"entries"`
				Accesses int64 `json:"accesses"`
				OK       bool  `json:"ok"`
			}
			out = cli(nil, "audit verify", "--json")
			if err := json.Unmarshal([]byte(out), &rep); err != nil || !rep.OK || rep.Accesses != int64(answered+5) {
				t.Fatalf("audit verify after restart: %+v (%v), want %d accesses\n%s", rep, err, answered+5, out)
			}
		})
	}
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
	}
	t.Fatal("the server was not ready within 20s")
}

func postVerify(t *testing.T, base, key, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/v1/verify", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// readRows reads a CSV file written by generate, living citizens only.
func readRows(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	head, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for i, h := range head {
			m[h] = rec[i]
		}
		if m["status"] == "alive" {
			rows = append(rows, m)
		}
	}
	return rows
}
