package audit

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"dancu/internal/pid"
)

// Defaults for Options.
const (
	DefaultMaxBatch         = 1024
	DefaultMaxBatchAccesses = 16384
	DefaultIndexDelay       = 100 * time.Millisecond
	DefaultMaxIndexRows     = 256 << 10
	// MaxViewLimit caps how many accesses one Accesses call returns.
	MaxViewLimit = 1000
	// DefaultViewLimit is what Accesses returns when asked for 0.
	DefaultViewLimit = 100
)

// Options tune a Log; the zero value works.
type Options struct {
	// MaxBatch caps how many records one group commit writes (default
	// DefaultMaxBatch).
	MaxBatch int
	// MaxBatchAccesses caps how many accesses one group commit writes, so
	// that a queue of batch chunks does not become one huge transaction
	// (default DefaultMaxBatchAccesses). A record with more is written in
	// a transaction of its own.
	MaxBatchAccesses int
	// Now stamps records that come without a time, and checkpoints
	// (default time.Now).
	Now func() time.Time
	// Chain is the chain this log appends to (default 0). Processes that
	// write to one database at the same time should each have a chain of
	// their own so that they never wait for each other's lock; sharing a
	// chain is correct, only slower.
	Chain int
	// IndexDelay is how long an entry may wait, while appends keep the
	// writer busy with a trickle, before its accesses are added to the
	// per-citizen index (default DefaultIndexDelay). The access view
	// lists an entry at once either way: until it is indexed, it is found
	// among the entries past the index's watermark.
	IndexDelay time.Duration
	// MaxIndexRows is how many accesses the indexer sorts and writes in
	// one pass (default DefaultMaxIndexRows); a pass starts even while
	// appends keep coming once this many are waiting.
	MaxIndexRows int
	// Logger receives failures of the background work: checkpoints and
	// indexing (default: discarded).
	Logger *slog.Logger
}

// Log appends records to one chain of the audit log, keeps the
// per-citizen index behind it, and signs checkpoints. Its methods are
// safe for concurrent use.
//
// One goroutine, the writer, does every write: it commits the queued
// records a group at a time and, when the queue is idle (or the index has
// fallen MaxIndexRows behind), adds the committed entries' accesses to the
// per-citizen index in sorted passes, letting queued groups go between the
// short transactions of a pass. Keeping the index out of the appending
// transaction keeps that transaction small: a chunk of a thousand accesses
// is one row, and index rows, sorted by citizen over a whole pass, land
// together instead of each on a page of its own.
type Log struct {
	store  Store
	signer ed25519.PrivateKey
	opts   Options
	// ctx is Open's context without its cancellation: writes already
	// queued must finish even when the caller that opened the log is gone.
	ctx context.Context

	mu     sync.Mutex
	queue  []*group // groups waiting to be written, oldest first
	closed bool
	wake   chan struct{} // a group was queued or the log closed

	stopped chan struct{} // closed when the writer goroutine has exited

	written atomic.Int64 // entries this log has committed

	// The writer goroutine's own state: what it has committed and not
	// indexed yet.
	unindexed      []span       // this log's groups not yet indexed, oldest first
	unindexedRows  int          // accesses in them
	unindexedSince time.Time    // when the oldest was committed
	otherChains    map[int]bool // chains found behind at Open
	budget         int          // accesses the indexer lets commitQueued commit while far behind
}

// span is a committed group: the last sequence number it wrote and how
// many accesses it held.
type span struct {
	through int64
	rows    int
}

// group is the records one transaction writes: every Append that arrived
// while the previous transaction was being written.
type group struct {
	records  []pending
	accesses int
	done     chan struct{} // closed once err is set
	err      error
}

// pending is a record waiting for its group's transaction, with its
// accesses already encoded by the caller's goroutine.
type pending struct {
	rec Record
	enc []byte
}

