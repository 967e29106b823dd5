package verify

import (
	"encoding/binary"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

// A record is what the index holds of one citizen, as bytes in a shard's
// arena:
//
//	0–4   PID as a 40-bit integer (pid.PID.Uint64), little-endian
//	5     flags: gender (2 bits), deceased, merged, and which of the
//	      optional fields follow
//	6–8   date of birth, packed (packDate); 0 when unknown
//	9–10  commune of permanent residence (communes id); 0 when none
//	…     version, unsigned varint
//	…     ID card issue date, 3 bytes, if flagCard
//	…     phone, 7 bytes (checkPhone's integer), if flagPhone
//	…     old ID number, 6 bytes (oldIDKey), if flagOldID
//	…     full name: varint length, then the normalised name (UTF-8)
//	…     street: varint length, then its key (appendStreetKey)
//
// A record is written once and never changed in place: a newer version is
// a new record, so a reader may go on decoding one after releasing its
// shard's lock.
const (
	recordFixed = 11

	flagGenderMask = 0b11
	flagDeceased   = 1 << 2
	flagMerged     = 1 << 3
	flagCard       = 1 << 4
	flagPhone      = 1 << 5
	flagOldID      = 1 << 6

	// maxTextBytes caps the name and the street kept: the register's own
	// limits are 150 and 300 bytes, and a request's name may be 300.
	maxTextBytes = 1024
)

// held is a decoded record. name and street point into the arena.
type held struct {
	pid     uint64
	version uint64
	flags   byte
	dob     uint32
	card    uint32
	commune uint16
	phone   uint64
	oldID   uint64
	name    []byte
	street  []byte
	size    int
}

func (h *held) gender() pid.Gender { return pid.Gender(h.flags & flagGenderMask) }

// entry is a citizen prepared for the index, before it is encoded.
type entry struct {
	pid     uint64
	version uint64
	flags   byte
	dob     uint32
	card    uint32
	commune uint16
	phone   uint64
	oldID   uint64
	name    string
	street  []byte
}

// packDate packs a (possibly partial) date into 23 bits: year, month, day;
// 0 is no date. A date outside the register's range is no date.
func packDate(d registry.Date) uint32 {
	if d.Year <= 0 || d.Year > 9999 || d.Month < 0 || d.Month > 12 || d.Day < 0 || d.Day > 31 {
		return 0
	}
	return uint32(d.Year)<<9 | uint32(d.Month)<<5 | uint32(d.Day)
}

// datesAgree compares two packed dates on the parts both hold: the year
// always, the month and the day when both sides know them. 1990 agrees
// with 1990-07-14; 1990-07 agrees with 1990-07-14 but not with 1990-08-01.
func datesAgree(a, b uint32) bool {
	if a>>9 != b>>9 {
		return false
	}
	if ma, mb := a>>5&0xF, b>>5&0xF; ma != 0 && mb != 0 && ma != mb {
		return false
	}
	if da, db := a&0x1F, b&0x1F; da != 0 && db != 0 && da != db {
		return false
	}
	return true
}

// oldIDKey encodes an old identity card number (9 or 12 digits, leading
// zeros significant) as an integer below 2⁴¹.
func oldIDKey(s string) (uint64, bool) {
	if len(s) != 9 && len(s) != 12 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if len(s) == 12 {
		v |= 1 << 40
	}
	return v, true
}

func (e *entry) size() int {
	n := recordFixed + uvarintLen(e.version)
	if e.flags&flagCard != 0 {
		n += 3
	}
	if e.flags&flagPhone != 0 {
		n += 7
	}
	if e.flags&flagOldID != 0 {
		n += 6
	}
	return n + uvarintLen(uint64(len(e.name))) + len(e.name) + uvarintLen(uint64(len(e.street))) + len(e.street)
}

// encode writes e into b, which has e.size() bytes.
func (e *entry) encode(b []byte) {
	putUint(b[0:5], e.pid)
	b[5] = e.flags
	putUint(b[6:9], uint64(e.dob))
	putUint(b[9:11], uint64(e.commune))
	i := recordFixed + binary.PutUvarint(b[recordFixed:], e.version)
	if e.flags&flagCard != 0 {
		putUint(b[i:i+3], uint64(e.card))
		i += 3
	}
	if e.flags&flagPhone != 0 {
		putUint(b[i:i+7], e.phone)
		i += 7
	}
	if e.flags&flagOldID != 0 {
		putUint(b[i:i+6], e.oldID)
		i += 6
	}
	i += binary.PutUvarint(b[i:], uint64(len(e.name)))
	i += copy(b[i:], e.name)
	i += binary.PutUvarint(b[i:], uint64(len(e.street)))
	copy(b[i:], e.street)
}

// recordPID reads the PID of the record at the start of b.
func recordPID(b []byte) uint64 { return getUint(b[0:5]) }

// decode reads the record at the start of b into h.
func decode(b []byte, h *held) {
	h.pid = getUint(b[0:5])
	h.flags = b[5]
	h.dob = uint32(getUint(b[6:9]))
	h.commune = uint16(getUint(b[9:11]))
	v, n := binary.Uvarint(b[recordFixed:])
	h.version = v
	i := recordFixed + n
	h.card, h.phone, h.oldID = 0, 0, 0
	if h.flags&flagCard != 0 {
		h.card = uint32(getUint(b[i : i+3]))
		i += 3
	}
	if h.flags&flagPhone != 0 {
		h.phone = getUint(b[i : i+7])
		i += 7
	}
	if h.flags&flagOldID != 0 {
		h.oldID = getUint(b[i : i+6])
		i += 6
	}
	l, n := binary.Uvarint(b[i:])
	i += n
	h.name = b[i : i+int(l) : i+int(l)]
	i += int(l)
	l, n = binary.Uvarint(b[i:])
	i += n
	h.street = b[i : i+int(l) : i+int(l)]
	h.size = i + int(l)
}

// putUint writes the low len(b) bytes of v, little-endian.
func putUint(b []byte, v uint64) {
	for i := range b {
		b[i] = byte(v)
		v >>= 8
	}
}

// getUint reads a little-endian integer of len(b) bytes.
func getUint(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
