// Package audit is dancu's tamper-evident access log: every verify, lookup
// and batch-verify row by a connected agency is recorded before the agency
// gets its answer, and every citizen can be shown each access to their
// record.
//
// Entries are append-only and hash-chained: each entry's hash is SHA-256
// over a canonical encoding of the entry and the previous entry's hash
// (encode.go). A log has one chain per writer (Options.Chain), so writers
// in separate processes never wait for each other's sequence numbers;
// checkpoints sign the head of every chain with Ed25519 (checkpoint.go), and
// Verify recomputes every chain from its first entry and compares it with
// the stored checkpoints and, above all, with checkpoints exported earlier
// to a place the database's administrators cannot rewrite (verify.go).
//
// Appends are group-committed: every Append waiting while a transaction is
// being written goes into the next one, which is committed with one sync
// for all of them, and each Append returns only once its entry is durable
// (log.go). See docs/audit.md for the formats and the guarantees.
package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"dancu/internal/pid"
)

// Access is one citizen's data touched by a request: whose (PID), which
// fields, and the result given to the agency ("match", "mismatch",
// "not_found", "ok" …).
//
// A PID that is not 12 digits (an agency asked about a number that does
// not parse, or about an old ID number that matched nobody, leaving it
// empty) is recorded and chained like any other, but belongs to no
// citizen's access view.
type Access struct {
	PID    pid.PID  `json:"pid"`
	Fields []string `json:"fields"`
	Result string   `json:"result"`
}

// Record is what one request did: one verify or lookup, or one chunk of
// the rows of a batch (all with the same purpose). At is the time of the
// access; when zero, Append stamps it with Options.Now. It is kept to the
// microsecond.
type Record struct {
	At        time.Time `json:"at"`
	AgencyID  string    `json:"agency_id"`
	KeyID     string    `json:"key_id"`
	Purpose   string    `json:"purpose"`
	Operation string    `json:"operation"`
	RequestID string    `json:"request_id"`
	Accesses  []Access  `json:"accesses"`
}

// Entry is a Record as the log holds it: its place in a chain (Seq counts
// from 1 on each chain), the hash of the entry before it (zero for the
// first) and its own hash.
type Entry struct {
	Chain int   `json:"chain"`
	Seq   int64 `json:"seq"`
	Record
	PrevHash [32]byte `json:"prev_hash"`
	Hash     [32]byte `json:"hash"`

	// enc caches the canonical encoding of Accesses, made once by Append
	// (off the writer's path) or kept from the database on reading.
	enc []byte
	// decodeErr is why enc, read from the database, does not decode.
	decodeErr error
}

// MarshalJSON writes the hashes in hex.
func (e Entry) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Chain int   `json:"chain"`
		Seq   int64 `json:"seq"`
		Record
		PrevHash string `json:"prev_hash"`
		Hash     string `json:"hash"`
	}{e.Chain, e.Seq, e.Record, hex.EncodeToString(e.PrevHash[:]), hex.EncodeToString(e.Hash[:])})
}

// Head is the newest entry of a chain: its sequence number and hash.
type Head struct {
	Chain int
	Seq   int64
	Hash  [32]byte
}

type headJSON struct {
	Chain int    `json:"chain"`
	Seq   int64  `json:"seq"`
	Hash  string `json:"hash"`
}

// MarshalJSON writes the hash in lowercase hex.
func (h Head) MarshalJSON() ([]byte, error) {
	return json.Marshal(headJSON{h.Chain, h.Seq, hex.EncodeToString(h.Hash[:])})
}

// UnmarshalJSON reads what MarshalJSON writes, refusing unknown fields and
// a hash that is not 64 hex digits.
func (h *Head) UnmarshalJSON(data []byte) error {
	var j headJSON
	if err := strictJSON(data, &j); err != nil {
		return err
	}
	b, err := hex.DecodeString(j.Hash)
	if err != nil || len(b) != len(h.Hash) {
		return fmt.Errorf("head of chain %d: hash must be 64 hex digits", j.Chain)
	}
	h.Chain, h.Seq = j.Chain, j.Seq
	copy(h.Hash[:], b)
	return nil
}

