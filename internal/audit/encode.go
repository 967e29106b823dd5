package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"dancu/internal/pid"
)

// The canonical encoding (docs/audit.md, "Entry hash"). Integers are big
// endian; a string is its byte length as a uint32 followed by its bytes.
// An entry's hash is
//
//	SHA-256( str("dancu.audit.entry.v2") ‖ prev_hash[32] ‖ u32 chain ‖ u64 seq ‖ records )
//
//	records  = u32 m ‖ m × record
//	record   = i64 at (unix µs) ‖ str(agency_id) ‖ str(key_id) ‖ str(purpose) ‖
//	           str(operation) ‖ str(request_id) ‖ accesses
//	accesses = u32 n ‖ n × ( str(pid) ‖ u32 k ‖ k × str(field) ‖ str(result) )
//
// and records is exactly what the database stores in audit_groups.records.
// Every field has a fixed width or a length prefix, so two different
// entries never encode to the same bytes.
//
// Entries of the first format (V1, table audit_entries) held one record
// each and hash as
//
//	SHA-256( str("dancu.audit.entry.v1") ‖ prev_hash[32] ‖ u32 chain ‖ u64 seq ‖
//	         i64 at ‖ str(agency_id) ‖ str(key_id) ‖ str(purpose) ‖
//	         str(operation) ‖ str(request_id) ‖ accesses )
//
// with accesses stored in audit_entries.accesses.
const (
	// EntryFormat names the format of the entries Append writes, and is
	// the first thing their hash covers.
	EntryFormat = "dancu.audit.entry.v2"
	// EntryFormatV1 names the first format, of one record per entry.
	EntryFormatV1 = "dancu.audit.entry.v1"
)

// minAccessLen is the encoded size of an access with empty strings and no
// fields, and minRecordLen that of a record with empty strings and no
// accesses: they bound how many items a blob can claim to hold.
const (
	minAccessLen = 4 + 4 + 4
	minRecordLen = 8 + 5*4 + 4
)

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// accessesLen is the size of the encoding of list, to allocate it once.
func accessesLen(list []Access) int {
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

func appendAccesses(b []byte, list []Access) []byte {
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

// EncodeAccesses returns the canonical encoding of list: part of a
// record's encoding, and what audit_entries.accesses holds for an entry of
// the first format.
func EncodeAccesses(list []Access) []byte {
	return appendAccesses(make([]byte, 0, accessesLen(list)), list)
}

// recordLen is the size of the encoding of r.
func recordLen(r *Record) int {
	return minRecordLen - 4 + len(r.AgencyID) + len(r.KeyID) + len(r.Purpose) + len(r.Operation) + len(r.RequestID) +
		accessesLen(r.Accesses)
}

func appendRecord(b []byte, r *Record) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(r.At.UnixMicro()))
	b = appendString(b, r.AgencyID)
	b = appendString(b, r.KeyID)
	b = appendString(b, r.Purpose)
	b = appendString(b, r.Operation)
	b = appendString(b, r.RequestID)
	return appendAccesses(b, r.Accesses)
}

// EncodeRecord returns the canonical encoding of one record: Append makes
// it in the caller's goroutine, and the writer strings a group's together.
func EncodeRecord(r Record) []byte {
	return appendRecord(make([]byte, 0, recordLen(&r)), &r)
}

// EncodeRecords returns the canonical encoding of a list of records, as
// stored in audit_groups.records and hashed into the entry.
func EncodeRecords(list []Record) []byte {
	n := 4
	for i := range list {
		n += recordLen(&list[i])
	}
	b := binary.BigEndian.AppendUint32(make([]byte, 0, n), uint32(len(list)))
	for i := range list {
		b = appendRecord(b, &list[i])
	}
	return b
}

// reader walks an encoded record or access list.
type reader struct {
	data []byte
	off  int
}

