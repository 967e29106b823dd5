package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"
)

// FuzzParseCheckpoint: a checkpoint file comes from outside (a witness, a
// USB stick). Parsing never panics; what parses encodes back to a
// checkpoint that parses to the same thing, and verifies exactly when the
// original did.
func FuzzParseCheckpoint(f *testing.F) {
	c, err := SignCheckpoint(seededKey(1), time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		[]Head{{Chain: 0, Seq: 42, Hash: [32]byte{1, 2, 3}}, {Chain: 7, Seq: 3}})
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(c)
	empty, _ := SignCheckpoint(seededKey(1), time.Unix(0, 0), nil)
	emptyJSON, _ := json.Marshal(empty)
	f.Add(good)
	f.Add(emptyJSON)
	f.Add([]byte(`{"format":"dancu.audit.checkpoint.v1","at":"2026-03-01T09:00:00Z","heads":null,"public_key":"","signature":""}`))
	f.Add([]byte(`{"heads":[{"chain":-1,"seq":1,"hash":"00"}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"format":"dancu.audit.checkpoint.v1"}{}`))
	pub := seededKey(1).Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCheckpoint(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("a parsed checkpoint does not encode: %v", err)
		}
		back, err := ParseCheckpoint(again)
		if err != nil {
			t.Fatalf("re-encoded checkpoint does not parse: %v\n%s", err, again)
		}
		if !bytes.Equal(back.Message(), c.Message()) || !bytes.Equal(back.Signature, c.Signature) {
			t.Fatalf("re-encoding changed what is signed")
		}
		if (c.Verify(pub) == nil) != (back.Verify(pub) == nil) {
			t.Fatalf("re-encoding changed whether it verifies")
		}
	})
}

// FuzzParsePublicKey: the public key file is kept apart from the data
// directory and read back by an auditor. Parsing never panics and accepts
// only 32-byte keys.
func FuzzParsePublicKey(f *testing.F) {
	pub := seededKey(1).Public().(ed25519.PublicKey)
	pem, _ := MarshalPublicKey(pub)
	f.Add(pem)
	f.Add([]byte("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"))
	f.Add([]byte("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="))
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePublicKey(data)
		if err != nil {
			return
		}
		if len(k) != ed25519.PublicKeySize {
			t.Fatalf("accepted a key of %d bytes", len(k))
		}
		out, err := MarshalPublicKey(k)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePublicKey(out)
		if err != nil || !back.Equal(k) {
			t.Fatalf("PEM round trip: %v", err)
		}
	})
}

// FuzzDecodeAccesses: an access list read from a database that may have
// been tampered with. Decoding never panics or over-allocates; what
// decodes encodes back to the same bytes (so hashing either is the same),
// and the skipping readers agree with the full decoder.
func FuzzDecodeAccesses(f *testing.F) {
	f.Add(EncodeAccesses(vectorEntry().Records[0].Accesses))
	f.Add(EncodeAccesses(nil))
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := DecodeAccesses(data)
		walkErr := WalkAccessPIDs(data, func(i int, n uint64) {
			if err == nil && list[i].PID.Uint64() != n {
				t.Fatalf("WalkAccessPIDs gave %d for access %d, the decoder %q", n, i, list[i].PID)
			}
		})
		if (err == nil) != (walkErr == nil) {
			t.Fatalf("DecodeAccesses: %v, WalkAccessPIDs: %v", err, walkErr)
		}
		if err != nil {
			return
		}
		if !bytes.Equal(EncodeAccesses(list), data) {
			t.Fatalf("decode then encode changed the bytes")
		}
		for i := range list {
			a, err := AccessAt(data, i)
			if err != nil || a.PID != list[i].PID || a.Result != list[i].Result || len(a.Fields) != len(list[i].Fields) {
				t.Fatalf("AccessAt(%d) = %+v, %v; want %+v", i, a, err, list[i])
			}
		}
	})
}

// FuzzDecodeRecords: an entry's records read from a database that may
// have been tampered with. Decoding never panics or over-allocates; what
// decodes encodes back to the same bytes, and the skipping readers agree
// with the full decoder.
func FuzzDecodeRecords(f *testing.F) {
	f.Add(EncodeRecords(vectorEntry().Records))
	f.Add(EncodeRecords(nil))
	f.Add(EncodeRecords([]Record{{Accesses: []Access{{PID: "079300000001"}}}}))
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := DecodeRecords(data)
		var flat []Access
		var ats []int64
		for _, r := range list {
			for _, a := range r.Accesses {
				flat, ats = append(flat, a), append(ats, r.At.UnixMicro())
			}
		}
		walkErr := WalkRecordPIDs(data, func(i int, at int64, n uint64) {
			if err == nil && (flat[i].PID.Uint64() != n || ats[i] != at) {
				t.Fatalf("WalkRecordPIDs gave %d at %d for access %d, the decoder %q at %d", n, at, i, flat[i].PID, ats[i])
			}
		})
		if (err == nil) != (walkErr == nil) {
			t.Fatalf("DecodeRecords: %v, WalkRecordPIDs: %v", err, walkErr)
		}
		if err != nil {
			return
		}
		if !bytes.Equal(EncodeRecords(list), data) {
			t.Fatalf("decode then encode changed the bytes")
		}
		for i := range flat {
			_, a, err := RecordAccessAt(data, i)
			if err != nil || a.PID != flat[i].PID || a.Result != flat[i].Result || len(a.Fields) != len(flat[i].Fields) {
				t.Fatalf("RecordAccessAt(%d) = %+v, %v; want %+v", i, a, err, flat[i])
			}
		}
	})
}