// AccessView is one access to a citizen's record as the citizen and
// officers see it: who (agency and key), when, doing what, for which
// purpose, which fields and with what result; Chain and Seq locate the
// entry that records it.
type AccessView struct {
	At        time.Time `json:"at"`
	AgencyID  string    `json:"agency_id"`
	KeyID     string    `json:"key_id"`
	Operation string    `json:"operation"`
	Purpose   string    `json:"purpose"`
	RequestID string    `json:"request_id"`
	Fields    []string  `json:"fields"`
	Result    string    `json:"result"`
	Chain     int       `json:"chain"`
	Seq       int64     `json:"seq"`
}

// IndexRow is a row of the per-citizen access index: access number Index
// (counted from 0) of entry (Chain, Seq), made at At, touched the citizen
// PID. Verify checks the index against the chained entries.
type IndexRow struct {
	PID   pid.PID
	At    time.Time
	Chain int
	Seq   int64
	Index int
}

// Store keeps the log; *store.DB implements it (internal/store/audit.go).
type Store interface {
	// AppendAudit runs one write transaction on chain: it locks the
	// chain's head against other writers, reads it (Seq 0 and a zero hash
	// for a chain with no entries), calls seal with it, and stores the
	// entries seal returns, which continue the chain from that head, and
	// the new head. All or nothing; when it returns nil the transaction is
	// durable.
	AppendAudit(ctx context.Context, chain int, seal func(head Head) ([]Entry, error)) error
	// IndexAudit adds to the per-citizen index the accesses of the entries
	// of chain after its index watermark, whole entries up to about
	// maxRows accesses, and raises the watermark past them. It writes in
	// several short transactions, calling between with the rows written
	// after each but the last, so that a caller sharing the database's
	// one writer can slip its own writes in; rows already indexed are
	// skipped, so indexers may overlap. It returns the new watermark and
	// whether entries beyond it were left for another call.
	IndexAudit(ctx context.Context, chain int, maxRows int, between func(rows int) error) (through int64, more bool, err error)
	// AuditHeads returns the head of every chain that has entries, by
	// chain.
	AuditHeads(ctx context.Context) ([]Head, error)
	// AuditIndexWatermarks returns, for every chain, the sequence number
	// through which the per-citizen index is complete.
	AuditIndexWatermarks(ctx context.Context) (map[int]int64, error)
	// ScanAudit calls fn with every entry, chain by chain in sequence
	// order, with PrevHash set to the hash stored with the entry before.
	ScanAudit(ctx context.Context, fn func(Entry) error) error
	// ScanAuditIndex calls fn with every row of the per-citizen index, in
	// no particular order.
	ScanAuditIndex(ctx context.Context, fn func(IndexRow) error) error
	// AuditAccesses returns up to limit accesses to the citizen number,
	// newest first: the index, and the entries past its watermark.
	AuditAccesses(ctx context.Context, number pid.PID, limit int) ([]AccessView, error)
	// SaveAuditCheckpoint stores a signed checkpoint.
	SaveAuditCheckpoint(ctx context.Context, c Checkpoint) error
	// AuditCheckpoints returns every stored checkpoint, oldest first.
	AuditCheckpoints(ctx context.Context) ([]Checkpoint, error)
	// LatestAuditCheckpoint returns the newest stored checkpoint, or
	// ErrNoCheckpoint.
	LatestAuditCheckpoint(ctx context.Context) (Checkpoint, error)
}

// Errors callers branch on.
var (
	// ErrClosed is returned by Append after Close.
	ErrClosed = errors.New("audit log is closed")
	// ErrInvalidRecord matches every refusal of a record that lacks what
	// an audit entry must say.
	ErrInvalidRecord = errors.New("invalid audit record")
	// ErrNoCheckpoint means no checkpoint has been made yet.
	ErrNoCheckpoint = errors.New("no audit checkpoint yet")
	// ErrCorrupt matches every stored entry, access list or checkpoint
	// that does not decode.
	ErrCorrupt = errors.New("corrupt audit data")
)

// validate checks what every record must say: who and what.
func (r *Record) validate() error {
	switch {
	case r.AgencyID == "":
		return fmt.Errorf("%w: no agency ID", ErrInvalidRecord)
	case r.Operation == "":
		return fmt.Errorf("%w: no operation", ErrInvalidRecord)
	}
	return nil
}

// strictJSON decodes one JSON value into v, refusing unknown fields and
// anything after the value.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}
