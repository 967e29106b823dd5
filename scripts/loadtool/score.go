package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// score compares the records.csv of dancu reconcile with the truth file
// dancu generate --dataset wrote beside the dataset, and prints the
// confusion counts, precision and recall as JSON.
//
// A record is a true link when it is linked (match or
// match_with_corrections) to its true citizen, a false link when linked
// to anyone else (a stranger, or anyone at all for a person who does not
// exist), missed when a record of a real citizen is not linked, and
// rightly unlinked when a record of a person who does not exist is not.
// Ambiguous records count as not linked; review is their number.
func score(args []string) error {
	fs := flag.NewFlagSet("score", flag.ExitOnError)
	truthFile := fs.String("truth", "", "the truth file (record_key,pid,kind,noise,deceased)")
	recordsFile := fs.String("records", "", "records.csv of dancu reconcile")
	_ = fs.Parse(args)
	truth := map[string]string{}
	err := eachRow(*truthFile, func(col map[string]int, row []string) {
		truth[row[col["record_key"]]] = row[col["pid"]]
	})
	if err != nil {
		return err
	}
	var s struct {
		Records         int     `json:"records"`
		TrueLinks       int     `json:"true_links"`
		FalseLinks      int     `json:"false_links"`
		Missed          int     `json:"missed"`
		RightlyUnlinked int     `json:"rightly_unlinked"`
		Review          int     `json:"review"`
		Precision       float64 `json:"precision"`
		Recall          float64 `json:"recall"`
		ReviewShare     float64 `json:"review_share"`
	}
	var unknown int
	err = eachRow(*recordsFile, func(col map[string]int, row []string) {
		want, ok := truth[row[col["record_key"]]]
		if !ok {
			unknown++
			return
		}
		s.Records++
		status := row[col["status"]]
		linked := status == "match" || status == "match_with_corrections"
		switch {
		case linked && row[col["pid"]] == want:
			s.TrueLinks++
		case linked:
			s.FalseLinks++
		case want != "":
			s.Missed++
		default:
			s.RightlyUnlinked++
		}
		if status == "ambiguous" {
			s.Review++
		}
	})
	if err != nil {
		return err
	}
	if unknown > 0 || s.Records != len(truth) {
		return fmt.Errorf("records.csv has %d records of %d in the truth, and %d not in it", s.Records, len(truth), unknown)
	}
	if s.TrueLinks+s.FalseLinks > 0 {
		s.Precision = float64(s.TrueLinks) / float64(s.TrueLinks+s.FalseLinks)
	}
	if s.TrueLinks+s.Missed > 0 {
		s.Recall = float64(s.TrueLinks) / float64(s.TrueLinks+s.Missed)
	}
	s.ReviewShare = float64(s.Review) / float64(max(s.Records, 1))
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(s)
}

// eachRow calls fn with every row of a CSV file after its header, and the
// header's column positions.
func eachRow(name string, fn func(col map[string]int, row []string)) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fn(col, row)
	}
}