// Open starts a log appending to opts.Chain of store, signing checkpoints
// with signer. The chain's head is read afresh inside every write
// transaction, so a reopened log (or another process) continues the chain
// where it ends. Entries that a previous process committed but did not
// index are indexed once the log is idle.
func Open(ctx context.Context, store Store, signer ed25519.PrivateKey, opts Options) (*Log, error) {
	if len(signer) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("open audit log: the signing key has %d bytes, want an Ed25519 private key of %d", len(signer), ed25519.PrivateKeySize)
	}
	if opts.Chain < 0 || opts.Chain > math.MaxInt32 {
		return nil, fmt.Errorf("open audit log: chain %d is outside 0..%d", opts.Chain, math.MaxInt32)
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	if opts.MaxBatchAccesses <= 0 {
		opts.MaxBatchAccesses = DefaultMaxBatchAccesses
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.IndexDelay <= 0 {
		opts.IndexDelay = DefaultIndexDelay
	}
	if opts.MaxIndexRows <= 0 {
		opts.MaxIndexRows = DefaultMaxIndexRows
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	heads, err := store.AuditHeads(ctx)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	marks, err := store.AuditIndexWatermarks(ctx)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	l := &Log{store: store, signer: signer, opts: opts, ctx: context.WithoutCancel(ctx),
		wake: make(chan struct{}, 1), stopped: make(chan struct{}), otherChains: map[int]bool{}}
	for _, h := range heads {
		if marks[h.Chain] < h.Seq {
			l.otherChains[h.Chain] = true
		}
	}
	if len(l.otherChains) > 0 {
		l.unindexedSince = time.Now()
	}
	go l.run()
	return l, nil
}

// PublicKey is the key that verifies this log's checkpoints.
func (l *Log) PublicKey() ed25519.PublicKey {
	return l.signer.Public().(ed25519.PublicKey)
}

// Append records r and returns once its entry is durable: committed by a
// transaction that has returned (on SQLite with synchronous=FULL, the WAL
// is fsynced; on PostgreSQL, the commit is flushed). Appends from many
// goroutines share transactions: while one is being written, every
// record that arrives waits for the next, which takes them all (up to
// Options.MaxBatch records), so the cost of a sync is paid once per group.
//
// A record without a time gets Options.Now; the time is kept to the
// microsecond. The record must name its agency and operation. r's
// accesses are copied, so the caller may reuse the slice once Append has
// returned. If ctx ends before the entry is durable, Append returns the
// context's error and the entry may still be written: an access recorded
// that the caller then did not carry out, never the reverse.
func (l *Log) Append(ctx context.Context, r Record) error {
	if err := r.validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("append to audit log: %w", err)
	}
	if r.At.IsZero() {
		r.At = l.opts.Now()
	}
	r.At = r.At.Truncate(time.Microsecond).UTC()
	r.Accesses = slices.Clone(r.Accesses)
	g, err := l.enqueue(pending{rec: r, enc: EncodeAccesses(r.Accesses)})
	if err != nil {
		return err
	}
	select {
	case <-g.done:
		return g.err
	case <-ctx.Done():
		return fmt.Errorf("append to audit log: %w (the entry may still be written)", context.Cause(ctx))
	}
}

// enqueue adds p to the open group, or opens a new one when the last is
// full.
func (l *Log) enqueue(p pending) (*group, error) {
	n := len(p.rec.Accesses)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, ErrClosed
	}
	var g *group
	if k := len(l.queue); k > 0 {
		last := l.queue[k-1]
		if len(last.records) < l.opts.MaxBatch && last.accesses+n <= l.opts.MaxBatchAccesses {
			g = last
		}
	}
	if g == nil {
		g = &group{done: make(chan struct{})}
		l.queue = append(l.queue, g)
		l.signal()
	}
	g.records = append(g.records, p)
	g.accesses += n
	return g, nil
}

// signal wakes the writer if it sleeps.
func (l *Log) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// take removes the oldest queued group; nil when none is queued. closed
// reports whether Close has been called.
func (l *Log) take() (g *group, closed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) > 0 {
		g = l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
	}
	return g, l.closed
}

// run is the writer goroutine: it commits queued groups first, and
// indexes when there is nothing to commit, an entry has waited
// IndexDelay, or a full pass is waiting. After Close it commits and
// indexes what is left, then exits.
func (l *Log) run() {
	defer close(l.stopped)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		l.gather()
		g, closed := l.take()
		if g != nil {
			l.commit(g)
			if l.unindexedRows >= l.opts.MaxIndexRows {
				l.index()
			}
			continue
		}
		behind := len(l.unindexed) > 0 || len(l.otherChains) > 0
		if closed {
			if behind {
				l.index()
			}
			if g, _ := l.take(); g == nil {
				return
			}
			continue
		}
		if !behind {
			<-l.wake
			continue
		}
		if wait := l.opts.IndexDelay - time.Since(l.unindexedSince); wait > 0 {
			timer.Reset(wait)
			select {
			case <-l.wake:
				timer.Stop()
				continue
			case <-timer.C:
			}
		}
		l.index()
	}
}

// gather lets the callers a commit has just woken queue their next
// records before the writer takes a group: each Gosched lets the runnable
// goroutines run, and the writer goes on once a round adds nothing (or
// after a few rounds). Without it the writer would take the one or two
// records queued in the first microseconds, and groups would alternate
// between tiny and large, halving what a sync carries.
func (l *Log) gather() {
	n := l.queued()
	for range 4 {
		if n == 0 || n >= l.opts.MaxBatch {
			return
		}
		runtime.Gosched()
		m := l.queued()
		if m == n {
			return
		}
		n = m
	}
}

