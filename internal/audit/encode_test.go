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

// vectorEntry is the example entry of docs/audit.md ("Test vector"): two
// records in one group.
func vectorEntry() Entry {
	return Entry{Chain: 0, Seq: 1, Records: []Record{
		{
			At:       time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC),
			AgencyID: "agency-bank", KeyID: "key-1", Purpose: "kyc", Operation: "verify", RequestID: "req-1",
			Accesses: []Access{
				{PID: "001204012345", Fields: []string{"full_name", "date_of_birth"}, Result: "match"},
				{PID: "", Fields: []string{"old_id_number"}, Result: "not_found"},
			},
		},
		{
			At:       time.Date(2026, 3, 1, 8, 0, 0, 123789000, time.UTC),
			AgencyID: "agency-bank", KeyID: "key-2", Purpose: "kyc", Operation: "lookup", RequestID: "req-2",
			Accesses: []Access{{PID: "079300000001", Fields: []string{"full_name"}, Result: "found"}},
		},
	}}
}

// vectorHash is the hash docs/audit.md gives for vectorEntry: a change
// here is a change of the format, which breaks every existing log.
const vectorHash = "7a42515de587588ab0303f447a9e9ce684517fa4e37cb5506ace47be3e21fc18"

// vectorEntryV1 is the example entry of the first format (docs/audit.md,
// "Entries of the first format"): the first record of vectorEntry alone.
func vectorEntryV1() Entry {
	e := vectorEntry()
	e.Records, e.V1 = e.Records[:1], true
	return e
}

// vectorHashV1 is the hash of vectorEntryV1, as dancu computed it before
// entries held groups: entries of the first format must go on verifying.
const vectorHashV1 = "4023b358a1483be50c3a43d67411b62a7ce7090218b8e94afc954d57820ad7c6"

