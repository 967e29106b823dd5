package verify

import "unicode/utf8"

// DecodeRequest is the fast path of decoding a request body: it fills r
// from a body of the shape agencies send — one JSON object of the
// request's field names, each spelled exactly as the wire format does,
// with string values free of escapes — and reports whether it could. It
// declines (false, r possibly half filled) anything else: escapes, null
// or non-string values, other spellings of a name, unknown names, invalid
// UTF-8, trailing data. The caller then decodes the body with
// encoding/json, which gives the answer and the precise error; whenever
// DecodeRequest accepts a body, encoding/json (unknown fields disallowed)
// accepts it too and fills the same values (FuzzDecodeRequest checks it).
// It saves the verification hot path the reflection of encoding/json.
func DecodeRequest(body []byte, r *Request) bool {
	if !utf8.Valid(body) {
		return false // encoding/json would replace the invalid bytes
	}
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return false
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return skipSpace(body, i+1) == len(body)
	}
	for {
		key, next, ok := plainString(body, i)
		if !ok {
			return false
		}
		i = skipSpace(body, next)
		if i >= len(body) || body[i] != ':' {
			return false
		}
		value, next, ok := plainString(body, skipSpace(body, i+1))
		if !ok {
			return false
		}
		field := requestField(r, key)
		if field == nil {
			return false
		}
		*field = string(value)
		i = skipSpace(body, next)
		if i >= len(body) {
			return false
		}
		switch body[i] {
		case ',':
			i = skipSpace(body, i+1)
		case '}':
			return skipSpace(body, i+1) == len(body)
		default:
			return false
		}
	}
}

// requestField is the field of r the wire name key names, or nil.
func requestField(r *Request, key []byte) *string {
	switch string(key) { // no allocation: the compiler compares in place
	case "purpose":
		return &r.Purpose
	case FieldPID:
		return &r.PID
	case FieldOldIDNumber:
		return &r.OldIDNumber
	case FieldFullName:
		return &r.FullName
	case FieldDateOfBirth:
		return &r.DateOfBirth
	case FieldGender:
		return &r.Gender
	case FieldIDCardIssueDate:
		return &r.IDCardIssueDate
	case FieldPermanentAddress:
		return &r.PermanentAddress
	case FieldPhone:
		return &r.Phone
	}
	return nil
}

// plainString reads the JSON string at b[i:] when it holds no escape or
// control character: its contents and the index after its closing quote.
func plainString(b []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// skipSpace is the index of the first byte at or after i that is not JSON
// white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}