// queued counts the records waiting in the queue.
func (l *Log) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, g := range l.queue {
		n += len(g.records)
	}
	return n
}

// commitQueued commits queued groups; the indexer calls it between its
// transactions, each of which indexed rows, so that appends wait for one
// short transaction at most. While the index is more than two passes
// behind, it commits only as many accesses as the index caught up with
// (carrying the balance over), so that under a sustained load appends
// slow down to the pace of the index instead of leaving the access view
// an ever longer tail of entries to read.
func (l *Log) commitQueued(rows int) error {
	l.budget += rows
	for {
		if l.unindexedRows >= 2*l.opts.MaxIndexRows && l.budget <= 0 {
			return nil
		}
		g, _ := l.take()
		if g == nil {
			l.budget = min(l.budget, 0) // credit is not saved up while idle
			return nil
		}
		l.budget -= g.accesses
		l.commit(g)
	}
}

// commit writes g and wakes its callers.
func (l *Log) commit(g *group) {
	through, err := l.write(g)
	if err == nil {
		if len(l.unindexed) == 0 && len(l.otherChains) == 0 {
			l.unindexedSince = time.Now()
		}
		l.unindexed = append(l.unindexed, span{through: through, rows: g.accesses})
		l.unindexedRows += g.accesses
	}
	g.err = err
	close(g.done)
}

// write seals g's records onto the chain's head, as the store reads it
// inside the transaction, and commits them. It returns the last sequence
// number written.
func (l *Log) write(g *group) (int64, error) {
	chain := l.opts.Chain
	entries := make([]Entry, 0, len(g.records))
	err := l.store.AppendAudit(l.ctx, chain, func(head Head) ([]Entry, error) {
		if head.Chain != chain {
			return nil, fmt.Errorf("the store returned the head of chain %d for chain %d", head.Chain, chain)
		}
		entries = entries[:0]
		prev, seq := head.Hash, head.Seq
		for i := range g.records {
			p := &g.records[i]
			seq++
			e := Entry{Chain: chain, Seq: seq, Record: p.rec, PrevHash: prev, enc: p.enc}
			e.Hash = e.ComputeHash()
			prev = e.Hash
			entries = append(entries, e)
		}
		return entries, nil
	})
	if err != nil {
		return 0, fmt.Errorf("append %d records to audit chain %d: %w", len(g.records), chain, err)
	}
	l.written.Add(int64(len(entries)))
	return entries[len(entries)-1].Seq, nil
}

// index brings the per-citizen index up to date: this log's chain, and
// any chain found behind at Open. A failure is logged and retried after
// IndexDelay; meanwhile the access view finds the entries past the
// watermark.
func (l *Log) index() {
	chains := []int{l.opts.Chain}
	for c := range l.otherChains {
		if c != l.opts.Chain {
			chains = append(chains, c)
		}
	}
	l.budget = 0
	for _, chain := range chains {
		for {
			through, more, err := l.store.IndexAudit(l.ctx, chain, l.opts.MaxIndexRows, l.commitQueued)
			if err != nil {
				l.opts.Logger.Error("audit index failed; the access view reads the entries past the index meanwhile",
					"chain", chain, "err", err)
				l.unindexedSince = time.Now()
				return
			}
			if chain == l.opts.Chain {
				l.indexed(through)
			}
			if !more {
				break
			}
		}
		delete(l.otherChains, chain)
	}
	l.unindexedSince = time.Now()
}

// indexed forgets this log's groups the index now covers.
func (l *Log) indexed(through int64) {
	n := 0
	for n < len(l.unindexed) && l.unindexed[n].through <= through {
		l.unindexedRows -= l.unindexed[n].rows
		n++
	}
	l.unindexed = append(l.unindexed[:0], l.unindexed[n:]...)
}

// Close commits what is queued, indexes what is committed, and stops the
// writer; Appends after Close return ErrClosed. It is safe to call more
// than once.
func (l *Log) Close() error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.signal()
	<-l.stopped
	return nil
}

// Accesses returns up to limit accesses to the citizen number, newest
// first (DefaultViewLimit for 0, at most MaxViewLimit): a range of the
// per-citizen index, and the few entries past its watermark.
func (l *Log) Accesses(ctx context.Context, number pid.PID, limit int) ([]AccessView, error) {
	if !number.Valid() {
		err := pid.Validate(string(number))
		if err == nil {
			err = pid.ErrMalformed // valid once trimmed: the caller did not parse it
		}
		return nil, fmt.Errorf("accesses: %w", err)
	}
	if limit <= 0 {
		limit = DefaultViewLimit
	}
	limit = min(limit, MaxViewLimit)
	views, err := l.store.AuditAccesses(ctx, number, limit)
	if err != nil {
		return nil, fmt.Errorf("accesses to %s: %w", number, err)
	}
	return views, nil
}
