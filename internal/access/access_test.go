package access

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"dancu/internal/verify"
)

// AppendJSON writes what encoding/json writes.
func TestAppendJSONIsEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	verdicts := []verify.Verdict{verify.Match, verify.Mismatch, verify.NotHeld}
	names := []string{"pid", "old_id_number", "full_name", "date_of_birth", "gender", "id_card_issue_date", "permanent_address", "phone"}
	for range 2000 {
		r := VerifyResponse{RequestID: "01a208df-5fd7-70f8-96fa-242d653097a7"}
		r.Result.Result = []string{"match", "mismatch", "not_found"}[rng.IntN(3)]
		r.Deceased = rng.IntN(2) == 0
		r.Fields = map[string]verify.FieldResult{}
		for _, n := range names {
			if rng.IntN(2) == 0 {
				continue
			}
			f := verify.FieldResult{Verdict: verdicts[rng.IntN(3)]}
			if n == "full_name" {
				exact, folded := rng.IntN(2) == 0, rng.IntN(2) == 0
				score := float64(rng.IntN(1001)) / 1000
				f.Exact, f.Folded, f.Score = &exact, &folded, &score
			}
			r.Fields[n] = f
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		if got := r.AppendJSON(nil); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("AppendJSON:\n%s\nencoding/json:\n%s", got, want.Bytes())
		}
	}
}

// BatchLine.AppendJSON writes what encoding/json writes.
func TestBatchLineAppendJSON(t *testing.T) {
	yes, score := true, 0.875
	for _, l := range []BatchLine{
		{Line: 2, RecordKey: "C-1", PID: "001080000001", Result: "match", Fields: map[string]verify.FieldResult{
			"pid": {Verdict: verify.Match}, "full_name": {Verdict: verify.Match, Exact: &yes, Folded: &yes, Score: &score}}},
		{Line: 3, RecordKey: "khách \"Ân\" <a&b>", Result: "not_found", Deceased: true},
		{Line: 4, Result: "error", Error: &RowProblem{Code: "invalid_row", Detail: "the row has 6 columns, the header 5 <x>"}},
		{Line: 5, PID: "001080000001", Result: "mismatch", Fields: map[string]verify.FieldResult{"gender": {Verdict: verify.Mismatch}}},
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&l); err != nil {
			t.Fatal(err)
		}
		if got := l.AppendJSON(nil); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("AppendJSON:\n%s\nencoding/json:\n%s", got, want.Bytes())
		}
	}
}
