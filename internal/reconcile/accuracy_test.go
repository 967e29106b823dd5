package reconcile

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"testing"

	"dancu/internal/reconcile/input"
	"dancu/internal/registry"
	"dancu/internal/synth"
)

// records replays a slice of register records as a synth.Records.
type records struct {
	all []registry.Record
	i   int
}

func (r *records) Next() (registry.Record, error) {
	if r.i == len(r.all) {
		return registry.Record{}, io.EOF
	}
	r.i++
	return r.all[r.i-1], nil
}

// TestAccuracyOnASyntheticTelecomList reconciles a telecom subscriber list
// derived from a synthetic register at the generator's default noise
// (typos, old ID numbers, swapped dates, old and stale addresses, repeats,
// the dead, people who do not exist) and scores the links against the
// truth written beside it. scripts/bench.sh does the same at a million
// citizens and a million records.
func TestAccuracyOnASyntheticTelecomList(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a population")
	}
	u := units(t)
	gen, err := synth.New(u, synth.Config{Seed: 11, Count: 60000})
	if err != nil {
		t.Fatal(err)
	}
	var people []registry.Record
	for {
		rec, ok := gen.Next()
		if !ok {
			break
		}
		people = append(people, rec)
	}
	svc := registry.NewService(nil, nil, u)
	reg, err := Load(context.Background(), u, func(ctx context.Context, fn func(registry.Citizen) error) error {
		for _, rec := range people {
			in, err := svc.FromRecord(rec)
			if err != nil {
				return err
			}
			if err := fn(in.Citizen); err != nil {
				return err
			}
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}

	kind := synth.Telecom
	d, err := synth.NewDeriver(u, synth.DatasetConfig{Kind: kind, Seed: 5, Count: 40000, Noise: synth.DefaultNoise(kind)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Scan(&records{all: people}); err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	w := csv.NewWriter(&file)
	_ = w.Write(kind.Columns())
	truth := map[string]synth.Truth{}
	err = d.Derive(&records{all: people}, func(row synth.DatasetRow) error {
		truth[row.Truth.RecordKey] = row.Truth
		return w.Write(row.Values)
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Flush()
	data := file.Bytes()

	var tp, fp, fn, tn, review int
	_, err = Run(context.Background(), reg, Config{
		Dataset: "telecom",
		Open:    func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		Input: input.Options{Columns: map[string]string{"record_key": "subscriber_id", "pid": "id_number",
			"permanent_address": "address"}},
		Sink: func(o *Outcome) error {
			want := truth[o.Record.Key].PID
			linked := o.Status == StatusMatch || o.Status == StatusCorrected
			switch {
			case linked && string(o.PID) == want:
				tp++
			case linked:
				fp++
				if fp <= 5 {
					t.Logf("false link: %s %+v to %s, truth %+v", o.Record.Key, o.Record.Raw, o.PID, truth[o.Record.Key])
				}
			case want != "":
				fn++
			default:
				tn++
			}
			if o.Status == StatusAmbiguous {
				review++
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("%d records: %d true links, %d false links, %d missed, %d rightly unlinked, %d for review; precision %.5f, recall %.5f",
		len(truth), tp, fp, fn, tn, review, precision, recall)
	if precision < 0.999 || recall < 0.99 {
		t.Errorf("precision %.5f (want ≥ 0.999), recall %.5f (want ≥ 0.99)", precision, recall)
	}
}
