package registry

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// This file splits a JSON object into its members without decoding them,
// for diff.

// jsonMember is one member of a JSON object: its name, unquoted, and its
// value as written.
type jsonMember struct {
	name, value []byte
}

// objectMembers appends to dst the members of the JSON object data (none
// for null), sorted by name, and returns it. Of a name given twice the
// last value counts, as when json.Unmarshal fills a map. Text that is not
// one JSON object gets the error json.Unmarshal gives.
func objectMembers(data []byte, dst []jsonMember) ([]jsonMember, error) {
	s := jsonScanner{data: data}
	members, ok := s.topObject(dst)
	if !ok {
		// encoding/json tells what is wrong; should it read what the
		// scanner refused, its reading is the one to use.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		members = dst
		for k, v := range m {
			members = append(members, jsonMember{name: []byte(k), value: v})
		}
	}
	slices.SortStableFunc(members, func(x, y jsonMember) int { return bytes.Compare(x.name, y.name) })
	out := members[:0]
	for i, m := range members {
		if i+1 < len(members) && bytes.Equal(m.name, members[i+1].name) {
			continue // the stable sort kept a repeated name's members in order
		}
		out = append(out, m)
	}
	return out, nil
}

// jsonScanner reads JSON text by encoding/json's grammar and limits,
// finding where values start and end without decoding them.
type jsonScanner struct {
	data []byte
	i    int
}

// maxJSONDepth is encoding/json's limit on nested arrays and objects.
const maxJSONDepth = 10000

// topObject reads the whole text as one object, or null, with white space
// around it, and appends its members to dst in the order written.
func (s *jsonScanner) topObject(dst []jsonMember) ([]jsonMember, bool) {
	s.space()
	if s.literal("null") {
		s.space()
		return dst, s.i == len(s.data)
	}
	if !s.next('{') {
		return nil, false
	}
	s.space()
	if s.next('}') {
		s.space()
		return dst, s.i == len(s.data)
	}
	for {
		start := s.i
		escaped, ok := s.string()
		if !ok {
			return nil, false
		}
		name := s.data[start+1 : s.i-1]
		if escaped || !utf8.Valid(name) {
			// Escapes, and invalid UTF-8 (which becomes U+FFFD): let
			// encoding/json unquote the name as it does map keys.
			var u string
			if json.Unmarshal(s.data[start:s.i], &u) != nil {
				return nil, false
			}
			name = []byte(u)
		}
		s.space()
		if !s.next(':') {
			return nil, false
		}
		s.space()
		start = s.i
		if !s.value(1) {
			return nil, false
		}
		dst = append(dst, jsonMember{name: name, value: s.data[start:s.i]})
		s.space()
		if s.next(',') {
			s.space()
			continue
		}
		if !s.next('}') {
			return nil, false
		}
		s.space()
		return dst, s.i == len(s.data)
	}
}

// value reads one value inside depth open arrays and objects.
func (s *jsonScanner) value(depth int) bool {
	if s.i == len(s.data) {
		return false
	}
	switch c := s.data[s.i]; {
	case c == '{':
		return s.object(depth + 1)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		_, ok := s.string()
		return ok
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return false
}

// object reads an object that is the depth-th open array or object.
func (s *jsonScanner) object(depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	s.i++ // {
	s.space()
	if s.next('}') {
		return true
	}
	for {
		if _, ok := s.string(); !ok {
			return false
		}
		s.space()
		if !s.next(':') {
			return false
		}
		s.space()
		if !s.value(depth) {
			return false
		}
		s.space()
		if s.next('}') {
			return true
		}
		if !s.next(',') {
			return false
		}
		s.space()
	}
}

// array reads an array that is the depth-th open array or object.
func (s *jsonScanner) array(depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	s.i++ // [
	s.space()
	if s.next(']') {
		return true
	}
	for {
		if !s.value(depth) {
			return false
		}
		s.space()
		if s.next(']') {
			return true
		}
		if !s.next(',') {
			return false
		}
		s.space()
	}
}

// string reads a string; escaped reports a backslash in it. Bytes from
// 0x20 up are taken as they are, invalid UTF-8 included, as
// encoding/json takes them.
func (s *jsonScanner) string() (escaped, ok bool) {
	if !s.next('"') {
		return false, false
	}
	data, i := s.data, s.i
	for i < len(data) {
		c := data[i]
		i++
		switch {
		case c >= 0x20 && c != '"' && c != '\\':
			continue
		case c == '"':
			s.i = i
			return escaped, true
		case c < 0x20:
			return false, false
		}
		escaped = true
		if i == len(data) {
			return false, false
		}
		e := data[i]
		i++
		switch e {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			if len(data)-i < 4 {
				return false, false
			}
			for _, h := range data[i : i+4] {
				if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
					return false, false
				}
			}
			i += 4
		default:
			return false, false
		}
	}
	return false, false
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *jsonScanner) number() bool {
	s.next('-')
	if !s.next('0') && s.digits() == 0 {
		return false
	}
	if s.next('.') && s.digits() == 0 {
		return false
	}
	if s.next('e') || s.next('E') {
		if !s.next('+') {
			s.next('-')
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

// digits reads a run of digits and tells how many.
func (s *jsonScanner) digits() int {
	start := s.i
	for s.i < len(s.data) && '0' <= s.data[s.i] && s.data[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

// literal reads lit if it comes next.
func (s *jsonScanner) literal(lit string) bool {
	if len(s.data)-s.i < len(lit) || string(s.data[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// next reads c if it comes next.
func (s *jsonScanner) next(c byte) bool {
	if s.i < len(s.data) && s.data[s.i] == c {
		s.i++
		return true
	}
	return false
}

// space skips JSON white space.
func (s *jsonScanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}
