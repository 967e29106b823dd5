// Package audit is dancu's tamper-evident access log: every verify, lookup
// and batch-verify row by a connected agency is recorded before the agency
// gets its answer, and every citizen can be shown each access to their
// record.
//
// Entries are append-only and hash-chained: an entry holds the records of
// one group commit, and its hash is SHA-256 over a canonical encoding of
// those records and the previous entry's hash (encode.go). A log has one chain per writer (Options.Chain), so writers
// in separate processes never wait for each other's sequence numbers;
// checkpoints sign the head of every chain with Ed25519 (checkpoint.go), and
// Verify recomputes every chain from its first entry and compares it with
// the stored checkpoints and, above all, with checkpoints exported earlier
// to a place the database's administrators cannot rewrite (verify.go).
//
// Appends are group-committed: every Append waiting while a transaction is
// being written goes into the next one, which writes them as one entry and
// is committed with one sync for all of them, and each Append returns only
// once its record is durable (log.go). See docs/audit.md for the formats and the guarantees.
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

// Entry is one link of a chain: the records one group commit wrote (each
// with its own time, agency, key, purpose, operation, request and
// accesses), its place in the chain (Seq counts from 1 on each chain), the
// hash of the entry before it (zero for the first) and its own hash.
//
// V1 marks an entry of the first format, which held exactly one record
// (table audit_entries, written by dancu before entries held groups): such
// entries are read, indexed and verified with their own hash, never
// written.
type Entry struct {
	Chain    int      `json:"chain"`
	Seq      int64    `json:"seq"`
	Records  []Record `json:"records"`
	PrevHash [32]byte `json:"prev_hash"`
	Hash     [32]byte `json:"hash"`
	V1       bool     `json:"v1,omitempty"`

	// enc caches the encoding stored in the database (Encoded), made by
	// the writer from the records Append encoded, or kept from the
	// database on reading.
	enc []byte
	// decodeErr is why enc, read from the database, does not decode, and
	// badRecord the record (from 0) it failed in.
	decodeErr error
	badRecord int
}

// MarshalJSON writes the hashes in hex.
func (e Entry) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Chain    int      `json:"chain"`
		Seq      int64    `json:"seq"`
		Records  []Record `json:"records"`
		PrevHash string   `json:"prev_hash"`
		Hash     string   `json:"hash"`
		V1       bool     `json:"v1,omitempty"`
	}{e.Chain, e.Seq, e.Records, hex.EncodeToString(e.PrevHash[:]), hex.EncodeToString(e.Hash[:]), e.V1})
}

// Accesses counts the accesses of all the entry's records.
func (e *Entry) Accesses() int {
	n := 0
	for i := range e.Records {
		n += len(e.Records[i].Accesses)
	}
	return n
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

// IndexRow is a row of the per-citizen access index: the access at
// position Index of entry (Chain, Seq) — counted from 0 over the accesses
// of all its records, in order — touched the citizen whose 12-digit PID
// is the number PID (pid.PID.Uint64), in a record made at At (unix
// microseconds). Verify checks the index against the chained entries.
type IndexRow struct {
	PID   uint64
	At    int64
	Seq   int64
	Chain int32
	Index int32
}

// Store keeps the log; *store.DB implements it (internal/store/audit.go).
type Store interface {
	// AuditWriter returns what a Log's writer goroutine appends and
	// indexes through, for the Log's life.
	AuditWriter(ctx context.Context) (Writer, error)
	// AuditHeads returns the head of every chain that has entries, by
	// chain.
	AuditHeads(ctx context.Context) ([]Head, error)
	// AuditIndexWatermarks returns, for every chain, the sequence number
	// through which the per-citizen index is complete.
	AuditIndexWatermarks(ctx context.Context) (map[int]int64, error)
	// ScanAudit calls fn with every entry, in sequence order within each
	// chain (the chains may interleave), with PrevHash set to the hash
	// stored with the entry before.
	ScanAudit(ctx context.Context, fn func(*Entry) error) error
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

// Writer writes the log for one Log, whose writer goroutine is the only
// one to use it; it may hold resources (prepared statements) until it is
// closed.
type Writer interface {
	// Append runs one write transaction on chain: it locks the chain's
	// head against other writers, reads it (Seq 0 and a zero hash for a
	// chain with no entries), calls seal with it, and stores the entry
	// seal returns, which continues the chain from that head, and the new
	// head. All or nothing; when it returns nil the transaction is
	// durable. A writer may first try the head it last wrote, and call
	// seal again with the head it reads if that is no longer the head.
	Append(ctx context.Context, chain int, seal func(head Head) (*Entry, error)) error
	// AddIndex adds rows to the per-citizen index: they must be the index
	// rows of every entry of chain in (from, through], and are written
	// sorted by the index's key in several short transactions, with
	// between called after each but the last with the rows it wrote, so
	// that appends can slip in. The last transaction raises the chain's
	// watermark to through if it had reached from. It returns the
	// watermark after: through or beyond, unless entries before from were
	// not indexed yet. Rows already indexed are skipped, so indexers may
	// overlap. rows is reordered.
	AddIndex(ctx context.Context, chain int, from, through int64, rows []IndexRow, between func(rows int) error) (int64, error)
	// IndexEntries is AddIndex for entries the caller does not hold: it
	// reads the entries of chain after its watermark, whole entries up to
	// about maxRows accesses, and indexes them. It returns the new
	// watermark and whether entries beyond it were left for another call.
	IndexEntries(ctx context.Context, chain int, maxRows int, between func(rows int) error) (through int64, more bool, err error)
	// Close releases what the writer holds.
	Close() error
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
