package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"dancu/internal/pid"
)

// The canonical encoding (docs/audit.md, "Entry hash"). Integers are big
// endian; a string is its byte length as a uint32 followed by its bytes.
// An entry's hash is
//
//	SHA-256( str("dancu.audit.entry.v1") ‖ prev_hash[32] ‖ u32 chain ‖ u64 seq ‖
//	         i64 at (unix µs) ‖ str(agency_id) ‖ str(key_id) ‖ str(purpose) ‖
//	         str(operation) ‖ str(request_id) ‖ accesses )
//
// and the access list, which is also exactly what the database stores in
// audit_entries.accesses, is
//
//	u32 n ‖ n × ( str(pid) ‖ u32 k ‖ k × str(field) ‖ str(result) )
//
// Every field has a fixed width or a length prefix, so two different
// entries never encode to the same bytes.
const entryTag = "dancu.audit.entry.v1"

// minAccessLen is the encoded size of an access with empty strings and no
// fields: it bounds how many accesses a blob can claim to hold.
const minAccessLen = 4 + 4 + 4

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// encodedLen is the size of the encoding of list, to allocate it once.
func encodedLen(list []Access) int {
	n := 4
	for i := range list {
		a := &list[i]
		n += minAccessLen + len(a.PID) + len(a.Result)
		for _, f := range a.Fields {
			n += 4 + len(f)
		}
	}
	return n
}

// EncodeAccesses returns the canonical encoding of list, as stored in the
// database and hashed into the entry.
func EncodeAccesses(list []Access) []byte {
	b := make([]byte, 0, encodedLen(list))
	b = binary.BigEndian.AppendUint32(b, uint32(len(list)))
	for i := range list {
		a := &list[i]
		b = appendString(b, string(a.PID))
		b = binary.BigEndian.AppendUint32(b, uint32(len(a.Fields)))
		for _, f := range a.Fields {
			b = appendString(b, f)
		}
		b = appendString(b, a.Result)
	}
	return b
}

// accessReader walks an encoded access list.
type accessReader struct {
	data []byte
	off  int
}

func (r *accessReader) uint32() (uint32, error) {
	if len(r.data)-r.off < 4 {
		return 0, fmt.Errorf("%w: access list cut short at byte %d", ErrCorrupt, r.off)
	}
	v := binary.BigEndian.Uint32(r.data[r.off:])
	r.off += 4
	return v, nil
}

func (r *accessReader) bytes() ([]byte, error) {
	n, err := r.uint32()
	if err != nil {
		return nil, err
	}
	if uint64(n) > uint64(len(r.data)-r.off) {
		return nil, fmt.Errorf("%w: a string of %d bytes at byte %d overruns the access list", ErrCorrupt, n, r.off)
	}
	b := r.data[r.off : r.off+int(n)]
	r.off += int(n)
	return b, nil
}

// count reads an item count and checks that the rest of the data can hold
// that many items of `least` bytes or more, so a corrupt count cannot make
// the reader allocate more than the data's size.
func (r *accessReader) count(what string, least int) (int, error) {
	n, err := r.uint32()
	if err != nil {
		return 0, err
	}
	if uint64(n)*uint64(least) > uint64(len(r.data)-r.off) {
		return 0, fmt.Errorf("%w: %d %s claimed at byte %d, more than the access list holds", ErrCorrupt, n, what, r.off-4)
	}
	return int(n), nil
}

// access reads one access; with skip it checks the encoding and moves past
// it without allocating.
func (r *accessReader) access(skip bool) (Access, error) {
	var a Access
	p, err := r.bytes()
	if err != nil {
		return a, err
	}
	k, err := r.count("fields", 4)
	if err != nil {
		return a, err
	}
	if !skip {
		a.PID = pid.PID(p)
		a.Fields = make([]string, k)
	}
	for j := 0; j < k; j++ {
		f, err := r.bytes()
		if err != nil {
			return a, err
		}
		if !skip {
			a.Fields[j] = string(f)
		}
	}
	res, err := r.bytes()
	if err != nil {
		return a, err
	}
	if !skip {
		a.Result = string(res)
	}
	return a, nil
}

