package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

// This file is the verification index's feed (verify.ChangeSource): which
// citizens the register changed after a point of its event log. It reads
// the events table by its primary key alone — event ids are time-ordered
// (UUIDv7) and the secondary indexes may be set aside during a bulk load —
// and the citizens table by its primary key. See docs/verify.md.

// feedBatch bounds the ids bound to one IN list: well under the
// parameter limits of both engines.
const feedBatch = 500

// EventIDsAfter lists, in id order, the ids of at most limit events whose
// id is greater than after and, unless upTo is empty, at most upTo. An
// empty after starts at the first event.
func (db *DB) EventIDsAfter(ctx context.Context, after, upTo string, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	var query string
	args := []any{after}
	if upTo == "" {
		query = `SELECT id FROM events WHERE id > $1 ORDER BY id LIMIT $2`
	} else {
		query = `SELECT id FROM events WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3`
		args = append(args, upTo)
	}
	rows, err := db.read.QueryContext(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list events after %q: %w", after, err)
	}
	defer rows.Close()
	ids := make([]string, 0, min(limit, 256))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list events after %q: %w", after, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list events after %q: %w", after, err)
	}
	return ids, nil
}

// CountEventsBetween counts the events whose id is greater than after and
// at most upTo: a walk of the primary key's range, which the verification
// index compares with what it has read to find events committed late.
func (db *DB) CountEventsBetween(ctx context.Context, after, upTo string) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx,
		`SELECT count(*) FROM events WHERE id > $1 AND id <= $2`, after, upTo).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count events in (%q, %q]: %w", after, upTo, err)
	}
	return n, nil
}

// CitizensChangedBy returns the current record of every citizen that the
// events with the given ids changed (their subjects), each once, in no
// particular order. Ids of events that do not exist are ignored. A record
// may be newer than the events: it is read as it stands now.
func (db *DB) CitizensChangedBy(ctx context.Context, eventIDs []string) ([]registry.Citizen, error) {
	seen := make(map[pid.PID]bool)
	var pids []string
	for start := 0; start < len(eventIDs); start += feedBatch {
		part := eventIDs[start:min(start+feedBatch, len(eventIDs))]
		rows, err := db.read.QueryContext(ctx,
			`SELECT pid, data FROM events WHERE id IN (`+placeholders(len(part))+`)`, stringArgs(part)...)
		if err != nil {
			return nil, fmt.Errorf("read %d changed events: %w", len(part), err)
		}
		for rows.Next() {
			var number string
			var data []byte
			if err := rows.Scan(&number, &data); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read changed events: %w", err)
			}
			subjects, err := eventSubjects(pid.PID(number), data)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("read changed events: event of %s: %w", number, err)
			}
			for _, s := range subjects {
				if !seen[s] {
					seen[s] = true
					pids = append(pids, string(s))
				}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read changed events: %w", err)
		}
	}
	out := make([]registry.Citizen, 0, len(pids))
	for start := 0; start < len(pids); start += feedBatch {
		part := pids[start:min(start+feedBatch, len(pids))]
		rows, err := db.read.QueryContext(ctx,
			`SELECT data FROM citizens WHERE pid IN (`+placeholders(len(part))+`)`, stringArgs(part)...)
		if err != nil {
			return nil, fmt.Errorf("read %d changed citizens: %w", len(part), err)
		}
		cs, err := collectJSON[registry.Citizen](rows)
		if err != nil {
			return nil, fmt.Errorf("read changed citizens: %w", err)
		}
		out = append(out, cs...)
	}
	return out, nil
}

// eventSubjects reads the citizens an event changed from its row: the
// subjects of its body, or its own PID when the body leaves them out (see
// registry.EventBody).
func eventSubjects(number pid.PID, data []byte) ([]pid.PID, error) {
	// Most events change only their own citizen; their bodies do not
	// name subjects, and need no decoding.
	if !bytes.Contains(data, []byte(`"subjects"`)) {
		return []pid.PID{number}, nil
	}
	var body struct {
		Subjects []pid.PID `json:"subjects"`
	}
	if err := json.Unmarshal(data, &body); err != nil {
		return nil, err
	}
	if len(body.Subjects) == 0 {
		return []pid.PID{number}, nil
	}
	return body.Subjects, nil
}

