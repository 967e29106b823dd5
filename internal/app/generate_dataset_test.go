package app

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dancu/internal/registry"
	"dancu/internal/rowfile"
	"dancu/internal/synth"
)

// telecomRow is a row of a telecom dataset, read back with rowfile.
type telecomRow struct {
	SubscriberID string `json:"subscriber_id"`
	IDNumber     string `json:"id_number"`
	FullName     string `json:"full_name"`
	DateOfBirth  string `json:"date_of_birth"`
	Gender       string `json:"gender"`
	Address      string `json:"address"`
	Phone        string `json:"phone"`
	ActivatedOn  string `json:"activated_on"`
}

func (r *telecomRow) Fields() []*string {
	return []*string{&r.SubscriberID, &r.IDNumber, &r.FullName, &r.DateOfBirth, &r.Gender, &r.Address, &r.Phone, &r.ActivatedOn}
}

// truthRow is a row of a truth file.
type truthRow struct {
	RecordKey string `json:"record_key"`
	PID       string `json:"pid"`
	Kind      string `json:"kind"`
	Noise     string `json:"noise"`
	Deceased  string `json:"deceased"`
}

func (r *truthRow) Fields() []*string {
	return []*string{&r.RecordKey, &r.PID, &r.Kind, &r.Noise, &r.Deceased}
}

func readFlatRows[T any, P rowfile.Row[T]](t *testing.T, path string, names []string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	format, err := rowfile.FormatOf(path, "")
	if err != nil {
		t.Fatal(err)
	}
	rd := rowfile.NewRowReader[T, P](f, format, names, names...)
	var rows []T
	for {
		_, r, err := rd.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rows = append(rows, r)
	}
}

