package provider

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// This file is a fast path for decoding the create-request bodies. It
// accepts only an unambiguous subset of JSON, where its result is plainly
// the one encoding/json would give, and reports false for anything else so
// that the caller decodes the body with encoding/json (decodeJSON), which
// also produces every error message. The subset:
//
//   - one object, surrounded by JSON whitespace only;
//   - keys without escapes or non-ASCII bytes, each known key at most once,
//     and no key that equals a known key only case-insensitively;
//   - known string fields holding a string without escapes, in valid UTF-8,
//     or null;
//   - "candidate" holding an object whose known fields are read like
//     identifiers (below), or null;
//   - "preferences" holding an object whose keys are strings without
//     escapes, in valid UTF-8, and whose values are such strings, numbers
//     within float64's range, true, false or null; any other preferences
//     object is decoded by encoding/json;
//   - identifiers ("interview_template_id", "test_id", "job_id",
//     "job_shortcode") as ID.UnmarshalJSON accepts them (a string or a
//     number, or null), the value checked with json.Valid first;
//   - values of unknown keys, located by skipValue and checked with
//     json.Valid.
//
// Because every byte is either parsed strictly here or inside a slice that
// encoding/json accepted as a whole value, a body accepted here is valid
// JSON, and a valid JSON document has a single parse. There is no error
// handling to get wrong: every doubt is a fallback.

// fastReader reads the subset above. Every method is bounds-checked and
// reports false on anything outside the subset.
type fastReader struct {
	b []byte
	i int
	// s, if not empty, holds the same bytes as b: strings read are then
	// slices of it instead of copies, one allocation for the whole body
	// instead of one per field.
	s string
}

// maxSharedBody is the largest body whose strings share one copy of it:
// beyond, a retained field would pin a large body, so each is copied.
const maxSharedBody = 4 << 10

// newFastReader returns a reader of body that copies it once into a string
// and reads strings as slices of it, if it is small.
func newFastReader(body []byte) fastReader {
	r := fastReader{b: body}
	if len(body) <= maxSharedBody {
		r.s = string(body)
	}
	return r
}

// text returns v, a slice of r.b, as a string.
func (r *fastReader) text(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if r.s == "" {
		return string(v)
	}
	off := cap(r.b) - cap(v) // v is r.b[off:off+len(v)]
	return r.s[off : off+len(v)]
}

