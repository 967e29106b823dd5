package verify

import (
	"fmt"
	"sync"
	"testing"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

// numbered is the test citizen with number k, version v and a name and
// old ID number that say which version it is.
func numbered(k int, v int64) registry.Citizen {
	c := citizen()
	c.PID = pid.PID(fmt.Sprintf("0010900%05d", k))
	c.FullName = fmt.Sprintf("Nguyễn Văn Phiên Bản %d", v)
	c.OldIDNumber = fmt.Sprintf("%09d", k*100+int(v))
	c.Version = v
	return c
}

func nameIs(ix *Index, c registry.Citizen) bool {
	return ix.Verify(Request{PID: string(c.PID), FullName: c.FullName}).Result == ResultMatch
}

func TestPutReplacesOnlyNewer(t *testing.T) {
	ix := indexOf(t, numbered(1, 2))
	ix.Put(numbered(1, 1)) // older: ignored
	if !nameIs(ix, numbered(1, 2)) {
		t.Fatal("an older version replaced a newer one")
	}
	changed := numbered(1, 2)
	changed.FullName = "Trần Thị Khác"
	ix.Put(changed) // same version: ignored
	if !nameIs(ix, numbered(1, 2)) {
		t.Fatal("the same version replaced what was held")
	}
	ix.Put(numbered(1, 3))
	if !nameIs(ix, numbered(1, 3)) || ix.Len() != 1 {
		t.Fatalf("newer version not taken (len %d)", ix.Len())
	}
	// The old ID map follows the current version only.
	if res := ix.Verify(Request{OldIDNumber: numbered(1, 2).OldIDNumber}); res.Result != ResultNotFound {
		t.Fatalf("replaced old ID number still finds: %+v", res)
	}
	if res := ix.Verify(Request{OldIDNumber: numbered(1, 3).OldIDNumber}); res.PID != numbered(1, 3).PID {
		t.Fatalf("current old ID number: %+v", res)
	}
	// A number that is not 12 digits is ignored.
	bad := numbered(2, 1)
	bad.PID = "12345"
	ix.Put(bad)
	if ix.Len() != 1 {
		t.Fatalf("len %d after a bad number", ix.Len())
	}
}

// TestIndexGrowsAndCompacts puts enough citizens to grow every table and
// enough versions to compact the arenas, and checks every answer.
func TestIndexGrowsAndCompacts(t *testing.T) {
	ix := newTestIndex(t)
	const n, versions = 5000, 8
	for v := int64(1); v <= versions; v++ {
		for k := range n {
			ix.Put(numbered(k, v))
		}
	}
	if ix.Len() != n {
		t.Fatalf("len %d, want %d", ix.Len(), n)
	}
	m := ix.Memory()
	if m.Citizens != n || m.OldIDs != n || m.Replaced > m.Records/2+4096*shardCount {
		t.Fatalf("memory %+v", m)
	}
	for k := range n {
		c := numbered(k, versions)
		if !nameIs(ix, c) {
			t.Fatalf("citizen %d: latest version not held", k)
		}
		if res := ix.Verify(Request{OldIDNumber: c.OldIDNumber}); res.PID != c.PID {
			t.Fatalf("citizen %d by old ID: %+v", k, res)
		}
		if res := ix.Verify(Request{OldIDNumber: numbered(k, versions-1).OldIDNumber}); res.Result != ResultNotFound {
			t.Fatalf("citizen %d by a replaced old ID: %+v", k, res)
		}
	}
}

// TestConcurrentPutVerify runs writers and readers at once (run with
// -race): a reader sees some complete version of each citizen, never a
// torn one, and versions only move forward.
func TestConcurrentPutVerify(t *testing.T) {
	ix := newTestIndex(t)
	const n, versions = 300, 40
	for k := range n {
		ix.Put(numbered(k, 1))
	}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := int64(2); v <= versions; v++ {
				for k := w; k < n; k += 2 {
					ix.Put(numbered(k, v))
					ix.Put(numbered(k, v-1)) // stale: ignored
				}
			}
		}()
	}
	errs := make(chan error, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := make([]uint64, n)
			for round := 0; round < 20; round++ {
				for k := range n {
					c := numbered(k, 1)
					var h held
					if !ix.lookup(c.PID.Uint64(), &h) {
						errs <- fmt.Errorf("citizen %d not found", k)
						return
					}
					// The record is whole: its name and old ID number are
					// those of its version.
					want := numbered(k, int64(h.version))
					key, _ := oldIDKey(want.OldIDNumber)
					if string(h.name) != want.FullName || h.oldID != key || h.version < last[k] {
						errs <- fmt.Errorf("citizen %d: version %d (after %d) holds %q", k, h.version, last[k], h.name)
						return
					}
					last[k] = h.version
					// Verify, a moment later, sees that version or a newer one.
					agrees := false
					for v := int64(h.version); v <= versions && !agrees; v++ {
						agrees = nameIs(ix, numbered(k, v))
					}
					if !agrees {
						errs <- fmt.Errorf("citizen %d: Verify sees no version from %d on", k, h.version)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for k := range n {
		if !nameIs(ix, numbered(k, versions)) {
			t.Fatalf("citizen %d: last version missing", k)
		}
	}
}

func TestRecordRoundTrip(t *testing.T) {
	e := entry{pid: 999_999_999_999, version: 1 << 40, flags: flagCard | flagPhone | flagOldID | 2,
		dob: packDate(registry.MustDate("2024-02-29")), card: packDate(registry.MustDate("1800")),
		commune: 65535, phone: 999_999_999_999_999, oldID: 1<<41 - 1, name: "Tôn Nữ Thị Hồng Ngọc", street: []byte("số 1")}
	b := make([]byte, e.size())
	e.encode(b)
	var h held
	decode(b, &h)
	if h.pid != e.pid || h.version != e.version || h.flags != e.flags || h.dob != e.dob || h.card != e.card ||
		h.commune != e.commune || h.phone != e.phone || h.oldID != e.oldID || string(h.name) != e.name ||
		string(h.street) != string(e.street) || h.size != len(b) {
		t.Fatalf("decoded %+v from %+v", h, e)
	}
}