func (r *reader) uint32() (uint32, error) {
	if len(r.data)-r.off < 4 {
		return 0, fmt.Errorf("%w: cut short at byte %d", ErrCorrupt, r.off)
	}
	v := binary.BigEndian.Uint32(r.data[r.off:])
	r.off += 4
	return v, nil
}

func (r *reader) int64() (int64, error) {
	if len(r.data)-r.off < 8 {
		return 0, fmt.Errorf("%w: cut short at byte %d", ErrCorrupt, r.off)
	}
	v := binary.BigEndian.Uint64(r.data[r.off:])
	r.off += 8
	return int64(v), nil
}

func (r *reader) bytes() ([]byte, error) {
	n, err := r.uint32()
	if err != nil {
		return nil, err
	}
	if uint64(n) > uint64(len(r.data)-r.off) {
		return nil, fmt.Errorf("%w: a string of %d bytes at byte %d overruns the data", ErrCorrupt, n, r.off)
	}
	b := r.data[r.off : r.off+int(n)]
	r.off += int(n)
	return b, nil
}

// count reads an item count and checks that the rest of the data can hold
// that many items of `least` bytes or more, so a corrupt count cannot make
// the reader allocate more than the data's size.
func (r *reader) count(what string, least int) (int, error) {
	n, err := r.uint32()
	if err != nil {
		return 0, err
	}
	if uint64(n)*uint64(least) > uint64(len(r.data)-r.off) {
		return 0, fmt.Errorf("%w: %d %s claimed at byte %d, more than the data holds", ErrCorrupt, n, what, r.off-4)
	}
	return int(n), nil
}

// access reads one access; with skip it checks the encoding and moves past
// it without allocating. number is the access's PID as pid.PID.Uint64
// reads it.
func (r *reader) access(skip bool) (a Access, number uint64, err error) {
	p, err := r.bytes()
	if err != nil {
		return a, 0, err
	}
	number = pid.PID(p).Uint64()
	k, err := r.count("fields", 4)
	if err != nil {
		return a, 0, err
	}
	if !skip {
		a.PID = pid.PID(p)
		a.Fields = make([]string, k)
	}
	for j := 0; j < k; j++ {
		f, err := r.bytes()
		if err != nil {
			return a, 0, err
		}
		if !skip {
			a.Fields[j] = string(f)
		}
	}
	res, err := r.bytes()
	if err != nil {
		return a, 0, err
	}
	if !skip {
		a.Result = string(res)
	}
	return a, number, nil
}

// header reads a record up to its accesses, and its time in unix
// microseconds; with skip it allocates nothing and leaves rec empty.
func (r *reader) header(skip bool) (rec Record, at int64, err error) {
	if at, err = r.int64(); err != nil {
		return rec, 0, err
	}
	var fields [5][]byte
	for i := range fields {
		if fields[i], err = r.bytes(); err != nil {
			return rec, 0, err
		}
	}
	if !skip {
		rec.At = time.UnixMicro(at).UTC()
		rec.AgencyID, rec.KeyID, rec.Purpose = string(fields[0]), string(fields[1]), string(fields[2])
		rec.Operation, rec.RequestID = string(fields[3]), string(fields[4])
	}
	return rec, at, nil
}

// accesses reads an access list.
func (r *reader) accesses() ([]Access, error) {
	n, err := r.count("accesses", minAccessLen)
	if err != nil {
		return nil, err
	}
	list := make([]Access, n)
	for i := range list {
		if list[i], _, err = r.access(false); err != nil {
			return nil, fmt.Errorf("access %d: %w", i, err)
		}
	}
	return list, nil
}

// end fails unless the reader has used all its data.
func (r *reader) end() error {
	if r.off != len(r.data) {
		return fmt.Errorf("%w: %d bytes after the end", ErrCorrupt, len(r.data)-r.off)
	}
	return nil
}

// DecodeAccesses parses an access list encoded by EncodeAccesses. It is
// strict: the data must be exactly one encoded list, so that
// EncodeAccesses(DecodeAccesses(data)) == data and hashing either is the
// same.
func DecodeAccesses(data []byte) ([]Access, error) {
	r := reader{data: data}
	list, err := r.accesses()
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return list, nil
}