func (r *fastReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// next skips whitespace and returns the next byte, or 0 at the end.
func (r *fastReader) next() byte {
	r.ws()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

// plainString reads a string without escapes. ascii requires ASCII only;
// otherwise the content must be valid UTF-8 (encoding/json would replace
// invalid bytes).
func (r *fastReader) plainString(ascii bool) (s []byte, ok bool) {
	if r.next() != '"' {
		return nil, false
	}
	start := r.i + 1
	nonASCII := false
	for j := start; j < len(r.b); j++ {
		c := r.b[j]
		switch {
		case c == '"':
			s = r.b[start:j]
			if nonASCII && (ascii || !utf8.Valid(s)) {
				return nil, false
			}
			r.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			nonASCII = true
		}
	}
	return nil, false
}

// null consumes a null literal if one is next.
func (r *fastReader) null() bool {
	if r.next() == 'n' && len(r.b)-r.i >= 4 && string(r.b[r.i:r.i+4]) == "null" {
		r.i += 4
		return true
	}
	return false
}

// skipValue returns the bytes of the value that starts at the next byte,
// as delimited by a JSON tokenizer, without checking them: the caller
// hands them to encoding/json.
func (r *fastReader) skipValue() ([]byte, bool) {
	r.ws()
	start := r.i
	depth := 0
	for r.i < len(r.b) {
		switch c := r.b[r.i]; c {
		case '"':
			r.i++
			for r.i < len(r.b) && r.b[r.i] != '"' {
				if r.b[r.i] == '\\' {
					r.i++
				}
				r.i++
			}
			if r.i >= len(r.b) {
				return nil, false
			}
			r.i++
		case '{', '[':
			depth++
			r.i++
		case '}', ']':
			if depth == 0 {
				return r.b[start:r.i], r.i > start
			}
			depth--
			r.i++
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return r.b[start:r.i], r.i > start
			}
			r.i++
		default:
			r.i++
		}
		if depth == 0 && r.i > start && (r.b[start] == '"' || r.b[start] == '{' || r.b[start] == '[') {
			return r.b[start:r.i], true
		}
	}
	return r.b[start:r.i], r.i > start
}

// skipChecked skips a value and checks it with json.Valid.
func (r *fastReader) skipChecked() bool {
	v, ok := r.skipValue()
	return ok && json.Valid(v)
}

// object reads an object, calling member for each key with the reader at
// the value; member must consume the value. Keys are plain ASCII.
func (r *fastReader) object(member func(key []byte) bool) bool {
	return r.objectKeys(true, member)
}

// objectKeys is object with keys in plain ASCII or, if !ascii, plain UTF-8.
func (r *fastReader) objectKeys(ascii bool, member func(key []byte) bool) bool {
	if r.next() != '{' {
		return false
	}
	r.i++
	if r.next() == '}' {
		r.i++
		return true
	}
	for {
		key, ok := r.plainString(ascii)
		if !ok || r.next() != ':' {
			return false
		}
		r.i++
		if !member(key) {
			return false
		}
		switch r.next() {
		case ',':
			r.i++
		case '}':
			r.i++
			return true
		default:
			return false
		}
	}
}

// fields matches keys against a fixed list of names, remembering which
// were seen.
type fields struct {
	names []string
	seen  uint32
}

// match returns the index of key in names, -1 for an unknown key, or false
// for a key seen before or one that matches a name only case-insensitively
// (encoding/json would fold it).
func (f *fields) match(key []byte) (int, bool) {
	for i, n := range f.names {
		if string(key) == n {
			if f.seen&(1<<i) != 0 {
				return 0, false
			}
			f.seen |= 1 << i
			return i, true
		}
	}
	for _, n := range f.names {
		if asciiEqualFold(key, n) {
			return 0, false
		}
	}
	return -1, true
}

func asciiEqualFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// stringField reads a plain string or null into dst.
func (r *fastReader) stringField(dst *string) bool {
	if r.null() {
		return true
	}
	s, ok := r.plainString(false)
	if ok {
		*dst = r.text(s)
	}
	return ok
}

var candidateNames = []string{"first_name", "last_name", "phone", "email"}

func (r *fastReader) preferences(dst *map[string]any) bool {
	if r.null() {
		return true
	}
	if r.next() != '{' {
		return false
	}
	start := r.i
	m := make(map[string]any)
	if r.objectKeys(false, func(key []byte) bool {
		v, ok := r.scalar()
		if ok {
			m[r.text(key)] = v
		}
		return ok
	}) {
		*dst = m
		return true
	}
	// Nested values and the like: let encoding/json decode the object.
	r.i = start
	v, ok := r.skipValue()
	if !ok {
		return false
	}
	decoded, ok := unmarshalPreferences(v)
	if ok {
		*dst = decoded
	}
	return ok
}

// unmarshalPreferences decodes a preferences object with encoding/json.
// It is apart so that only this path puts a map header on the heap: were
// dst passed to json.Unmarshal, the request being decoded would escape
// and cost an allocation on every request.
func unmarshalPreferences(v []byte) (map[string]any, bool) {
	var m map[string]any
	err := json.Unmarshal(v, &m)
	return m, err == nil
}

// scalar reads a plain string, a number within float64's range, true,
// false or null, as encoding/json decodes them into an any.
func (r *fastReader) scalar() (any, bool) {
	switch c := r.next(); {
	case c == '"':
		s, ok := r.plainString(false)
		return r.text(s), ok
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range [...]string{"true", "false", "null"} {
			if len(r.b)-r.i >= len(lit) && string(r.b[r.i:r.i+len(lit)]) == lit {
				r.i += len(lit)
				switch lit {
				case "true":
					return true, true
				case "false":
					return false, true
				}
				return nil, true
			}
		}
	case c == '-' || ('0' <= c && c <= '9'):
		v, ok := r.skipValue()
		if !ok || !json.Valid(v) {
			return nil, false
		}
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err == nil
	}
	return nil, false
}

// idField reads a string or number (or null) into dst, exactly as
// ID.UnmarshalJSON does; anything else falls back to encoding/json.
func (r *fastReader) idField(dst *ID) bool {
	if r.null() {
		return true
	}
	start := r.i
	if r.next() == '"' {
		if s, ok := r.plainString(false); ok {
			*dst = ID{s: r.text(s)}
			return true
		}
		r.i = start // escapes: let ID.UnmarshalJSON decode the string
	}
	v, ok := r.skipValue()
	if !ok || !json.Valid(v) {
		return false
	}
	if c := v[0]; c == '-' || ('0' <= c && c <= '9') {
		// A valid JSON number: ID.UnmarshalJSON keeps its literal text.
		*dst = ID{s: r.text(v), number: true}
		return true
	}
	return dst.UnmarshalJSON(v) == nil
}

// interviewNames and assessmentNames agree on all but index 5.
var (
	interviewNames  = []string{"job_id", "job_title", "callback_url", "candidate", "preferences", "interview_template_id", "job_shortcode"}
	assessmentNames = []string{"job_id", "job_title", "callback_url", "candidate", "preferences", "test_id", "job_shortcode"}
)

// end reports whether only whitespace is left.
func (r *fastReader) end() bool {
	r.ws()
	return r.i == len(r.b)
}

// fastInterview decodes body into w if it is in the subset.
func fastInterview(body []byte, w *wireInterview) bool {
	var rc rawCreate
	if !rc.readInterview(body) {
		return false
	}
	*w = rc.wireInterview()
	return true
}

// fastAssessment decodes body into w if it is in the subset.
func fastAssessment(body []byte, w *wireAssessment) bool {
	var rc rawCreate
	if !rc.readAssessment(body) {
		return false
	}
	*w = rc.wireAssessment()
	return true
}
