package app

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// meter shows the progress of a long command on stderr: a bar redrawn in
// place on a terminal, a plain line every few seconds otherwise (logs,
// CI), with rows/s and the time left.
type meter struct {
	w     io.Writer
	verb  string
	total int64 // in the unit of done (rows, or bytes of input); 0 when unknown
	tty   bool
	start time.Time
	last  time.Time
	every time.Duration
	drawn bool
}

func newMeter(w io.Writer, verb string, total int64) *meter {
	tty := isTerminal(w)
	every := 5 * time.Second
	if tty {
		every = 200 * time.Millisecond
	}
	now := time.Now()
	return &meter{w: w, verb: verb, total: total, tty: tty, start: now, last: now, every: every}
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update reports done (of total) and rows so far; it draws at most every
// m.every.
func (m *meter) update(done, rows int64) {
	now := time.Now()
	if now.Sub(m.last) < m.every {
		return
	}
	m.last = now
	m.draw(now, done, rows)
}

func (m *meter) draw(now time.Time, done, rows int64) {
	elapsed := now.Sub(m.start)
	rate := float64(rows) / max(elapsed.Seconds(), 1e-9)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d rows, %.0f rows/s", m.verb, rows, rate)
	if m.total > 0 && done > 0 {
		frac := min(float64(done)/float64(m.total), 1)
		left := time.Duration(float64(elapsed) * (1 - frac) / frac)
		if m.tty {
			const width = 30
			n := int(frac * width)
			fmt.Fprintf(&b, " [%s%s] %3.0f%%", strings.Repeat("█", n), strings.Repeat("░", width-n), frac*100)
		} else {
			fmt.Fprintf(&b, ", %.1f%%", frac*100)
		}
		fmt.Fprintf(&b, ", %s left", left.Round(time.Second))
	}
	if m.tty {
		fmt.Fprintf(m.w, "\r%s\x1b[K", b.String())
		m.drawn = true
	} else {
		fmt.Fprintln(m.w, b.String())
	}
}

// finish ends the bar's line, so the summary starts on its own.
func (m *meter) finish() {
	if m.drawn {
		fmt.Fprintln(m.w)
	}
}

// countingReader counts the bytes read through it, for progress by input
// size.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