// DecodeAccesses parses an access list encoded by EncodeAccesses. It is
// strict: the data must be exactly one encoded list, so that
// EncodeAccesses(DecodeAccesses(data)) == data and hashing either is the
// same.
func DecodeAccesses(data []byte) ([]Access, error) {
	r := accessReader{data: data}
	n, err := r.count("accesses", minAccessLen)
	if err != nil {
		return nil, err
	}
	list := make([]Access, n)
	for i := range list {
		if list[i], err = r.access(false); err != nil {
			return nil, fmt.Errorf("access %d: %w", i, err)
		}
	}
	if r.off != len(data) {
		return nil, fmt.Errorf("%w: %d bytes after the last access", ErrCorrupt, len(data)-r.off)
	}
	return list, nil
}

// AccessAt returns access i (from 0) of an encoded access list, skipping
// the ones before it without allocating: a citizen's access view reads one
// access out of a batch chunk's entry.
func AccessAt(data []byte, i int) (Access, error) {
	r := accessReader{data: data}
	n, err := r.count("accesses", minAccessLen)
	if err != nil {
		return Access{}, err
	}
	if i < 0 || i >= n {
		return Access{}, fmt.Errorf("%w: access %d asked of a list of %d", ErrCorrupt, i, n)
	}
	for j := 0; j < i; j++ {
		if _, err := r.access(true); err != nil {
			return Access{}, fmt.Errorf("access %d: %w", j, err)
		}
	}
	a, err := r.access(false)
	if err != nil {
		return Access{}, fmt.Errorf("access %d: %w", i, err)
	}
	return a, nil
}

// WalkAccessPIDs calls fn with the position and number of every access in
// an encoded access list whose PID is 12 digits (the accesses the
// per-citizen index lists), without decoding the rest.
func WalkAccessPIDs(data []byte, fn func(i int, number uint64)) error {
	r := accessReader{data: data}
	n, err := r.count("accesses", minAccessLen)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		start := r.off
		if _, err := r.access(true); err != nil {
			return fmt.Errorf("access %d: %w", i, err)
		}
		p := data[start+4 : start+4+int(binary.BigEndian.Uint32(data[start:]))]
		if number := pid.PID(p).Uint64(); number != pid.InvalidUint64 {
			fn(i, number)
		}
	}
	if r.off != len(data) {
		return fmt.Errorf("%w: %d bytes after the last access", ErrCorrupt, len(data)-r.off)
	}
	return nil
}

// EncodedAccesses returns the canonical encoding of e.Accesses, the bytes
// stored in audit_entries.accesses.
func (e *Entry) EncodedAccesses() []byte {
	if e.enc == nil {
		e.enc = EncodeAccesses(e.Accesses)
	}
	return e.enc
}

// SetEncodedAccesses sets e.Accesses from an encoded access list, as read
// from the database, and keeps the encoding for hashing. An encoding that
// does not decode is kept all the same (with no accesses) and the error
// returned: a store scanning for Verify passes such an entry on, and
// Verify reports it.
func (e *Entry) SetEncodedAccesses(data []byte) error {
	e.enc = data
	e.Accesses, e.decodeErr = DecodeAccesses(data)
	return e.decodeErr
}

// ComputeHash returns the hash e should have: SHA-256 over the canonical
// encoding of its chain, sequence number, record and PrevHash.
func (e *Entry) ComputeHash() [32]byte {
	r := &e.Record
	var buf [256]byte
	b := appendString(buf[:0], entryTag)
	b = append(b, e.PrevHash[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(e.Chain))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(r.At.UnixMicro()))
	b = appendString(b, r.AgencyID)
	b = appendString(b, r.KeyID)
	b = appendString(b, r.Purpose)
	b = appendString(b, r.Operation)
	b = appendString(b, r.RequestID)
	h := sha256.New()
	h.Write(b)
	h.Write(e.EncodedAccesses())
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}