// DecodeRecords parses a record list encoded by EncodeRecords, as strictly
// as DecodeAccesses. An error names the record (from 0) that does not
// decode.
func DecodeRecords(data []byte) ([]Record, error) {
	list, _, err := decodeRecords(data)
	return list, err
}

// decodeRecords is DecodeRecords that also returns the record (from 0)
// the data stops decoding in, or -1 when it is the count or the end that
// is wrong.
func decodeRecords(data []byte) ([]Record, int, error) {
	r := reader{data: data}
	m, err := r.count("records", minRecordLen)
	if err != nil {
		return nil, -1, err
	}
	list := make([]Record, m)
	for i := range list {
		if list[i], _, err = r.header(false); err == nil {
			list[i].Accesses, err = r.accesses()
		}
		if err != nil {
			return nil, i, fmt.Errorf("record %d: %w", i, err)
		}
	}
	if err := r.end(); err != nil {
		return nil, -1, err
	}
	return list, -1, nil
}

// AccessAt returns access i (from 0) of an encoded access list, skipping
// the ones before it without allocating: a citizen's access view reads one
// access out of an entry of the first format.
func AccessAt(data []byte, i int) (Access, error) {
	r := reader{data: data}
	n, err := r.count("accesses", minAccessLen)
	if err != nil {
		return Access{}, err
	}
	if i < 0 || i >= n {
		return Access{}, fmt.Errorf("%w: access %d asked of a list of %d", ErrCorrupt, i, n)
	}
	for j := 0; j < i; j++ {
		if _, _, err := r.access(true); err != nil {
			return Access{}, fmt.Errorf("access %d: %w", j, err)
		}
	}
	a, _, err := r.access(false)
	if err != nil {
		return Access{}, fmt.Errorf("access %d: %w", i, err)
	}
	return a, nil
}

// RecordAccessAt returns access i of an encoded record list — counted from
// 0 over the accesses of all the records, in order, as IndexRow.Index
// counts — and the record it belongs to (without its accesses), skipping
// the others without allocating: a citizen's access view reads one access
// out of a group's entry.
func RecordAccessAt(data []byte, i int) (Record, Access, error) {
	r := reader{data: data}
	m, err := r.count("records", minRecordLen)
	if err != nil {
		return Record{}, Access{}, err
	}
	if i < 0 {
		return Record{}, Access{}, fmt.Errorf("%w: access %d asked", ErrCorrupt, i)
	}
	first := 0 // position of the record's first access
	for k := 0; k < m; k++ {
		start := r.off
		if _, _, err := r.header(true); err != nil {
			return Record{}, Access{}, fmt.Errorf("record %d: %w", k, err)
		}
		n, err := r.count("accesses", minAccessLen)
		if err != nil {
			return Record{}, Access{}, fmt.Errorf("record %d: %w", k, err)
		}
		if i >= first+n {
			for j := 0; j < n; j++ {
				if _, _, err := r.access(true); err != nil {
					return Record{}, Access{}, fmt.Errorf("record %d: access %d: %w", k, j, err)
				}
			}
			first += n
			continue
		}
		for j := 0; j < i-first; j++ {
			if _, _, err := r.access(true); err != nil {
				return Record{}, Access{}, fmt.Errorf("record %d: access %d: %w", k, j, err)
			}
		}
		a, _, err := r.access(false)
		if err != nil {
			return Record{}, Access{}, fmt.Errorf("record %d: access %d: %w", k, i-first, err)
		}
		hr := reader{data: data, off: start}
		rec, _, _ := hr.header(false) // read once already
		return rec, a, nil
	}
	return Record{}, Access{}, fmt.Errorf("%w: access %d asked of records holding %d", ErrCorrupt, i, first)
}

