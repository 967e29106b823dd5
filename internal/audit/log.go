package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
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
	// MaxBatch caps how many records one group commit writes, as one
	// entry (default DefaultMaxBatch).
	MaxBatch int
	// MaxBatchAccesses caps how many accesses one group commit writes, so
	// that a queue of batch chunks does not become one huge entry and
	// transaction (default DefaultMaxBatchAccesses). A record with more is
	// written in an entry and a transaction of its own.
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
// records a group at a time, each group as one entry of the chain, and
// keeps the index rows of the groups it committed in memory; when the
// queue is idle (or MaxIndexRows rows are waiting) it adds them to the
// per-citizen index in sorted passes, letting queued groups go between
// the short transactions of a pass. Keeping the index out of the
// appending transaction keeps that transaction small: a group is one row,
// and index rows, sorted by citizen over a whole pass, land together
// instead of each on a page of its own.
type Log struct {
	store  Store
	writer Writer // used by the writer goroutine only
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

	// The writer goroutine's own state: the index rows of the entries of
	// the chain in (memFrom, memThrough], all committed by this log and
	// not indexed yet. memThrough is the chain's head as this log last
	// knew it: when a commit finds another, another writer has appended
	// to the chain since, and the entries between are not in memory.
	mem            []IndexRow
	spare          []IndexRow // mem's previous buffer, handed to the store during a pass
	memFrom        int64
	memThrough     int64
	behind         bool         // the chain has entries past its watermark that are not in mem: index them from the store first
	unindexedSince time.Time    // when the oldest entry not indexed was committed
	otherChains    map[int]bool // other chains found behind at Open
	budget         int          // rows the indexer lets commitQueued commit while far behind
}

// group is the records one transaction writes as one entry: every Append
// that arrived while the previous transaction was being written.
type group struct {
	records  []pending
	accesses int
	size     int           // bytes of the records' encodings
	done     chan struct{} // closed once err is set
	err      error
}

// pending is a record waiting for its group's transaction, with its
// encoding already made by the caller's goroutine.
type pending struct {
	rec Record
	enc []byte
}

// Open starts a log appending to opts.Chain of store, signing checkpoints
// with signer. The chain's head is read afresh inside every write
// transaction, so a reopened log (or another process) continues the chain
// where it ends. Entries that a previous process committed but did not
// index, on any chain, are indexed once the log is idle.
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
	w, err := store.AuditWriter(ctx)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	l := &Log{store: store, writer: w, signer: signer, opts: opts, ctx: context.WithoutCancel(ctx),
		wake: make(chan struct{}, 1), stopped: make(chan struct{}), otherChains: map[int]bool{}}
	for _, h := range heads {
		switch {
		case h.Chain == opts.Chain:
			l.memFrom, l.memThrough = h.Seq, h.Seq
			l.behind = marks[h.Chain] < h.Seq
		case marks[h.Chain] < h.Seq:
			l.otherChains[h.Chain] = true
		}
	}
	if l.lagging() {
		l.unindexedSince = time.Now()
	}
	go l.run()
	return l, nil
}

// PublicKey is the key that verifies this log's checkpoints.
func (l *Log) PublicKey() ed25519.PublicKey {
	return l.signer.Public().(ed25519.PublicKey)
}

// Append records r and returns once it is durable: committed by a
// transaction that has returned (on SQLite with synchronous=FULL, the WAL
// is fsynced; on PostgreSQL, the commit is flushed). Appends from many
// goroutines share transactions and entries: while one is being written,
// every record that arrives waits for the next, which takes them all (up
// to Options.MaxBatch records) and writes them as one entry, so the cost
// of a sync, a row and a hash is paid once per group.
//
// A record without a time gets Options.Now; the time is kept to the
// microsecond. The record must name its agency and operation. r's
// accesses are copied, so the caller may reuse the slice once Append has
// returned. If ctx ends before the record is durable, Append returns the
// context's error and the record may still be written: an access recorded
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
	g, err := l.enqueue(pending{rec: r, enc: EncodeRecord(r)})
	if err != nil {
		return err
	}
	done := ctx.Done()
	if done == nil {
		<-g.done
		return g.err
	}
	select {
	case <-g.done:
		return g.err
	case <-done:
		return fmt.Errorf("append to audit log: %w (the record may still be written)", context.Cause(ctx))
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
		g = &group{done: make(chan struct{}), records: make([]pending, 0, min(l.opts.MaxBatch, 64))}
		l.queue = append(l.queue, g)
		l.signal()
	}
	g.records = append(g.records, p)
	g.accesses += n
	g.size += len(p.enc)
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
	defer func() {
		if err := l.writer.Close(); err != nil {
			l.opts.Logger.Error("audit writer close failed", "err", err)
		}
	}()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		l.gather()
		g, closed := l.take()
		if g != nil {
			l.commit(g)
			if len(l.mem) >= l.opts.MaxIndexRows {
				l.index()
			}
			continue
		}
		behind := l.lagging()
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

// lagging reports whether any entry is waiting for the index.
func (l *Log) lagging() bool {
	return l.memThrough > l.memFrom || l.behind || len(l.otherChains) > 0
}

