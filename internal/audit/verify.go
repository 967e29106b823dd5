package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"dancu/internal/pid"
)

// Kinds of Problem.
const (
	// KindEntry: an entry is missing, out of order, or its stored hash is
	// not the hash of its contents and its predecessor.
	KindEntry = "entry"
	// KindDiverged: the recomputed chain disagrees with what a checkpoint
	// signed (an entry was altered and every later hash recomputed, or
	// entries were removed).
	KindDiverged = "diverged"
	// KindCheckpoint: a checkpoint is not signed by the given key.
	KindCheckpoint = "checkpoint"
	// KindIndex: the per-citizen access index disagrees with the entries.
	KindIndex = "index"
)

// Problem is a point where the log is not what it should be.
type Problem struct {
	Kind string `json:"kind"`
	// Chain and Seq locate the first entry found wrong (for KindEntry and
	// KindDiverged; for KindIndex, Chain alone).
	Chain int   `json:"chain"`
	Seq   int64 `json:"seq"`
	// Record is the record of the entry found wrong, counted from 1, when
	// it can be told (an entry whose stored records do not decode); 0 when
	// only the entry as a whole is known to be wrong (a hash differs).
	Record int `json:"record,omitempty"`
	// GoodThrough is the last entry of the chain that a trusted checkpoint
	// vouches for (an exported one when Verify was given any): the damage
	// lies after it and at or before Seq.
	GoodThrough int64  `json:"good_through"`
	Reason      string `json:"reason"`
}

// String describes the problem in one line.
func (p Problem) String() string {
	switch p.Kind {
	case KindEntry, KindDiverged:
		if p.Record > 0 {
			return fmt.Sprintf("chain %d entry %d record %d: %s", p.Chain, p.Seq, p.Record, p.Reason)
		}
		return fmt.Sprintf("chain %d entry %d: %s", p.Chain, p.Seq, p.Reason)
	case KindIndex:
		return fmt.Sprintf("chain %d: %s", p.Chain, p.Reason)
	}
	return p.Reason
}

// Report is what Verify found.
type Report struct {
	// Entries counts the entries read (groups, and entries of the first
	// format), Records and Accesses what they hold.
	Entries  int64  `json:"entries"`
	Records  int64  `json:"records"`
	Accesses int64  `json:"accesses"`
	Chains   int    `json:"chains"`
	Heads    []Head `json:"heads"` // the recomputed head of every chain
	// Checkpoints counts the stored checkpoints checked, Against the
	// exported ones.
	Checkpoints int   `json:"checkpoints"`
	Against     int   `json:"against"`
	IndexRows   int64 `json:"index_rows"`
	// Unindexed counts the entries past the index's watermark, which the
	// index comparison leaves out (the access view reads them directly).
	Unindexed int64 `json:"unindexed"`
	// Problems lists what is wrong: checkpoints first, then each chain's
	// first problem in chain order, then the index. Empty when the log is
	// intact.
	Problems []Problem `json:"problems"`
}

// OK reports whether Verify found nothing wrong.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Verify recomputes every chain from its first entry and checks it
// against the stored checkpoints (each must be signed by pub) and, when
// against is not nil, against that checkpoint, exported earlier (it too
// must be signed by pub). The report names the first broken entry of each
// chain, or the first point where the log disagrees with a checkpoint.
//
// Someone who can rewrite the database and holds the signing key can
// alter an entry, recompute every later hash and re-sign the stored
// checkpoints; only a checkpoint kept outside their reach (against), with
// the public key taken from outside the data directory (pub), shows it.
//
// The error is for failures to read the store; what is wrong with the log
// is in the report.
func Verify(ctx context.Context, store Store, pub ed25519.PublicKey, against *Checkpoint) (Report, error) {
	var list []Checkpoint
	if against != nil {
		list = append(list, *against)
	}
	return VerifyAgainst(ctx, store, pub, list)
}

// mark is a point of a chain that a checkpoint signed.
type mark struct {
	seq      int64
	hash     [32]byte
	exported bool
	at       time.Time
}

func (m mark) name() string {
	if m.exported {
		return "exported checkpoint of " + m.at.Format(time.RFC3339Nano)
	}
	return "stored checkpoint of " + m.at.Format(time.RFC3339Nano)
}

// chainState is a chain being recomputed.
type chainState struct {
	chain   int
	seq     int64
	hash    [32]byte
	marks   []mark // sorted by seq
	next    int    // first mark not reached yet
	good    int64  // last seq a trusted mark vouched for
	problem *Problem
	entries digest // of the index rows the entries call for
	index   digest // of the index rows found
}