// WalkAccessPIDs calls fn with the position and number of every access in
// an encoded access list whose PID is 12 digits (the accesses the
// per-citizen index lists), without decoding the rest.
func WalkAccessPIDs(data []byte, fn func(i int, number uint64)) error {
	r := reader{data: data}
	n, err := r.count("accesses", minAccessLen)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		_, number, err := r.access(true)
		if err != nil {
			return fmt.Errorf("access %d: %w", i, err)
		}
		if number != pid.InvalidUint64 {
			fn(i, number)
		}
	}
	return r.end()
}

// WalkRecordPIDs calls fn with the position (as RecordAccessAt counts
// it), the record's time (unix µs) and the number of every access in an
// encoded record list whose PID is 12 digits, without decoding the rest.
func WalkRecordPIDs(data []byte, fn func(i int, at int64, number uint64)) error {
	r := reader{data: data}
	m, err := r.count("records", minRecordLen)
	if err != nil {
		return err
	}
	i := 0
	for k := 0; k < m; k++ {
		_, at, err := r.header(true)
		if err != nil {
			return fmt.Errorf("record %d: %w", k, err)
		}
		n, err := r.count("accesses", minAccessLen)
		if err != nil {
			return fmt.Errorf("record %d: %w", k, err)
		}
		for j := 0; j < n; j++ {
			_, number, err := r.access(true)
			if err != nil {
				return fmt.Errorf("record %d: access %d: %w", k, j, err)
			}
			if number != pid.InvalidUint64 {
				fn(i, at, number)
			}
			i++
		}
	}
	return r.end()
}

// Encoded returns the bytes the database stores for e and its hash
// covers: the encoding of its records (audit_groups.records), or for an
// entry of the first format the encoding of its one record's accesses
// (audit_entries.accesses).
func (e *Entry) Encoded() []byte {
	if e.enc == nil {
		if e.V1 {
			var list []Access
			if len(e.Records) > 0 {
				list = e.Records[0].Accesses
			}
			e.enc = EncodeAccesses(list)
		} else {
			e.enc = EncodeRecords(e.Records)
		}
	}
	return e.enc
}

// SetEncoded sets e's records from the bytes the database stores for it
// (see Encoded), and keeps them for hashing. For an entry of the first
// format, e.Records must already hold its one record, whose accesses are
// set. Bytes that do not decode are kept all the same and the error
// returned: a store scanning for Verify passes such an entry on, and
// Verify reports it.
func (e *Entry) SetEncoded(data []byte) error {
	e.enc = data
	if e.V1 {
		if len(e.Records) != 1 {
			e.Records = make([]Record, 1)
		}
		e.badRecord = -1 // the entry is its one record
		e.Records[0].Accesses, e.decodeErr = DecodeAccesses(data)
		return e.decodeErr
	}
	e.Records, e.badRecord, e.decodeErr = decodeRecords(data)
	return e.decodeErr
}

// ComputeHash returns the hash e should have: SHA-256 over its format, the
// previous entry's hash, its chain and sequence number, and its encoded
// records.
func (e *Entry) ComputeHash() [32]byte {
	var buf [256]byte
	var b []byte
	if e.V1 {
		var r Record
		if len(e.Records) > 0 {
			r = e.Records[0]
		}
		b = appendString(buf[:0], EntryFormatV1)
		b = append(b, e.PrevHash[:]...)
		b = binary.BigEndian.AppendUint32(b, uint32(e.Chain))
		b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
		b = binary.BigEndian.AppendUint64(b, uint64(r.At.UnixMicro()))
		b = appendString(b, r.AgencyID)
		b = appendString(b, r.KeyID)
		b = appendString(b, r.Purpose)
		b = appendString(b, r.Operation)
		b = appendString(b, r.RequestID)
	} else {
		b = appendString(buf[:0], EntryFormat)
		b = append(b, e.PrevHash[:]...)
		b = binary.BigEndian.AppendUint32(b, uint32(e.Chain))
		b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	}
	h := sha256.New()
	h.Write(b)
	h.Write(e.Encoded())
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}