// commitQueued commits queued groups; the indexer calls it between its
// transactions, each of which indexed rows, so that appends wait for one
// short transaction at most. Once a full pass waits behind the one being
// written (the index is two passes behind), it commits only as many
// accesses as the index caught up with (carrying the balance over), so
// that under a sustained load appends slow down to the pace of the index
// instead of leaving the access view an ever longer tail of entries to
// read.
func (l *Log) commitQueued(rows int) error {
	l.budget += rows
	for {
		if len(l.mem) >= l.opts.MaxIndexRows && l.budget <= 0 {
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

// commit writes g as one entry, wakes its callers, and keeps the entry's
// index rows for the next pass.
func (l *Log) commit(g *group) {
	e, err := l.write(g)
	if err == nil {
		if !l.lagging() {
			l.unindexedSince = time.Now()
		}
		if head := e.Seq - 1; head != l.memThrough {
			// Another writer appended to the chain since this log last
			// did: the entries between are indexed from the store, and
			// what is in memory with them.
			l.behind = true
			l.mem, l.memFrom = l.mem[:0], head
		}
		l.memThrough = e.Seq
		l.mem = appendIndexRows(l.mem, e)
	}
	g.err = err
	close(g.done)
}

// appendIndexRows appends the index rows of e's accesses to 12-digit PIDs.
func appendIndexRows(rows []IndexRow, e *Entry) []IndexRow {
	idx := int32(0)
	for i := range e.Records {
		r := &e.Records[i]
		at := r.At.UnixMicro()
		for j := range r.Accesses {
			if n := r.Accesses[j].PID.Uint64(); n != pid.InvalidUint64 {
				rows = append(rows, IndexRow{PID: n, At: at, Seq: e.Seq, Chain: int32(e.Chain), Index: idx})
			}
			idx++
		}
	}
	return rows
}

// write seals g's records, as one entry, onto the chain's head as the
// store reads it inside the transaction, and commits it.
func (l *Log) write(g *group) (*Entry, error) {
	chain := l.opts.Chain
	// The records were encoded by their callers; the entry's encoding is
	// their count and them, end to end.
	enc := binary.BigEndian.AppendUint32(make([]byte, 0, 4+g.size), uint32(len(g.records)))
	records := make([]Record, len(g.records))
	for i := range g.records {
		enc = append(enc, g.records[i].enc...)
		records[i] = g.records[i].rec
	}
	e := &Entry{Chain: chain, Records: records, enc: enc}
	err := l.writer.Append(l.ctx, chain, func(head Head) (*Entry, error) {
		if head.Chain != chain {
			return nil, fmt.Errorf("the store returned the head of chain %d for chain %d", head.Chain, chain)
		}
		e.Seq, e.PrevHash = head.Seq+1, head.Hash
		e.Hash = e.ComputeHash()
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("append %d records to audit chain %d: %w", len(g.records), chain, err)
	}
	l.written.Add(1)
	return e, nil
}

// index brings the per-citizen index up to date: this log's chain, and
// any chain found behind at Open. A failure is logged and retried after
// IndexDelay; meanwhile the access view finds the entries past the
// watermark.
func (l *Log) index() {
	l.budget = 0
	defer func() { l.unindexedSince = time.Now() }()
	if err := l.indexOwn(); err != nil {
		l.opts.Logger.Error("audit index failed; the access view reads the entries past the index meanwhile",
			"chain", l.opts.Chain, "err", err)
		return
	}
	for chain := range l.otherChains {
		for {
			_, more, err := l.writer.IndexEntries(l.ctx, chain, l.opts.MaxIndexRows, l.commitQueued)
			if err != nil {
				l.opts.Logger.Error("audit index failed; the access view reads the entries past the index meanwhile",
					"chain", chain, "err", err)
				return
			}
			if !more {
				break
			}
		}
		delete(l.otherChains, chain)
	}
}

// indexOwn indexes this log's chain: the entries the store holds past the
// watermark that are not in memory, if any, then the rows in memory.
func (l *Log) indexOwn() error {
	chain := l.opts.Chain
	for l.behind {
		through, more, err := l.writer.IndexEntries(l.ctx, chain, l.opts.MaxIndexRows, l.commitQueued)
		if err != nil {
			return err
		}
		l.forget(through)
		l.behind = more
	}
	if l.memThrough == l.memFrom {
		return nil
	}
	// The rows are handed over, and commits between the pass's
	// transactions gather the next rows in the other buffer.
	rows, from, through := l.mem, l.memFrom, l.memThrough
	l.mem, l.spare = l.spare[:0], nil
	l.memFrom = through
	mark, err := l.writer.AddIndex(l.ctx, chain, from, through, rows, l.commitQueued)
	l.spare = rows[:0]
	if err != nil {
		// The rows are lost with the pass: the store has the entries.
		l.behind = true
		return err
	}
	if mark < through {
		// The watermark had not reached from: entries before the rows
		// (another writer's) are not indexed yet.
		l.behind = true
		return l.indexOwn()
	}
	return nil
}

// forget drops the rows in memory of entries the index now covers
// (through and before).
func (l *Log) forget(through int64) {
	if through <= l.memFrom {
		return
	}
	if through >= l.memThrough {
		l.mem, l.memFrom, l.memThrough = l.mem[:0], through, through
		return
	}
	n := 0
	for n < len(l.mem) && l.mem[n].Seq <= through {
		n++
	}
	l.mem = append(l.mem[:0], l.mem[n:]...)
	l.memFrom = through
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
