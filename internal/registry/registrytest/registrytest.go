// Package registrytest builds registers on test databases: the
// administrative units loaded once per test binary, and a settable clock
// so that tests can record events on chosen days.
package registrytest

import (
	"sync"
	"testing"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/store"
)

var (
	unitsOnce sync.Once
	units     *adminunit.Directory
	unitsErr  error
)

// Units returns the embedded administrative units, parsed once.
func Units(t testing.TB) *adminunit.Directory {
	t.Helper()
	unitsOnce.Do(func() { units, unitsErr = adminunit.Load() })
	if unitsErr != nil {
		t.Fatal(unitsErr)
	}
	return units
}

// New returns a register over db, allocating numbers through db.
func New(t testing.TB, db *store.DB, opts ...registry.Option) *registry.Service {
	t.Helper()
	return registry.NewService(db, pid.NewAllocator(db), Units(t), opts...)
}

// ICT is Vietnam's time zone (UTC+7), in which the register reckons days.
var ICT = time.FixedZone("ICT", 7*3600)

// Clock is a settable clock; every reading advances it by a second so that
// events recorded one after another have distinct times.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now reads the clock (and advances it by a second).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