// VerifyAgainst is Verify with any number of exported checkpoints. With
// several, the report narrows the damage down to the entries between the
// last exported checkpoint that agrees with the log and the first that
// does not.
func VerifyAgainst(ctx context.Context, store Store, pub ed25519.PublicKey, against []Checkpoint) (Report, error) {
	var rep Report
	chains := map[int]*chainState{}
	state := func(chain int) *chainState {
		st := chains[chain]
		if st == nil {
			st = &chainState{chain: chain}
			chains[chain] = st
		}
		return st
	}
	addMarks := func(c Checkpoint, exported bool) {
		for _, h := range c.Heads {
			st := state(h.Chain)
			st.marks = append(st.marks, mark{seq: h.Seq, hash: h.Hash, exported: exported, at: c.At})
		}
	}
	// Checkpoints are read before the entries: entries only grow, so every
	// head a checkpoint read now signed is found by the scan.
	for _, c := range against {
		rep.Against++
		if err := c.Verify(pub); err != nil {
			rep.Problems = append(rep.Problems, Problem{Kind: KindCheckpoint,
				Reason: fmt.Sprintf("exported checkpoint of %s cannot be trusted: %v", c.At.Format(time.RFC3339Nano), err)})
			continue
		}
		addMarks(c, true)
	}
	stored, err := store.AuditCheckpoints(ctx)
	if errors.Is(err, ErrCorrupt) {
		rep.Problems = append(rep.Problems, Problem{Kind: KindCheckpoint, Reason: err.Error()})
	} else if err != nil {
		return rep, fmt.Errorf("verify audit log: %w", err)
	}
	for _, c := range stored {
		rep.Checkpoints++
		if len(pub) == 0 {
			rep.Problems = append(rep.Problems, Problem{Kind: KindCheckpoint,
				Reason: fmt.Sprintf("stored checkpoint of %s cannot be checked: no public key was given", c.At.Format(time.RFC3339Nano))})
			continue
		}
		if err := c.Verify(pub); err != nil {
			rep.Problems = append(rep.Problems, Problem{Kind: KindCheckpoint,
				Reason: fmt.Sprintf("stored checkpoint of %s: %v", c.At.Format(time.RFC3339Nano), err)})
			continue
		}
		addMarks(c, false)
	}
	// The index is compared up to each chain's watermark as it was before
	// the scan: rows past it may not be written yet.
	marks, err := store.AuditIndexWatermarks(ctx)
	if err != nil {
		return rep, fmt.Errorf("verify audit log: %w", err)
	}
	// Which checkpoints vouch for a prefix of a chain: exported ones when
	// there are any, since stored ones may have been re-signed.
	trustExported := rep.Against > 0
	for _, st := range chains {
		sort.SliceStable(st.marks, func(i, j int) bool { return st.marks[i].seq < st.marks[j].seq })
	}

	err = store.ScanAudit(ctx, func(e *Entry) error {
		rep.Entries++
		rep.Records += int64(len(e.Records))
		rep.Accesses += int64(e.Accesses())
		st := state(e.Chain)
		if st.problem != nil {
			return nil
		}
		if e.Seq != st.seq+1 {
			reason := fmt.Sprintf("entries %d to %d are missing (the entry after %d is %d)", st.seq+1, e.Seq-1, st.seq, e.Seq)
			if e.Seq <= st.seq {
				reason = fmt.Sprintf("entry %d appears after entry %d", e.Seq, st.seq)
			}
			st.problem = &Problem{Kind: KindEntry, Chain: e.Chain, Seq: st.seq + 1, GoodThrough: st.good, Reason: reason}
			return nil
		}
		if e.decodeErr != nil {
			what := "stored records do not"
			if e.V1 {
				what = "stored access list does not"
			}
			st.problem = &Problem{Kind: KindEntry, Chain: e.Chain, Seq: e.Seq, Record: e.badRecord + 1, GoodThrough: st.good,
				Reason: fmt.Sprintf("the %s decode (%v): the entry was altered", what, e.decodeErr)}
			return nil
		}
		stored := e.Hash
		e.PrevHash = st.hash
		h := e.ComputeHash()
		if h != stored {
			st.problem = &Problem{Kind: KindEntry, Chain: e.Chain, Seq: e.Seq, GoodThrough: st.good,
				Reason: fmt.Sprintf("the entry's %s and the hash of entry %d give %s, but its stored hash is %s: "+
					"this entry (or the hash stored with the one before it) was altered", recordsAndRequests(e), e.Seq-1, short(h), short(stored))}
			return nil
		}
		for ; st.next < len(st.marks) && st.marks[st.next].seq == e.Seq; st.next++ {
			m := st.marks[st.next]
			if m.hash != h {
				st.problem = &Problem{Kind: KindDiverged, Chain: e.Chain, Seq: e.Seq, GoodThrough: st.good,
					Reason: fmt.Sprintf("the %s signed hash %s for this entry, but entries 1 to %d hash to %s: "+
						"an entry after %d and up to %d was altered, inserted or removed after that checkpoint was made",
						m.name(), short(m.hash), e.Seq, short(h), st.good, e.Seq)}
				return nil
			}
			if m.exported == trustExported {
				st.good = e.Seq
			}
		}
		if e.Seq <= marks[e.Chain] {
			idx := 0
			for i := range e.Records {
				r := &e.Records[i]
				at := r.At.UnixMicro()
				for j := range r.Accesses {
					if n := r.Accesses[j].PID.Uint64(); n != pid.InvalidUint64 {
						st.entries.add(n, at, e.Chain, e.Seq, idx)
					}
					idx++
				}
			}
		}
		st.seq, st.hash = e.Seq, h
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("verify audit log: %w", err)
	}

	err = store.ScanAuditIndex(ctx, func(r IndexRow) error {
		st := chains[int(r.Chain)]
		// Rows past the watermark (or of entries appended after the scan)
		// are not compared.
		if st == nil || r.Seq > st.seq || r.Seq > marks[int(r.Chain)] {
			return nil
		}
		rep.IndexRows++
		st.index.add(r.PID, r.At, int(r.Chain), r.Seq, int(r.Index))
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("verify audit log: %w", err)
	}

	order := make([]int, 0, len(chains))
	for c := range chains {
		order = append(order, c)
	}
	sort.Ints(order)
	var indexProblems []Problem
	for _, c := range order {
		st := chains[c]
		if st.seq > 0 {
			rep.Chains++
			rep.Heads = append(rep.Heads, Head{Chain: c, Seq: st.seq, Hash: st.hash})
		}
		rep.Unindexed += max(0, st.seq-marks[c])
		if st.problem == nil && st.next < len(st.marks) {
			m := st.marks[len(st.marks)-1]
			st.problem = &Problem{Kind: KindDiverged, Chain: c, Seq: st.seq + 1, GoodThrough: st.good,
				Reason: fmt.Sprintf("the %s signed entries up to %d, but the log ends at entry %d: entries were removed", m.name(), m.seq, st.seq)}
		}
		if st.problem != nil {
			rep.Problems = append(rep.Problems, *st.problem)
			continue
		}
		if st.entries != st.index {
			through := min(st.seq, marks[c])
			indexProblems = append(indexProblems, Problem{Kind: KindIndex, Chain: c, GoodThrough: st.seq,
				Reason: fmt.Sprintf("the per-citizen access index does not list exactly the accesses of entries 1 to %d "+
					"(%d rows listed, %d expected): citizens' access views are incomplete or wrong", through, st.index.n, st.entries.n)})
		}
	}
	rep.Problems = append(rep.Problems, indexProblems...)
	return rep, nil
}

// digest is an order-independent digest of a set of index rows: the
// lane-wise sum of their SHA-256 hashes, and their count.
type digest struct {
	sum [4]uint64
	n   int64
}

func (d *digest) add(number uint64, at int64, chain int, seq int64, idx int) {
	var b [8 + 8 + 4 + 8 + 4]byte
	binary.BigEndian.PutUint64(b[0:], number)
	binary.BigEndian.PutUint64(b[8:], uint64(at))
	binary.BigEndian.PutUint32(b[16:], uint32(chain))
	binary.BigEndian.PutUint64(b[20:], uint64(seq))
	binary.BigEndian.PutUint32(b[28:], uint32(idx))
	h := sha256.Sum256(b[:])
	for i := range d.sum {
		d.sum[i] += binary.BigEndian.Uint64(h[i*8:])
	}
	d.n++
}

// recordsAndRequests names an entry's records for a message: "record
// (request req-1)", "3 records (requests req-1 to req-3)".
func recordsAndRequests(e *Entry) string {
	switch n := len(e.Records); {
	case e.V1 && n == 1:
		return "contents"
	case n == 1:
		return fmt.Sprintf("record (request %q)", e.Records[0].RequestID)
	case n > 1:
		return fmt.Sprintf("%d records (requests %q to %q)", n, e.Records[0].RequestID, e.Records[n-1].RequestID)
	}
	return "contents"
}

// short abbreviates a hash for messages.
func short(h [32]byte) string { return hex.EncodeToString(h[:6]) + "…" }
