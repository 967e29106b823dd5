package access

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"dancu/internal/agency"
	"dancu/internal/audit"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/registry/registrytest"
	"dancu/internal/rowfile"
	"dancu/internal/verify"
)

// memAudit records appends in memory.
type memAudit struct {
	mu      sync.Mutex
	records []audit.Record
}

func (m *memAudit) Append(_ context.Context, r audit.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records = append(m.records, r)
	return nil
}

func (m *memAudit) accesses() int {
	n := 0
	for _, r := range m.records {
		n += len(r.Accesses)
	}
	return n
}

// FuzzBatch feeds any bytes to a batch, as CSV and as NDJSON: it never
// fails on a bad row, writes one line per row it reads and a summary that
// counts them, and audits every row it verified.
func FuzzBatch(f *testing.F) {
	for _, seed := range []string{
		"pid,full_name,date_of_birth\n001080000001,Nguyễn Văn An,1980\n",
		"record_key,pid,gender\nK,001080000001,male\nK2,0010800000XY,x\n\"unterminated\n",
		`{"pid":"001080000001","full_name":"An","purpose":"kyc"}` + "\n{broken\n" + `{"pid":1}` + "\n",
		"\xef\xbb\xbfpid\n001080000001\n\n",
		"pid,pid\n1,2\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	units := registrytest.Units(f)
	ix := verify.NewIndex(units)
	ix.Put(registry.Citizen{PID: "001080000001", FullName: "Nguyễn Văn An", Gender: pid.Male, DateOfBirth: registry.MustDate("1980-03-04"),
		Version: 1, PermanentAddress: registry.Address{CommuneCode: "00004", Era: "2025"}})
	p := agency.Principal{Agency: agency.Agency{ID: "a"}, Key: agency.Key{ID: "k", Scope: agency.Scope{
		Operations: []agency.Operation{agency.OpBatch}, Purposes: []string{"kyc"},
		Fields: []string{"pid", "old_id_number", "full_name", "date_of_birth", "gender", "id_card_issue_date", "permanent_address", "phone"}}}}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, format := range []rowfile.Format{rowfile.CSV, rowfile.NDJSON} {
			log := &memAudit{}
			s := New(ix, log, nil, nil)
			s.SetReady()
			var out bytes.Buffer
			sum, err := s.Batch(context.Background(), p, bytes.NewReader(in), &out, BatchOptions{Purpose: "kyc", Format: format})
			if err != nil && !strings.Contains(err.Error(), ErrBatchStream.Error()) {
				t.Fatalf("%s: %v", format, err)
			}
			lines, verified := 0, 0
			var last map[string]json.RawMessage
			sc := bufio.NewScanner(&out)
			sc.Buffer(nil, 4<<20)
			for sc.Scan() {
				if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
					t.Fatalf("%s: output line %q is not JSON: %v", format, sc.Text(), err)
				}
				if _, ok := last["summary"]; !ok {
					lines++
					var r struct{ Result string }
					_ = json.Unmarshal(sc.Bytes(), &r)
					if r.Result != "error" {
						verified++
					}
				}
			}
			if _, ok := last["summary"]; !ok {
				t.Fatalf("%s: no summary line:\n%s", format, out.String())
			}
			if int64(lines) != sum.Total || sum.Total != sum.ExactMatch+sum.Mismatch+sum.NotFound+sum.Errors {
				t.Fatalf("%s: %d lines, summary %+v", format, lines, sum)
			}
			if log.accesses() != verified {
				t.Fatalf("%s: %d rows verified, %d audited", format, verified, log.accesses())
			}
		}
	})
}