func str(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// vectorAccesses is the encoded access list of vectorEntry's first record,
// built by hand.
func vectorAccesses() []byte {
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
	return acc
}

// TestEntryHashIsTheDocumentedEncoding builds the hashed bytes by hand,
// as docs/audit.md describes them, and compares.
func TestEntryHashIsTheDocumentedEncoding(t *testing.T) {
	e := vectorEntry()
	var records []byte
	records = binary.BigEndian.AppendUint32(records, 2)
	records = binary.BigEndian.AppendUint64(records, uint64(e.Records[0].At.UnixMicro()))
	for _, s := range []string{"agency-bank", "key-1", "kyc", "verify", "req-1"} {
		records = str(records, s)
	}
	records = append(records, vectorAccesses()...)
	records = binary.BigEndian.AppendUint64(records, 1772352000123789)
	for _, s := range []string{"agency-bank", "key-2", "kyc", "lookup", "req-2"} {
		records = str(records, s)
	}
	records = binary.BigEndian.AppendUint32(records, 1)
	records = str(records, "079300000001")
	records = binary.BigEndian.AppendUint32(records, 1)
	records = str(records, "full_name")
	records = str(records, "found")

	var m []byte
	m = str(m, "dancu.audit.entry.v2")
	m = append(m, make([]byte, 32)...) // prev_hash of the first entry
	m = binary.BigEndian.AppendUint32(m, 0)
	m = binary.BigEndian.AppendUint64(m, 1)
	m = append(m, records...)

	if got := EncodeRecords(e.Records); !bytes.Equal(got, records) {
		t.Fatalf("records encode to\n%x\nwant\n%x", got, records)
	}
	if got := append(binary.BigEndian.AppendUint32(nil, 2), append(EncodeRecord(e.Records[0]), EncodeRecord(e.Records[1])...)...); !bytes.Equal(got, records) {
		t.Fatalf("the count and the records encoded one by one give\n%x\nwant\n%x", got, records)
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

// TestEntryHashV1IsTheDocumentedEncoding: entries of the first format
// hash as they always did.
func TestEntryHashV1IsTheDocumentedEncoding(t *testing.T) {
	e := vectorEntryV1()
	var m []byte
	m = str(m, "dancu.audit.entry.v1")
	m = append(m, make([]byte, 32)...)
	m = binary.BigEndian.AppendUint32(m, 0)
	m = binary.BigEndian.AppendUint64(m, 1)
	m = binary.BigEndian.AppendUint64(m, uint64(e.Records[0].At.UnixMicro()))
	for _, s := range []string{"agency-bank", "key-1", "kyc", "verify", "req-1"} {
		m = str(m, s)
	}
	m = append(m, vectorAccesses()...)
	if got := e.Encoded(); !bytes.Equal(got, vectorAccesses()) {
		t.Fatalf("a first-format entry stores\n%x\nwant its access list\n%x", got, vectorAccesses())
	}
	want := sha256.Sum256(m)
	got := e.ComputeHash()
	if got != want {
		t.Fatalf("ComputeHash = %x, the documented encoding hashes to %x", got, want)
	}
	if hex.EncodeToString(got[:]) != vectorHashV1 {
		t.Fatalf("the first format's test vector hashes to %x; docs/audit.md says %s", got, vectorHashV1)
	}
	// The same record as an entry of the current format hashes otherwise:
	// a row moved from one table to the other does not verify.
	e.V1, e.enc = false, nil
	if e.ComputeHash() == got {
		t.Fatal("the two formats give one hash")
	}
}

// TestEntryHashCoversEveryField changes each field in turn.
func TestEntryHashCoversEveryField(t *testing.T) {
	changes := map[string]func(e *Entry){
		"chain":      func(e *Entry) { e.Chain = 1 },
		"seq":        func(e *Entry) { e.Seq = 2 },
		"prev":       func(e *Entry) { e.PrevHash[0] = 1 },
		"at":         func(e *Entry) { e.Records[0].At = e.Records[0].At.Add(time.Microsecond) },
		"agency":     func(e *Entry) { e.Records[0].AgencyID = "agency-banl" },
		"key":        func(e *Entry) { e.Records[0].KeyID = "key-2" },
		"purpose":    func(e *Entry) { e.Records[0].Purpose = "kyd" },
		"operation":  func(e *Entry) { e.Records[0].Operation = "lookup" },
		"request":    func(e *Entry) { e.Records[0].RequestID = "req-2" },
		"pid":        func(e *Entry) { e.Records[0].Accesses[0].PID = "001204012346" },
		"field":      func(e *Entry) { e.Records[0].Accesses[0].Fields[1] = "gender" },
		"field gone": func(e *Entry) { e.Records[0].Accesses[0].Fields = e.Records[0].Accesses[0].Fields[:1] },
		"result":     func(e *Entry) { e.Records[0].Accesses[1].Result = "match" },
		"access":     func(e *Entry) { e.Records[0].Accesses = e.Records[0].Accesses[:1] },
		// The same characters split differently between two fields.
		"boundary": func(e *Entry) { e.Records[0].AgencyID, e.Records[0].KeyID = "agency-bankk", "ey-1" },
	}
	groupChanges := map[string]func(e *Entry){
		"second record's time":   func(e *Entry) { e.Records[1].At = e.Records[1].At.Add(time.Microsecond) },
		"second record's result": func(e *Entry) { e.Records[1].Accesses[0].Result = "not_found" },
		"record gone":            func(e *Entry) { e.Records = e.Records[:1] },
		"records swapped":        func(e *Entry) { e.Records[0], e.Records[1] = e.Records[1], e.Records[0] },
		// An access moved from one record to the next.
		"access moved": func(e *Entry) {
			e.Records[1].Accesses = append([]Access{e.Records[0].Accesses[1]}, e.Records[1].Accesses...)
			e.Records[0].Accesses = e.Records[0].Accesses[:1]
		},
	}
	for format, entry := range map[string]func() Entry{"v2": vectorEntry, "v1": vectorEntryV1} {
		base := entry()
		h0 := base.ComputeHash()
		for name, change := range changes {
			e := entry()
			change(&e)
			if e.ComputeHash() == h0 {
				t.Errorf("%s: changing %s leaves the hash unchanged", format, name)
			}
		}
	}
	h0 := func() [32]byte { e := vectorEntry(); return e.ComputeHash() }()
	for name, change := range groupChanges {
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
		vectorEntry().Records[0].Accesses,
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
	good := EncodeAccesses(vectorEntry().Records[0].Accesses)
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

func TestDecodeRecordsRoundTrip(t *testing.T) {
	lists := [][]Record{
		{},
		vectorEntry().Records,
		{{At: time.Unix(0, 0).UTC(), Accesses: []Access{}}},
		{{At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), AgencyID: "a", Operation: "batch_verify",
			Accesses: []Access{{PID: "x", Fields: []string{}, Result: "not_found"}, {PID: "079300000002", Fields: []string{"ả"}, Result: "match"}}}},
	}
	for _, list := range lists {
		data := EncodeRecords(list)
		got, err := DecodeRecords(data)
		if err != nil {
			t.Fatalf("decode %x: %v", data, err)
		}
		if !reflect.DeepEqual(got, list) {
			t.Fatalf("round trip of %+v gave %+v", list, got)
		}
		i := 0
		for _, r := range list {
			for _, a := range r.Accesses {
				rec, got, err := RecordAccessAt(data, i)
				r.Accesses = nil
				if err != nil || !reflect.DeepEqual(got, a) || !reflect.DeepEqual(rec, r) {
					t.Fatalf("RecordAccessAt(%d) = %+v, %+v, %v; want %+v, %+v", i, rec, got, err, r, a)
				}
				i++
			}
		}
		if _, _, err := RecordAccessAt(data, i); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("RecordAccessAt past the end: %v", err)
		}
	}
}

func TestDecodeRecordsRefusesCorruptData(t *testing.T) {
	good := EncodeRecords(vectorEntry().Records)
	second := 4 + len(EncodeRecord(vectorEntry().Records[0])) // where the second record starts
	cut := append([]byte{}, good...)
	binary.BigEndian.PutUint32(cut[second+8:], 1000) // its agency ID overruns the data
	first := append([]byte{}, good...)
	binary.BigEndian.PutUint32(first[4+8:], 1000)
	cases := map[string]struct {
		data   []byte
		record int // from 0; -1 for none
	}{
		"empty":           {[]byte{}, -1},
		"cut":             {good[:len(good)-1], 1},
		"trailing byte":   {append(append([]byte{}, good...), 0), -1},
		"huge count":      {[]byte{0xff, 0xff, 0xff, 0xff}, -1},
		"second overruns": {cut, 1},
		"first overruns":  {first, 0},
	}
	for name, tc := range cases {
		_, bad, err := decodeRecords(tc.data)
		if !errors.Is(err, ErrCorrupt) || bad != tc.record {
			t.Errorf("%s: record %d, %v; want record %d and ErrCorrupt", name, bad, err, tc.record)
		}
		if err := WalkRecordPIDs(tc.data, func(int, int64, uint64) {}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: WalkRecordPIDs: %v, want ErrCorrupt", name, err)
		}
	}
}

func TestWalkRecordPIDs(t *testing.T) {
	data := EncodeRecords(vectorEntry().Records)
	type hit struct {
		i      int
		at     int64
		number uint64
	}
	var got []hit
	if err := WalkRecordPIDs(data, func(i int, at int64, n uint64) { got = append(got, hit{i, at, n}) }); err != nil {
		t.Fatal(err)
	}
	want := []hit{{0, 1772352000123456, 1204012345}, {2, 1772352000123789, 79300000001}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("walked %+v, want %+v", got, want)
	}
}
