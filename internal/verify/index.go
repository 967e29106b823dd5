package verify

import (
	"sync"
	"sync/atomic"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

// Index is the in-memory verification index: for every citizen, only what
// verification compares, in compact form, keyed by personal identification
// number, with a second map from old ID numbers for the citizens that
// have one. Verify reads it without touching the database; Put, Build and
// Follow keep it current. It is safe for concurrent use.
//
// The index is split into shards by a hash of the number. Each shard has
// its own lock, an open-addressing hash table of 8-byte slots and an arena
// of byte chunks holding the records (see record.go); a Put locks one
// shard for the time of a copy, so a Verify waits on a Put only when both
// land in the same shard of 256 at the same moment. Nothing in a shard
// holds a Go pointer per citizen, so the garbage collector has next to
// nothing to scan. See docs/verify.md for the layout and its memory.
type Index struct {
	communes *communes
	shards   [shardCount]shard
	old      [shardCount]oldShard
	count    atomic.Int64
	// since is when the first Build began (unix nanoseconds), where
	// Follow starts reading the register's events; 0 when none did.
	since atomic.Int64
	// syncedAt (unix nanoseconds) and syncErr record the last poll of
	// Follow (see Synced).
	syncedAt atomic.Int64
	syncErr  atomic.Pointer[error]
}

const (
	shardBits  = 8
	shardCount = 1 << shardBits

	// A slot is tag<<40 | (offset+1); 0 is an empty slot. The tag is the
	// top 24 bits of the hash, so that a probe reads the arena only for a
	// slot that almost surely holds the number sought.
	offsetBits = 40
	offsetMask = 1<<offsetBits - 1

	minSlots = 16

	// compactMin is the bytes of replaced records a shard may hold before
	// it is compacted; beyond it, up to half its live bytes.
	compactMin = 4 << 10
)

// NewIndex returns an empty index; units is the directory of
// administrative units that addresses are read and compared with.
func NewIndex(units *adminunit.Directory) *Index {
	return newIndex(newCommunes(units))
}

func newIndex(c *communes) *Index {
	ix := &Index{communes: c}
	for i := range ix.shards {
		ix.shards[i].slots = make([]uint64, minSlots)
		ix.old[i].slots = make([]oldSlot, minSlots)
	}
	return ix
}

// Len returns the number of citizens held.
func (ix *Index) Len() int { return int(ix.count.Load()) }

// hash mixes a key (a PID or an old ID number as an integer) so that its
// low bits pick the shard, the middle bits the slot and the top bits the
// tag (the finaliser of SplitMix64).
func hash(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// shard is one part of the index.
type shard struct {
	mu    sync.RWMutex
	slots []uint64
	n     int
	arena arena
	live  int64 // bytes of the records the table points to
	dead  int64 // bytes of records replaced by newer versions
	_     [64]byte
}

// find returns the slot of the record of key, or the empty slot where it
// would go (ok false). The caller holds the lock.
func (s *shard) find(key, h uint64) (slot int, off uint64, ok bool) {
	mask := uint64(len(s.slots) - 1)
	tag := h >> offsetBits
	for i := (h >> shardBits) & mask; ; i = (i + 1) & mask {
		v := s.slots[i]
		if v == 0 {
			return int(i), 0, false
		}
		if v>>offsetBits == tag {
			off := v&offsetMask - 1
			if recordPID(s.arena.at(off)) == key {
				return int(i), off, true
			}
		}
	}
}

// grow doubles the table. The caller holds the lock.
func (s *shard) grow() {
	old := s.slots
	s.slots = make([]uint64, 2*len(old))
	mask := uint64(len(s.slots) - 1)
	for _, v := range old {
		if v == 0 {
			continue
		}
		h := hash(recordPID(s.arena.at(v&offsetMask - 1)))
		i := (h >> shardBits) & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = v
	}
}

// compact copies the live records into a fresh arena, leaving the
// replaced versions to the garbage collector. The old chunks stay valid
// for readers still decoding from them. The caller holds the lock.
func (s *shard) compact() {
	var fresh arena
	fresh.reserve(s.live)
	var h held
	for i, v := range s.slots {
		if v == 0 {
			continue
		}
		b := s.arena.at(v&offsetMask - 1)
		decode(b, &h)
		off, dst := fresh.alloc(h.size)
		copy(dst, b[:h.size])
		s.slots[i] = v&^offsetMask | (off + 1)
	}
	s.arena = fresh
	s.dead = 0
}

// Put inserts c into the index, or replaces what the index holds of c when
// c.Version is newer; an older or equal version is ignored, so the same
// record may be put any number of times, in any order. A citizen whose
// number is not 12 digits is ignored. Put is safe beside concurrent calls
// of Verify and Put.
func (ix *Index) Put(c registry.Citizen) {
	key := c.PID.Uint64()
	if key == pid.InvalidUint64 {
		return
	}
	var streetBuf [320]byte
	e := entry{pid: key, version: uint64(max(c.Version, 0)), dob: packDate(c.DateOfBirth)}
	e.flags = byte(c.Gender) & flagGenderMask
	switch c.Status {
	case registry.StatusDeceased:
		e.flags |= flagDeceased
	case registry.StatusMerged:
		e.flags |= flagMerged
	}
	if c.IDCard != nil {
		if d := packDate(c.IDCard.IssueDate); d != 0 {
			e.card, e.flags = d, e.flags|flagCard
		}
	}
	if c.Phone != "" {
		if p, err := checkPhone(c.Phone); err == nil {
			e.phone, e.flags = p, e.flags|flagPhone
		}
	}
	if k, ok := oldIDKey(c.OldIDNumber); ok {
		e.oldID, e.flags = k, e.flags|flagOldID
	}
	e.name = truncate(vntext.Normalize(c.FullName))
	if a := c.PermanentAddress; a.CommuneCode != "" {
		e.commune = ix.communes.id(a.Era, a.CommuneCode)
		if e.commune != 0 {
			e.street = appendStreetKey(streetBuf[:0], vntext.Normalize(a.Street))
			if len(e.street) > maxTextBytes {
				e.street = e.street[:maxTextBytes]
			}
		}
	}
	ix.put(&e)
}

// truncate cuts s to at most maxTextBytes.
func truncate(s string) string {
	if len(s) > maxTextBytes {
		return s[:maxTextBytes]
	}
	return s
}

func (ix *Index) put(e *entry) {
	h := hash(e.pid)
	s := &ix.shards[h&(shardCount-1)]
	s.mu.Lock()
	defer s.mu.Unlock()
	slot, off, found := s.find(e.pid, h)
	var prev held
	if found {
		decode(s.arena.at(off), &prev)
		if e.version <= prev.version {
			return
		}
	}
	size := e.size()
	noff, buf := s.arena.alloc(size)
	e.encode(buf)
	s.slots[slot] = h>>offsetBits<<offsetBits | (noff + 1)
	s.live += int64(size)
	if found {
		s.live -= int64(prev.size)
		s.dead += int64(prev.size)
	} else {
		s.n++
		ix.count.Add(1)
		if s.n*4 >= len(s.slots)*3 {
			s.grow()
		}
	}
	// The old ID map changes under the shard's lock, so that two versions
	// of one citizen put at once leave it as the newer one says.
	prevOld, hadOld := prev.oldID, found && prev.flags&flagOldID != 0
	newOld, hasOld := e.oldID, e.flags&flagOldID != 0
	if hadOld && (!hasOld || prevOld != newOld) {
		ix.oldShard(prevOld).remove(prevOld, e.pid)
	}
	if hasOld && (!hadOld || prevOld != newOld) {
		ix.oldShard(newOld).add(newOld, e.pid)
	}
	if s.dead > compactMin && s.dead > s.live/2 {
		s.compact()
	}
}

// lookup decodes the record of key into h. The slices of h stay valid
// after the lock is released: records are never written in place.
func (ix *Index) lookup(key uint64, h *held) bool {
	hs := hash(key)
	s := &ix.shards[hs&(shardCount-1)]
	s.mu.RLock()
	_, off, ok := s.find(key, hs)
	if ok {
		decode(s.arena.at(off), h)
	}
	s.mu.RUnlock()
	return ok
}

// byOldID finds the citizen with an old ID number, if exactly one has it.
func (ix *Index) byOldID(key uint64, h *held) bool {
	pids, n := ix.oldShard(key).get(key)
	if n != 1 {
		return false
	}
	// The map and the record are read under different locks: check that
	// the record still has the number.
	return ix.lookup(pids[0], h) && h.flags&flagOldID != 0 && h.oldID == key
}

func (ix *Index) oldShard(key uint64) *oldShard {
	return &ix.old[hash(key)&(shardCount-1)]
}

// oldShard is one part of the map from old ID numbers to citizens: an
// open-addressing table of (number, PID) pairs. One number may be held by
// more than one citizen (the old cards were issued by provinces, and
// legacy data has duplicates); such a number finds no one.
type oldShard struct {
	mu    sync.RWMutex
	slots []oldSlot
	n     int // pairs held
	used  int // slots not empty: pairs and tombstones
	_     [64]byte
}

// oldSlot is a pair: key+1 (0 empty, tombstone deleted) and the PID.
type oldSlot struct{ key, pid uint64 }

const tombstone = ^uint64(0)

func (o *oldShard) start(key uint64) (uint64, uint64) {
	mask := uint64(len(o.slots) - 1)
	return (hash(key) >> shardBits) & mask, mask
}

// get returns up to two citizens holding key, and how many were found
// (stopping at two).
func (o *oldShard) get(key uint64) ([2]uint64, int) {
	var out [2]uint64
	n := 0
	o.mu.RLock()
	defer o.mu.RUnlock()
	i, mask := o.start(key)
	for ; o.slots[i].key != 0; i = (i + 1) & mask {
		if o.slots[i].key == key+1 {
			out[n] = o.slots[i].pid
			if n++; n == 2 {
				break
			}
		}
	}
	return out, n
}

func (o *oldShard) add(key, number uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	i, mask := o.start(key)
	free := -1
	for ; o.slots[i].key != 0; i = (i + 1) & mask {
		switch {
		case o.slots[i] == (oldSlot{key + 1, number}):
			return
		case o.slots[i].key == tombstone && free < 0:
			free = int(i)
		}
	}
	if free < 0 {
		free = int(i)
		o.used++
	}
	o.slots[free] = oldSlot{key + 1, number}
	o.n++
	if o.used*4 >= len(o.slots)*3 {
		o.rehash()
	}
}

func (o *oldShard) remove(key, number uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	i, mask := o.start(key)
	for ; o.slots[i].key != 0; i = (i + 1) & mask {
		if o.slots[i] == (oldSlot{key + 1, number}) {
			o.slots[i].key = tombstone
			o.n--
			return
		}
	}
}

// rehash rebuilds the table without its tombstones, twice as large when
// the pairs alone fill more than half of it.
func (o *oldShard) rehash() {
	size := len(o.slots)
	if o.n*2 >= size {
		size *= 2
	}
	old := o.slots
	o.slots = make([]oldSlot, size)
	o.used = 0
	for _, sl := range old {
		if sl.key == 0 || sl.key == tombstone {
			continue
		}
		i, mask := o.start(sl.key - 1)
		for o.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		o.slots[i] = sl
		o.used++
	}
}

// arena holds records in chunks of bytes that are never moved or
// rewritten: a new chunk starts when the last is full. An offset is the
// chunk's number and the position in it.
type arena struct {
	chunks [][]byte
	bytes  int64 // capacity of all chunks
}

const (
	chunkBits    = 20 // positions within a chunk
	minChunk     = 1 << 10
	maxChunk     = 1 << 16
	positionMask = 1<<chunkBits - 1
)

// reserve makes the next chunk large enough for n bytes (up to maxChunk),
// for a compaction that knows how much it will copy.
func (a *arena) reserve(n int64) {
	if len(a.chunks) == 0 {
		size := int(min(max(n, minChunk), maxChunk))
		a.chunks = append(a.chunks, make([]byte, 0, size))
		a.bytes += int64(size)
	}
}

// alloc returns the offset and the bytes of n new bytes.
func (a *arena) alloc(n int) (uint64, []byte) {
	if last := len(a.chunks) - 1; last >= 0 {
		c := a.chunks[last]
		if l := len(c); cap(c)-l >= n {
			c = c[:l+n]
			a.chunks[last] = c
			return uint64(last)<<chunkBits | uint64(l), c[l : l+n : l+n]
		}
	}
	size := maxChunk
	if k := len(a.chunks); k < chunkBits {
		size = min(minChunk<<k, maxChunk)
	}
	size = max(size, n)
	c := make([]byte, n, size)
	a.chunks = append(a.chunks, c)
	a.bytes += int64(size)
	return uint64(len(a.chunks)-1) << chunkBits, c
}

// at returns the bytes from off to the end of its chunk.
func (a *arena) at(off uint64) []byte {
	return a.chunks[off>>chunkBits][off&positionMask:]
}

// Memory is what the index holds, in bytes of heap (without the fixed
// tables of administrative units).
type Memory struct {
	Citizens int
	// OldIDs counts the pairs of the old ID number map.
	OldIDs int
	// Records is the bytes of the current records; Replaced the bytes of
	// replaced versions not yet compacted away; Arena the capacity of the
	// arenas' chunks (records, replaced versions and free space).
	Records, Replaced, Arena int64
	// Tables is the bytes of both hash tables' slots.
	Tables int64
}

// Memory reports the index's size.
func (ix *Index) Memory() Memory {
	var m Memory
	for i := range ix.shards {
		s := &ix.shards[i]
		s.mu.RLock()
		m.Citizens += s.n
		m.Records += s.live
		m.Replaced += s.dead
		m.Arena += s.arena.bytes + int64(cap(s.arena.chunks))*24
		m.Tables += int64(len(s.slots)) * 8
		s.mu.RUnlock()
		o := &ix.old[i]
		o.mu.RLock()
		m.OldIDs += o.n
		m.Tables += int64(len(o.slots)) * 16
		o.mu.RUnlock()
	}
	return m
}

// Synced reports the state of Follow: the time its last successful poll
// began — every change the register had committed by then is in the index
// — and the error of the last poll, nil when it succeeded. The time is
// zero before the first poll.
func (ix *Index) Synced() (time.Time, error) {
	var at time.Time
	if ns := ix.syncedAt.Load(); ns != 0 {
		at = time.Unix(0, ns)
	}
	if p := ix.syncErr.Load(); p != nil {
		return at, *p
	}
	return at, nil
}