// placeholders is "$1, $2, …, $n".
func placeholders(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

func stringArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// verifyFields is the part of a citizen's JSON that verification compares
// (see verify.Index.Put), decoded without the rest.
type verifyFields struct {
	PID         pid.PID       `json:"pid"`
	FullName    string        `json:"full_name"`
	DateOfBirth registry.Date `json:"date_of_birth"`
	Gender      pid.Gender    `json:"gender"`
	OldIDNumber string        `json:"old_id_number"`
	IDCard      *struct {
		IssueDate registry.Date `json:"issue_date"`
	} `json:"id_card"`
	PermanentAddress registry.Address `json:"permanent_address"`
	Status           registry.Status  `json:"status"`
	DateOfDeath      registry.Date    `json:"date_of_death"`
	Phone            string           `json:"phone"`
	Version          int64            `json:"version"`
}

// EachCitizenBrief calls fn with every citizen in no particular order, like
// EachCitizen in one snapshot and constant memory, but holding only the
// fields verification and reconciliation compare: number, full name, date of
// birth, gender, old ID number, ID card issue date, permanent address,
// status, date of death, phone and version. It is for building the
// verification index at start (verify.Index.Build) and the snapshot a
// reconciliation matches against, and the records are for nothing else: it
// reads the table in storage order, without sorting, and decodes the rows on
// every core while fn, called from one goroutine at a time, takes them.
func (db *DB) EachCitizenBrief(ctx context.Context, fn func(registry.Citizen) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const batch = 256
	workers := max(1, runtime.GOMAXPROCS(0))
	raw := make(chan [][]byte, workers)
	decoded := make(chan []registry.Citizen, workers)
	errs := make(chan error, workers+1)
	fail := func(err error) {
		errs <- err
		cancel()
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the reader
		defer wg.Done()
		defer close(raw)
		if err := db.readCitizenRows(ctx, batch, raw); err != nil {
			fail(err)
		}
	}()
	var decoders sync.WaitGroup
	for range workers {
		decoders.Add(1)
		go func() {
			defer decoders.Done()
			for rows := range raw {
				cs := make([]registry.Citizen, len(rows))
				for i, data := range rows {
					var err error
					if cs[i], err = briefCitizen(data); err != nil {
						fail(fmt.Errorf("list citizens: %w", err))
						return
					}
				}
				select {
				case decoded <- cs:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		decoders.Wait()
		close(decoded)
	}()
	var err error
	for cs := range decoded {
		for _, c := range cs {
			if err != nil {
				break
			}
			if err = fn(c); err != nil {
				cancel()
			}
		}
	}
	// The decoders are done; the reader stops at the cancellation or the
	// end of the rows.
	for range raw {
	}
	wg.Wait()
	if err != nil {
		return err
	}
	select {
	case err := <-errs:
		return err
	default:
	}
	return ctx.Err()
}

// readCitizenRows sends the JSON of every citizen, n rows at a time.
func (db *DB) readCitizenRows(ctx context.Context, n int, out chan<- [][]byte) error {
	rows, err := db.read.QueryContext(ctx, `SELECT data FROM citizens`)
	if err != nil {
		return fmt.Errorf("list citizens: %w", err)
	}
	defer rows.Close()
	batch := make([][]byte, 0, n)
	send := func() bool {
		select {
		case out <- batch:
			batch = make([][]byte, 0, n)
			return true
		case <-ctx.Done():
			return false
		}
	}
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return fmt.Errorf("list citizens: %w", err)
		}
		if batch = append(batch, data); len(batch) == n && !send() {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list citizens: %w", err)
	}
	if len(batch) > 0 {
		send()
	}
	return nil
}

// briefCitizen decodes the fields of verifyFields from a citizen's JSON.
func briefCitizen(data []byte) (registry.Citizen, error) {
	var v verifyFields
	if err := json.Unmarshal(data, &v); err != nil {
		return registry.Citizen{}, err
	}
	c := registry.Citizen{PID: v.PID, FullName: v.FullName, DateOfBirth: v.DateOfBirth, Gender: v.Gender,
		OldIDNumber: v.OldIDNumber, PermanentAddress: v.PermanentAddress, Status: v.Status, DateOfDeath: v.DateOfDeath,
		Phone: v.Phone, Version: v.Version}
	if v.IDCard != nil {
		c.IDCard = &registry.IDCard{IssueDate: v.IDCard.IssueDate}
	}
	return c, nil
}
