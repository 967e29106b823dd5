package reconcile

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"dancu/internal/reconcile/input"
)

// FuzzRun feeds arbitrary files to a whole run against a small register:
// a run either refuses the file with an error that says why, or completes
// with one outcome per record, each with a known status, a linked one
// with a citizen, and the report counting them all.
func FuzzRun(f *testing.F) {
	reg, all := fixture(f)
	var seed bytes.Buffer
	seed.WriteString("subscriber_id,id_number,full_name,date_of_birth,gender,address,phone\n")
	for _, row := range crowdRows(all, units(f), 30) {
		for i, v := range row {
			if i > 0 {
				seed.WriteByte(',')
			}
			seed.WriteString(v)
		}
		seed.WriteByte('\n')
	}
	f.Add(seed.Bytes())
	f.Add([]byte("subscriber_id;id_number;full_name\nA;001090012345;Nguyễn Văn An\nB;\"0010900\n12345\";x\n"))
	f.Add([]byte("{\"subscriber_id\":\"A\",\"id_number\":\"011223344\",\"full_name\":\"NGUYEN VAN AN\"}\n{broken\n"))
	f.Add([]byte("\xff\xfes\x00u\x00b\x00"))
	f.Add([]byte("subscriber_id,full_name,date_of_birth\nA,Tr\xd2n,31/02/1990\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var outcomes []Outcome
		rep, err := Run(context.Background(), reg, Config{
			Dataset: "fuzz", SampleSize: 1000,
			Open:  func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
			Input: input.Options{Columns: map[string]string{"record_key": "subscriber_id", "pid": "id_number", "permanent_address": "address"}},
			Sink: func(o *Outcome) error {
				outcomes = append(outcomes, *o)
				return nil
			},
		})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			var fe *input.FileError
			if len(outcomes) > 0 && !errors.As(err, &fe) {
				t.Fatalf("the run failed after %d outcomes: %v", len(outcomes), err)
			}
			return
		}
		if rep.Records != int64(len(outcomes)) {
			t.Fatalf("the report counts %d records, the sink saw %d", rep.Records, len(outcomes))
		}
		var counted int64
		for _, n := range rep.Statuses {
			counted += n
		}
		if counted != rep.Records {
			t.Fatalf("statuses add up to %d of %d records", counted, rep.Records)
		}
		for _, o := range outcomes {
			if !slices.Contains(Statuses, o.Status) {
				t.Fatalf("unknown status %q", o.Status)
			}
			linked := o.Status == StatusMatch || o.Status == StatusCorrected
			if linked != (o.PID != "") {
				t.Fatalf("status %s with pid %q", o.Status, o.PID)
			}
			if o.Record.Line <= 0 {
				t.Fatalf("an outcome without a line: %+v", o.Record)
			}
		}
	})
}