// TestGenerateDataset: a population written by generate, then a telecom
// dataset derived from it; both read back, every row's truth consistent
// with the people, the same command giving the same bytes.
func TestGenerateDataset(t *testing.T) {
	dir := t.TempDir()
	people := filepath.Join(dir, "people.csv")
	if code, _, errOut := run(t, "", nil, "generate", "--count", "3000", "--seed", "5", "--out", people); code != 0 {
		t.Fatalf("generate: %d %s", code, errOut)
	}
	citizens := map[string]registry.Record{}
	for _, r := range readFlatRows[registry.Record](t, people, registry.RecordFields) {
		citizens[r.PID] = r
	}

	for _, ext := range []string{"csv", "ndjson"} {
		out := filepath.Join(dir, "subscribers."+ext)
		truth := filepath.Join(dir, "truth-"+ext+".csv")
		args := []string{"generate", "--dataset", "telecom", "--from", people, "--count", "1000", "--seed", "3",
			"--noise", "repeat=0.2,nonexistent=0.05", "--as-of", "2026-01-01", "--out", out, "--truth", truth}
		code, _, errOut := run(t, "", nil, args...)
		if code != 0 || !strings.Contains(errOut, "1000 telecom rows") || !strings.Contains(errOut, "3000 citizens") {
			t.Fatalf("generate --dataset: %d %s", code, errOut)
		}
		rows := readFlatRows[telecomRow](t, out, synth.Telecom.Columns())
		truths := readFlatRows[truthRow](t, truth, synth.TruthColumns())
		if len(rows) != 1000 || len(truths) != 1000 {
			t.Fatalf("%s: %d rows and %d truths, want 1000", ext, len(rows), len(truths))
		}
		kinds := map[string]int{}
		for i, r := range rows {
			tr := truths[i]
			kinds[tr.Kind]++
			if r.SubscriberID != tr.RecordKey {
				t.Fatalf("row %d: key %s, truth %s", i, r.SubscriberID, tr.RecordKey)
			}
			p, known := citizens[tr.PID]
			switch tr.Kind {
			case "nonexistent":
				if tr.PID != "" || citizens[r.IDNumber].PID != "" {
					t.Fatalf("row %d: made-up person %+v, truth %+v", i, r, tr)
				}
			case "citizen", "repeat":
				if !known || tr.Deceased != map[bool]string{true: "true", false: "false"}[p.Status == "deceased"] {
					t.Fatalf("row %d: truth %+v", i, tr)
				}
				if tr.Noise == "" && (r.IDNumber != p.PID || r.FullName != p.FullName) {
					t.Fatalf("row %d without noise: %+v, citizen %s %s", i, r, p.PID, p.FullName)
				}
			default:
				t.Fatalf("row %d: kind %q", i, tr.Kind)
			}
		}
		if kinds["repeat"] != 200 || kinds["nonexistent"] != 50 {
			t.Errorf("%s: kinds %v", ext, kinds)
		}

		// The same command again writes the same bytes.
		first, _ := os.ReadFile(out)
		firstTruth, _ := os.ReadFile(truth)
		if code, _, errOut := run(t, "", nil, args...); code != 0 {
			t.Fatalf("again: %d %s", code, errOut)
		}
		again, _ := os.ReadFile(out)
		againTruth, _ := os.ReadFile(truth)
		if !bytes.Equal(first, again) || !bytes.Equal(firstTruth, againTruth) {
			t.Errorf("%s: two runs differ", ext)
		}
	}

	// A bank dataset to stdout, without noise: the register's values.
	truth := filepath.Join(dir, "bank-truth.csv")
	code, stdout, errOut := run(t, "", nil, "generate", "--dataset", "bank", "--from", people, "--count", "100",
		"--noise", "none", "--out", "-", "--format", "csv", "--truth", truth)
	if code != 0 {
		t.Fatalf("bank: %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 101 || lines[0] != strings.Join(synth.Bank.Columns(), ",") {
		t.Fatalf("bank: %d lines, header %q", len(lines), lines[0])
	}
}

func TestGenerateDatasetUsage(t *testing.T) {
	dir := t.TempDir()
	people := filepath.Join(dir, "people.csv")
	if code, _, errOut := run(t, "", nil, "generate", "--count", "50", "--out", people); code != 0 {
		t.Fatalf("generate: %d %s", code, errOut)
	}
	out, truth := filepath.Join(dir, "ds.csv"), filepath.Join(dir, "truth.csv")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--dataset", "telecom", "--out", out, "--truth", truth}, 2, "--dataset needs --from"},
		{[]string{"--dataset", "telecom", "--from", people, "--truth", truth}, 2, "--dataset needs --out"},
		{[]string{"--dataset", "telecom", "--from", people, "--out", out}, 2, "--dataset needs --truth"},
		{[]string{"--dataset", "insurance", "--from", people, "--out", out, "--truth", truth}, 2, `unknown dataset "insurance": use telecom or bank`},
		{[]string{"--dataset", "bank", "--from", people, "--out", out, "--truth", out}, 2, "must be different files"},
		{[]string{"--dataset", "bank", "--from", people, "--out", out, "--truth", truth, "--noise", "typo=0.1"}, 2, `unknown noise "typo" (known: repeat, nonexistent`},
		{[]string{"--dataset", "bank", "--from", people, "--out", out, "--truth", truth, "--noise", "id_typo=2"}, 2, "outside [0, 1]"},
		{[]string{"--dataset", "bank", "--from", people, "--out", out, "--truth", truth, "--as-of", "2026-13-01"}, 2, "--as-of"},
		{[]string{"--dataset", "bank", "--from", people, "--out", out, "--truth", truth, "--as-of", "1990-01-01"}, 2, "2000–2099"},
		{[]string{"--dataset", "bank", "--from", filepath.Join(dir, "people.txt"), "--out", out, "--truth", truth}, 2, "name the file .csv"},
		{[]string{"--dataset", "bank", "--from", filepath.Join(dir, "missing.csv"), "--out", out, "--truth", truth}, 1, "missing.csv"},
		{[]string{"--dataset", "bank", "--from", people, "--out", out, "--truth", truth, "--count", "1000"}, 1, "too few eligible citizens"},
		{[]string{"--noise", "none", "--out", out}, 2, "--noise applies to --dataset"},
		{[]string{"--from", people, "--out", out}, 2, "--from applies to --dataset"},
	} {
		code, _, errOut := run(t, "", nil, append([]string{"generate"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("generate %v: exit %d, %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	for _, f := range []string{out, truth} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s written by a failed command", f)
		}
	}
}
