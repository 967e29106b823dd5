package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"
)

// vectorEntry is the example entry of docs/audit.md ("Test vector").
func vectorEntry() Entry {
	e := Entry{Chain: 0, Seq: 1, Record: Record{
		At:       time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC),
		AgencyID: "agency-bank", KeyID: "key-1", Purpose: "kyc", Operation: "verify", RequestID: "req-1",
		Accesses: []Access{
			{PID: "001204012345", Fields: []string{"full_name", "date_of_birth"}, Result: "match"},
			{PID: "", Fields: []string{"old_id_number"}, Result: "not_found"},
		},
	}}
	return e
}

// vectorHash is the hash docs/audit.md gives for vectorEntry: a change
// here is a change of the format, which breaks every existing log.
const vectorHash = "4023b358a1483be50c3a43d67411b62a7ce7090218b8e94afc954d57820ad7c6"

// TestEntryHashIsTheDocumentedEncoding builds the hashed bytes by hand,
// as docs/audit.md describes them, and compares.
func TestEntryHashIsTheDocumentedEncoding(t *testing.T) {
	e := vectorEntry()
	str := func(b []byte, s string) []byte {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		return append(b, s...)
	}
	var m []byte
	m = str(m, "dancu.audit.entry.v1")
	m = append(m, make([]byte, 32)...) // prev_hash of the first entry
	m = binary.BigEndian.AppendUint32(m, 0)
	m = binary.BigEndian.AppendUint64(m, 1)
	m = binary.BigEndian.AppendUint64(m, uint64(e.At.UnixMicro()))
	for _, s := range []string{"agency-bank", "key-1", "kyc", "verify", "req-1"} {
		m = str(m, s)
	}
	var acc []byte
	acc = binary.BigEndian.AppendUint32(acc, 2)
	acc = str(acc, "001204012345")
	acc = binary.BigEndian.AppendUint32(acc, 2)
	acc = str(str(acc, "full_name"), "date_of_birth")
	acc = str(acc, "match")
	acc = str(acc, "")
	acc = binary.BigEndian.AppendUint32(acc, 1)
	acc = str(acc, "old_id_number")
	acc = str(acc, "not_found")
	m = append(m, acc...)

	if got := EncodeAccesses(e.Accesses); !bytes.Equal(got, acc) {
		t.Fatalf("access list encodes to\n%x\nwant\n%x", got, acc)
	}
	want := sha256.Sum256(m)
	got := e.ComputeHash()
	if got != want {
		t.Fatalf("ComputeHash = %x, the documented encoding hashes to %x", got, want)
	}
	if hex.EncodeToString(got[:]) != vectorHash {
		t.Fatalf("the test vector's hash is %x; docs/audit.md says %s", got, vectorHash)
	}
}

// TestEntryHashCoversEveryField changes each field in turn.
func TestEntryHashCoversEveryField(t *testing.T) {
	base := vectorEntry()
	h0 := base.ComputeHash()
	changes := map[string]func(e *Entry){
		"chain":      func(e *Entry) { e.Chain = 1 },
		"seq":        func(e *Entry) { e.Seq = 2 },
		"prev":       func(e *Entry) { e.PrevHash[0] = 1 },
		"at":         func(e *Entry) { e.At = e.At.Add(time.Microsecond) },
		"agency":     func(e *Entry) { e.AgencyID = "agency-banl" },
		"key":        func(e *Entry) { e.KeyID = "key-2" },
		"purpose":    func(e *Entry) { e.Purpose = "kyd" },
		"operation":  func(e *Entry) { e.Operation = "lookup" },
		"request":    func(e *Entry) { e.RequestID = "req-2" },
		"pid":        func(e *Entry) { e.Accesses[0].PID = "001204012346" },
		"field":      func(e *Entry) { e.Accesses[0].Fields[1] = "gender" },
		"field gone": func(e *Entry) { e.Accesses[0].Fields = e.Accesses[0].Fields[:1] },
		"result":     func(e *Entry) { e.Accesses[1].Result = "match" },
		"access":     func(e *Entry) { e.Accesses = e.Accesses[:1] },
		// The same characters split differently between two fields.
		"boundary": func(e *Entry) { e.AgencyID, e.KeyID = "agency-bankk", "ey-1" },
	}
	for name, change := range changes {
		e := vectorEntry()
		change(&e)
		if e.ComputeHash() == h0 {
			t.Errorf("changing %s leaves the hash unchanged", name)
		}
	}
}

func TestDecodeAccessesRoundTrip(t *testing.T) {
	lists := [][]Access{
		{},
		{{PID: "001204012345", Fields: []string{}, Result: ""}},
		vectorEntry().Accesses,
		{{PID: "079300000001", Fields: []string{"a", "", "ả"}, Result: "mismatch"}, {PID: "x", Fields: []string{}, Result: "ok"}},
	}
	for _, list := range lists {
		data := EncodeAccesses(list)
		got, err := DecodeAccesses(data)
		if err != nil {
			t.Fatalf("decode %x: %v", data, err)
		}
		if !reflect.DeepEqual(got, list) {
			t.Fatalf("round trip of %+v gave %+v", list, got)
		}
		for i := range list {
			a, err := AccessAt(data, i)
			if err != nil || !reflect.DeepEqual(a, list[i]) {
				t.Fatalf("AccessAt(%d) = %+v, %v; want %+v", i, a, err, list[i])
			}
		}
		if _, err := AccessAt(data, len(list)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("AccessAt past the end: %v", err)
		}
	}
}

func TestDecodeAccessesRefusesCorruptData(t *testing.T) {
	good := EncodeAccesses(vectorEntry().Accesses)
	cases := map[string][]byte{
		"empty":           {},
		"cut":             good[:len(good)-1],
		"trailing byte":   append(append([]byte{}, good...), 0),
		"huge count":      {0xff, 0xff, 0xff, 0xff},
		"string overruns": {0, 0, 0, 1, 0xff, 0, 0, 0},
	}
	for name, data := range cases {
		if _, err := DecodeAccesses(data); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
		if err := WalkAccessPIDs(data, func(int, uint64) {}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: WalkAccessPIDs: %v, want ErrCorrupt", name, err)
		}
	}
}

func TestWalkAccessPIDsSkipsMalformed(t *testing.T) {
	data := EncodeAccesses([]Access{
		{PID: "001204012345", Result: "match"},
		{PID: "", Result: "not_found"},
		{PID: "00120401234x", Result: "not_found"},
		{PID: "079300000001", Fields: []string{"full_name"}, Result: "match"},
	})
	var got []uint64
	var at []int
	if err := WalkAccessPIDs(data, func(i int, n uint64) { at, got = append(at, i), append(got, n) }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(at, []int{0, 3}) || !reflect.DeepEqual(got, []uint64{1204012345, 79300000001}) {
		t.Fatalf("walked %v at %v", got, at)
	}
}
