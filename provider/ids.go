package provider

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// ID identifies an assessment test. Workable's documentation shows integer
// test ids ({"id": 1}) while interview template ids are strings, so an ID
// keeps whichever JSON form it was given and emits it unchanged: a backend
// returning NumberID(1) produces "id": 1, StringID("a1") produces "id": "a1".
// The zero ID is empty and encodes as "".
type ID struct {
	s      string
	number bool
}

// StringID returns an ID that encodes as a JSON string.
func StringID(s string) ID { return ID{s: s} }

// NumberID returns an ID that encodes as a JSON number.
func NumberID(n int64) ID { return ID{s: strconv.FormatInt(n, 10), number: true} }

// String returns the id's text, without quotes.
func (id ID) String() string { return id.s }

// IsNumber reports whether the id encodes as a JSON number.
func (id ID) IsNumber() bool { return id.number }

// IsZero reports whether id is empty.
func (id ID) IsZero() bool { return id.s == "" }

// MarshalJSON implements json.Marshaler.
func (id ID) MarshalJSON() ([]byte, error) {
	if id.number {
		return []byte(id.s), nil
	}
	return appendJSONString(nil, id.s), nil
}

// UnmarshalJSON implements json.Unmarshaler. It accepts a JSON string or a
// JSON number; null leaves id unchanged.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return &json.UnmarshalTypeError{Value: "empty", Type: reflect.TypeFor[ID]()}
	case string(b) == "null":
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = ID{s: s}
		return nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*id = ID{s: n.String(), number: true}
		return nil
	}
	kind := "value"
	switch b[0] {
	case '{':
		kind = "object"
	case '[':
		kind = "array"
	case 't', 'f':
		kind = "bool"
	}
	return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeFor[ID]()}
}

// appendJSONString appends s to b as a JSON string, escaping like
// encoding/json (including <, > and & for safety in HTML contexts).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
