package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"
)

// CheckpointFormat names the checkpoint format and is the first thing a
// checkpoint's signature covers.
const CheckpointFormat = "dancu.audit.checkpoint.v1"

// ErrBadSignature means a checkpoint's signature does not verify, or it is
// signed by another key than the one given.
var ErrBadSignature = errors.New("checkpoint signature does not verify")

// Checkpoint is a signed statement of the head of every chain at a time:
// "chain 0 held entries 1 to Seq, the last with hash Hash". Exported to a
// file (or a witness) outside the data directory, it lets Verify prove
// later that none of those entries was altered, inserted or removed, even
// by someone who can rewrite the database and holds the signing key.
//
// It encodes to JSON with the hashes in hex and the key and signature in
// base64; the signature is Ed25519 over the message described in
// docs/audit.md ("Checkpoints").
type Checkpoint struct {
	Format    string            `json:"format"`
	At        time.Time         `json:"at"`
	Heads     []Head            `json:"heads"`
	PublicKey ed25519.PublicKey `json:"public_key"`
	Signature []byte            `json:"signature"`
}

// SignCheckpoint makes a checkpoint of heads at time at (kept to the
// microsecond) signed by signer. heads are sorted by chain.
func SignCheckpoint(signer ed25519.PrivateKey, at time.Time, heads []Head) (Checkpoint, error) {
	if len(signer) != ed25519.PrivateKeySize {
		return Checkpoint{}, fmt.Errorf("sign checkpoint: the signing key has %d bytes, want %d", len(signer), ed25519.PrivateKeySize)
	}
	c := Checkpoint{
		Format:    CheckpointFormat,
		At:        at.Truncate(time.Microsecond).UTC(),
		Heads:     append([]Head{}, heads...),
		PublicKey: signer.Public().(ed25519.PublicKey),
	}
	if err := c.check(false); err != nil {
		return Checkpoint{}, fmt.Errorf("sign checkpoint: %w", err)
	}
	c.Signature = ed25519.Sign(signer, c.Message())
	return c, nil
}

// Message returns the bytes the signature covers:
//
//	str(format) ‖ i64 at (unix µs) ‖ u32 n ‖ n × ( u32 chain ‖ u64 seq ‖ hash[32] )
//
// with the encoding of entry hashes (big-endian integers, length-prefixed
// strings) and heads in ascending chain order.
func (c Checkpoint) Message() []byte {
	b := make([]byte, 0, 4+len(c.Format)+8+4+len(c.Heads)*(4+8+32))
	b = appendString(b, c.Format)
	b = binary.BigEndian.AppendUint64(b, uint64(c.At.UnixMicro()))
	b = binary.BigEndian.AppendUint32(b, uint32(len(c.Heads)))
	for _, h := range c.Heads {
		b = binary.BigEndian.AppendUint32(b, uint32(h.Chain))
		b = binary.BigEndian.AppendUint64(b, uint64(h.Seq))
		b = append(b, h.Hash[:]...)
	}
	return b
}

// check reports the first structural problem with c; with signed it also
// wants a key and a signature of the right sizes.
func (c Checkpoint) check(signed bool) error {
	if c.Format != CheckpointFormat {
		return fmt.Errorf("%w: checkpoint format %q, want %q", ErrCorrupt, c.Format, CheckpointFormat)
	}
	if c.At.IsZero() {
		return fmt.Errorf("%w: checkpoint has no time", ErrCorrupt)
	}
	if c.At.Nanosecond()%1000 != 0 {
		return fmt.Errorf("%w: checkpoint time %s is finer than a microsecond", ErrCorrupt, c.At.Format(time.RFC3339Nano))
	}
	for i, h := range c.Heads {
		if h.Chain < 0 || h.Chain > math.MaxInt32 {
			return fmt.Errorf("%w: checkpoint head %d: chain %d is outside 0..%d", ErrCorrupt, i, h.Chain, math.MaxInt32)
		}
		if h.Seq < 1 {
			return fmt.Errorf("%w: checkpoint head of chain %d: sequence number %d, want 1 or more", ErrCorrupt, h.Chain, h.Seq)
		}
		if i > 0 && h.Chain <= c.Heads[i-1].Chain {
			return fmt.Errorf("%w: checkpoint heads are not in ascending chain order (chain %d after %d)", ErrCorrupt, h.Chain, c.Heads[i-1].Chain)
		}
	}
	if !signed {
		return nil
	}
	if len(c.PublicKey) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: checkpoint public key has %d bytes, want %d", ErrCorrupt, len(c.PublicKey), ed25519.PublicKeySize)
	}
	if len(c.Signature) != ed25519.SignatureSize {
		return fmt.Errorf("%w: checkpoint signature has %d bytes, want %d", ErrCorrupt, len(c.Signature), ed25519.SignatureSize)
	}
	return nil
}

