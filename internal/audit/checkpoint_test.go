package audit

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func seededKey(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

func sampleCheckpoint(t testing.TB) Checkpoint {
	t.Helper()
	c, err := SignCheckpoint(seededKey(1), time.Date(2026, 3, 1, 9, 0, 0, 1000, time.UTC),
		[]Head{{Chain: 0, Seq: 42, Hash: [32]byte{1, 2, 3}}, {Chain: 7, Seq: 3, Hash: [32]byte{9}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheckpointRoundTrip(t *testing.T) {
	c := sampleCheckpoint(t)
	pub := seededKey(1).Public().(ed25519.PublicKey)
	if err := c.Verify(pub); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"format":"dancu.audit.checkpoint.v1"`, `"at":"2026-03-01T09:00:00.000001Z"`,
		`"hash":"0102030000000000000000000000000000000000000000000000000000000000"`} {
		if !strings.Contains(string(data), field) {
			t.Errorf("JSON lacks %s:\n%s", field, data)
		}
	}
	back, err := ParseCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Verify(pub); err != nil {
		t.Fatalf("parsed checkpoint: %v", err)
	}
	if back.Entries() != 45 || len(back.Heads) != 2 || back.Heads[1] != c.Heads[1] {
		t.Fatalf("parsed %+v", back)
	}
}

func TestCheckpointVerifyRefuses(t *testing.T) {
	pub := seededKey(1).Public().(ed25519.PublicKey)
	cases := map[string]func(c *Checkpoint){
		"a head's hash":   func(c *Checkpoint) { c.Heads[0].Hash[31] ^= 1 },
		"a head's seq":    func(c *Checkpoint) { c.Heads[1].Seq++ },
		"a head removed":  func(c *Checkpoint) { c.Heads = c.Heads[:1] },
		"the time":        func(c *Checkpoint) { c.At = c.At.Add(time.Microsecond) },
		"the signature":   func(c *Checkpoint) { c.Signature[0] ^= 1 },
		"another signer":  func(c *Checkpoint) { *c, _ = SignCheckpoint(seededKey(2), c.At, c.Heads) },
		"key swapped in":  func(c *Checkpoint) { c.PublicKey = seededKey(2).Public().(ed25519.PublicKey) },
		"a foreign chain": func(c *Checkpoint) { c.Heads[1].Chain = 8 },
	}
	for name, change := range cases {
		c := sampleCheckpoint(t)
		change(&c)
		err := c.Verify(pub)
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Verify = %v, want ErrBadSignature", name, err)
		}
	}
	if err := sampleCheckpoint(t).Verify(nil); err == nil {
		t.Error("Verify without a key passed")
	}
}

func TestParseCheckpointRefuses(t *testing.T) {
	good, err := json.Marshal(sampleCheckpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	replace := func(old, new string) string { return strings.Replace(string(good), old, new, 1) }
	cases := map[string]string{
		"not JSON":        "checkpoint",
		"unknown field":   replace(`{"format"`, `{"extra":1,"format"`),
		"trailing data":   string(good) + "{}",
		"other format":    replace("checkpoint.v1", "checkpoint.v2"),
		"no time":         replace(`"at":"2026-03-01T09:00:00.000001Z"`, `"at":"0001-01-01T00:00:00Z"`),
		"nanoseconds":     replace(`"at":"2026-03-01T09:00:00.000001Z"`, `"at":"2026-03-01T09:00:00.000001001Z"`),
		"unsorted heads":  replace(`"chain":7`, `"chain":0`),
		"seq 0":           replace(`"seq":42`, `"seq":0`),
		"short hash":      replace(`"hash":"01020300`, `"hash":"010203`),
		"short signature": replace(`"signature":"`, `"signature":"AAAA`),
	}
	for name, data := range cases {
		if _, err := ParseCheckpoint([]byte(data)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", KeyFileName)
	key, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", info.Mode().Perm())
	}
	again, err := LoadOrCreateKey(path)
	if err != nil || !again.Equal(key) {
		t.Fatalf("second load gave another key (%v)", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a world-readable key: %v", err)
	}
	if _, err := LoadKey(filepath.Join(dir, "missing.key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing key: %v", err)
	}
}

// TestLoadOrCreateKeyRace: processes that create the key at once agree on
// it.
func TestLoadOrCreateKeyRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), KeyFileName)
	keys := make([]ed25519.PrivateKey, 8)
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = LoadOrCreateKey(path) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil || !keys[i].Equal(keys[0]) {
			t.Fatalf("creator %d: %v (same key: %v)", i, errs[i], keys[i].Equal(keys[0]))
		}
	}
}

func TestParsePublicKey(t *testing.T) {
	pub := seededKey(3).Public().(ed25519.PublicKey)
	pem, err := MarshalPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	c, err := SignCheckpoint(seededKey(3), time.Unix(1, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(c)
	var raw struct {
		PublicKey string `json:"public_key"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"PEM":    string(pem),
		"hex":    "  " + strings.ToUpper(hexString(pub)) + "\n",
		"base64": raw.PublicKey,
	} {
		got, err := ParsePublicKey([]byte(in))
		if err != nil || !got.Equal(pub) {
			t.Errorf("%s: %x, %v", name, got, err)
		}
	}
	for name, in := range map[string]string{
		"empty":          "",
		"short hex":      hexString(pub)[:62],
		"private key":    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		"PEM and more":   string(pem) + "x",
		"broken PEM":     strings.Replace(string(pem), "MCow", "MCox", 1),
		"not a key file": "hello",
	} {
		if _, err := ParsePublicKey([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
