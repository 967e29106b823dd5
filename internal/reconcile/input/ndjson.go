package input

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// jsonFields finds the fields of JSON keys.
type jsonFields struct {
	keys     map[string]uint16 // columnKey → bit set of fields
	cache    map[string]uint16 // key as written → bit set of fields
	explicit mapping
	seen     uint16 // fields whose key some line had
}

// maxKeyCache bounds the keys remembered as written, so that a file with a
// new key on every line does not grow the reader.
const maxKeyCache = 256

func newJSONFields(cols mapping) jsonFields {
	j := jsonFields{keys: map[string]uint16{}, cache: map[string]uint16{}, explicit: cols}
	for f, name := range cols {
		if name != "" {
			j.keys[columnKey(name)] |= 1 << f
		}
	}
	// A field not mapped explicitly is read from the key of its own name,
	// unless an explicit mapping took that key.
	for f, name := range fieldNames {
		if cols[f] == "" {
			if _, taken := j.keys[name]; !taken {
				j.keys[name] = 1 << f
			}
		}
	}
	return j
}

// lookup returns the fields of a key as scanObject gives it.
func (j *jsonFields) lookup(key []byte) uint16 {
	if m, ok := j.cache[string(key)]; ok {
		return m
	}
	k := string(key)
	if bytes.IndexByte(key, '\\') >= 0 {
		if s, ok := jsonText(append(append([]byte{'"'}, key...), '"')); ok {
			k = s
		}
	}
	m := j.keys[columnKey(k)]
	if len(j.cache) < maxKeyCache {
		j.cache[string(key)] = m
	}
	return m
}

// UnseenKeys returns, for an NDJSON file, the keys named in
// Options.Columns that no line read so far has had: at the end of the
// file, most likely misspelt. It returns nil for a CSV file, whose header
// NewReader checks.
func (r *Reader) UnseenKeys() []string {
	if r.format != NDJSON {
		return nil
	}
	var out []string
	for f, name := range r.json.explicit {
		if name != "" && r.json.seen&(1<<f) == 0 {
			out = append(out, name)
		}
	}
	return out
}

func (r *Reader) nextNDJSON() (Record, error) {
	for {
		b, tooLong, err := r.readLine()
		if err != nil {
			return Record{}, err
		}
		line := r.line
		if tooLong {
			return r.invalid(line, KindTooLong, "the line is longer than %d bytes", MaxRecord), nil
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		if !utf8.Valid(b) {
			return r.invalid(line, KindEncoding, "%s", notUTF8(line)), nil
		}
		if !json.Valid(b) {
			var v any
			return r.invalid(line, KindJSON, "%s", jsonReason(json.Unmarshal(b, &v))), nil
		}
		if b[0] != '{' {
			return r.invalid(line, KindJSON, "a line must be a JSON object, not %s", jsonKind(b[0])), nil
		}
		var raw [numFields]string
		var bad uint16
		scanObject(b, func(key, value []byte) {
			m := r.json.lookup(key)
			if m == 0 {
				return
			}
			r.json.seen |= m
			text, ok := jsonText(value)
			for f := range numFields {
				if m&(1<<f) != 0 {
					raw[f] = text
					if ok {
						bad &^= 1 << f
					} else {
						bad |= 1 << f
					}
				}
			}
		})
		if bad == 0 {
			return r.build(line, &raw), nil
		}
		var values [numFields]string
		for f := range numFields {
			if bad&(1<<f) != 0 {
				values[f], raw[f] = raw[f], ""
			}
		}
		rec := r.build(line, &raw)
		var errs []FieldError
		for f := range numFields {
			if bad&(1<<f) != 0 {
				errs = append(errs, FieldError{Field: fieldNames[f], Value: values[f], Kind: KindBadValue,
					Reason: "the value " + truncate(values[f], 40) + " is not a string or a number"})
			}
		}
		rec.Errors = append(errs, rec.Errors...)
		return rec, nil
	}
}

// scanObject calls fn with the key (without its quotes, escapes left as
// they are) and the value (as JSON text) of every member of the object b,
// in order. b must be valid JSON (json.Valid) starting with '{'; scanning
// it by hand rather than decoding it into a map makes a line cost a few
// allocations instead of dozens.
func scanObject(b []byte, fn func(key, value []byte)) {
	i := 1
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] == '}' {
			return
		}
		if b[i] == ',' {
			i++
			continue
		}
		start := i
		i = skipString(b, i)
		key := b[start+1 : i-1]
		i = skipSpace(b, i) + 1 // the colon
		i = skipSpace(b, i)
		start = i
		i = skipValue(b, i)
		fn(key, b[start:i])
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// jsonText returns the text of a JSON string or number; null is "". ok is
// false for other values, whose JSON text is returned.
func jsonText(v []byte) (string, bool) {
	if len(v) == 0 {
		return "", true
	}
	switch c := v[0]; {
	case c == '"':
		if bytes.IndexByte(v, '\\') < 0 {
			return string(v[1 : len(v)-1]), true
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return string(v), false
		}
		return s, true
	case c == 'n':
		return "", true
	case c == '-' || ('0' <= c && c <= '9'):
		return string(v), true
	}
	return string(v), false
}

// jsonKind names the kind of the JSON value starting with c.
func jsonKind(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "true or false"
	}
	return "a number"
}

// jsonReason says what is wrong with a line that is not JSON.
func jsonReason(err error) string {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("broken JSON at byte %d: %v", se.Offset, err)
	case err == nil:
		return "broken JSON"
	}
	return "broken JSON: " + err.Error()
}

// readLine returns the next line, or tooLong for a line over MaxRecord
// bytes (read to its end and dropped). The line is valid until the next
// call.
func (r *Reader) readLine() (line []byte, tooLong bool, err error) {
	r.line++
	r.lines = r.lines[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		switch {
		case err == bufio.ErrBufferFull:
			if !tooLong {
				if len(r.lines)+len(chunk) > MaxRecord {
					tooLong, r.lines = true, r.lines[:0]
				} else {
					r.lines = append(r.lines, chunk...)
				}
			}
			continue
		case err == io.EOF:
			if len(chunk) == 0 && len(r.lines) == 0 && !tooLong {
				return nil, false, io.EOF
			}
		case err != nil:
			return nil, false, err
		}
		if tooLong || len(r.lines)+len(chunk) > MaxRecord+1 {
			return nil, true, nil
		}
		if len(r.lines) > 0 {
			r.lines = append(r.lines, chunk...)
			return r.lines, false, nil
		}
		return chunk, false, nil
	}
}

// truncate shortens s to about n bytes for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