// Verify checks that c is well formed and signed by pub. The key named
// inside the checkpoint is not trusted: a checkpoint signed by any other
// key fails.
func (c Checkpoint) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("verify checkpoint: the public key has %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	if err := c.check(true); err != nil {
		return fmt.Errorf("verify checkpoint: %w", err)
	}
	if !bytes.Equal(pub, c.PublicKey) {
		return fmt.Errorf("checkpoint of %s is signed by key %s, not by %s: %w",
			c.At.Format(time.RFC3339), Fingerprint(c.PublicKey), Fingerprint(pub), ErrBadSignature)
	}
	if !ed25519.Verify(pub, c.Message(), c.Signature) {
		return fmt.Errorf("checkpoint of %s: %w", c.At.Format(time.RFC3339), ErrBadSignature)
	}
	return nil
}

// Entries is the number of entries the checkpoint covers, on all chains.
func (c Checkpoint) Entries() int64 {
	var n int64
	for _, h := range c.Heads {
		n += h.Seq
	}
	return n
}

// maxCheckpointSize bounds the checkpoint files ParseCheckpoint reads: a
// head takes about 110 bytes of JSON, so this allows over a million chains.
const maxCheckpointSize = 128 << 20

// ParseCheckpoint reads a checkpoint from its JSON (as Checkpoint encodes
// it, or as dancu audit checkpoint writes it). It checks the structure
// only; call Verify with a trusted public key before relying on it.
func ParseCheckpoint(data []byte) (Checkpoint, error) {
	if len(data) > maxCheckpointSize {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint of %d bytes is larger than %d", ErrCorrupt, len(data), maxCheckpointSize)
	}
	var c Checkpoint
	if err := strictJSON(data, &c); err != nil {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint is not valid JSON: %w", ErrCorrupt, err)
	}
	if err := c.check(true); err != nil {
		return Checkpoint{}, err
	}
	return c, nil
}

// Fingerprint names a public key briefly, for messages: "ed25519:" and the
// first 8 bytes of its SHA-256 in hex.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(sum[:8])
}

// Checkpoint signs the current head of every chain in the store (this
// log's and any other writer's), stores the checkpoint and returns it. The
// heads are those of committed entries; records still waiting in Append
// are covered by the next checkpoint.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	return MakeCheckpoint(ctx, l.store, l.signer, l.opts.Now())
}

// MakeCheckpoint signs the current head of every chain in store at time
// at, stores the checkpoint and returns it: Log.Checkpoint without a log,
// for a command that only checkpoints.
func MakeCheckpoint(ctx context.Context, store Store, signer ed25519.PrivateKey, at time.Time) (Checkpoint, error) {
	heads, err := store.AuditHeads(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	c, err := SignCheckpoint(signer, at, heads)
	if err != nil {
		return Checkpoint{}, err
	}
	if err := store.SaveAuditCheckpoint(ctx, c); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	return c, nil
}

// LatestCheckpoint returns the newest stored checkpoint, or
// ErrNoCheckpoint.
func (l *Log) LatestCheckpoint(ctx context.Context) (Checkpoint, error) {
	c, err := l.store.LatestAuditCheckpoint(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("latest checkpoint: %w", err)
	}
	return c, nil
}

// RunCheckpoints makes a checkpoint every period while this log appends
// entries (an idle log makes none), until ctx ends; then it makes a last
// one if entries arrived since the previous, so the heads at shutdown are
// signed. Wait for it to return before closing the store. Failures are
// logged to Options.Logger and retried at the next tick.
func (l *Log) RunCheckpoints(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	last := l.written.Load()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			if l.written.Load() != last {
				fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
				if _, err := l.Checkpoint(fctx); err != nil {
					l.opts.Logger.Error("final audit checkpoint failed", "err", err)
				}
				cancel()
			}
			return
		}
		n := l.written.Load()
		if n == last {
			continue
		}
		c, err := l.Checkpoint(ctx)
		if err != nil {
			l.opts.Logger.Error("audit checkpoint failed", "err", err)
			continue
		}
		last = n
		l.opts.Logger.Debug("audit checkpoint", "at", c.At, "chains", len(c.Heads), "entries", c.Entries())
	}
}
