package provider

import (
	"encoding/json"
	"strings"
)

// rawCreate is a create request (interview or assessment) as the fast path
// reads it (see fastpath.go), before any string is made: every field is a
// slice of the body, so reading allocates nothing for the common body.
// From it, the handler either makes the request a backend receives
// (request strings share one allocation) or, for a MemoryBackend, packs it
// straight into the backend's storage (one allocation per invitation).
type rawCreate struct {
	// field holds the text fields in memInvitation's packed order
	// (memTemplate is the template or the test id), each a slice of the
	// body or, for an identifier with escapes, of a decoded copy.
	field [memFields][]byte
	// number has bit f set if field f was a JSON number (identifiers
	// only), whose literal text is then the field.
	number uint16
	// candidate reports a candidate object (not null, not absent).
	candidate bool
	prefs     rawPrefs
}

// rawPrefs is the preferences object as read.
type rawPrefs struct {
	// kind tells which of text and m holds them.
	kind uint8
	// text is, for prefsText, the whole object, whose keys and values are
	// all plain strings (valid UTF-8, no escapes).
	text []byte
	// m is, for prefsMap, the preferences as encoding/json decodes them.
	m map[string]any
}

// Kinds of rawPrefs.
const (
	prefsNone = iota // absent or null
	prefsText
	prefsMap
)

// numberBit returns the bit of field f in rawCreate.number.
func numberBit(f int) uint16 { return 1 << f }

// readInterview reads body, a POST /interviews body, if it is in the fast
// path's subset.
func (rc *rawCreate) readInterview(body []byte) bool {
	return rc.read(body, interviewNames)
}

// readAssessment reads body, a POST /assessments body, if it is in the
// fast path's subset.
func (rc *rawCreate) readAssessment(body []byte) bool {
	return rc.read(body, assessmentNames)
}

// rawFieldOf maps interviewNames and assessmentNames (by index) to packed
// fields; -1 for the candidate and preferences, read apart.
var rawFieldOf = [...]int{memJobID, memJobTitle, memCallbackURL, -1, -1, memTemplate, memJobShortcode}

// rawCandidateFields maps candidateNames to packed fields.
var rawCandidateFields = [...]int{memFirstName, memLastName, memPhone, memEmail}

func (rc *rawCreate) read(body []byte, names []string) bool {
	r := fastReader{b: body}
	f := fields{names: names}
	return r.object(func(key []byte) bool {
		i, ok := f.match(key)
		switch {
		case !ok:
			return false
		case i < 0:
			return r.skipChecked()
		case i == 3:
			return r.rawCandidate(rc)
		case i == 4:
			return r.rawPreferences(&rc.prefs)
		case i == 1 || i == 2:
			return r.rawString(&rc.field[rawFieldOf[i]])
		}
		return r.rawID(rc, rawFieldOf[i])
	}) && r.end()
}

// rawString reads a plain string or null into *dst.
func (r *fastReader) rawString(dst *[]byte) bool {
	if r.null() {
		return true
	}
	s, ok := r.plainString(false)
	if ok {
		*dst = s
	}
	return ok
}

// rawID reads a string or number (or null) into field f, exactly as
// ID.UnmarshalJSON does; anything else falls back to encoding/json.
func (r *fastReader) rawID(rc *rawCreate, f int) bool {
	if r.null() {
		return true
	}
	start := r.i
	if r.next() == '"' {
		if s, ok := r.plainString(false); ok {
			rc.field[f] = s
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
		rc.field[f] = v
		rc.number |= numberBit(f)
		return true
	}
	var id ID
	if id.UnmarshalJSON(v) != nil {
		return false
	}
	rc.field[f] = []byte(id.s)
	return true
}

// rawCandidate reads the candidate object, or null.
func (r *fastReader) rawCandidate(rc *rawCreate) bool {
	if r.null() {
		return true
	}
	f := fields{names: candidateNames}
	ok := r.object(func(key []byte) bool {
		i, ok := f.match(key)
		switch {
		case !ok:
			return false
		case i < 0:
			return r.skipChecked()
		}
		return r.rawID(rc, rawCandidateFields[i])
	})
	rc.candidate = ok
	return ok
}

// rawPreferences reads the preferences: an object of plain strings is kept
// as its text, anything else decoded into a map as fastReader.preferences
// does.
func (r *fastReader) rawPreferences(p *rawPrefs) bool {
	if r.null() {
		return true
	}
	if r.next() != '{' {
		return false
	}
	start := r.i
	if r.objectKeys(false, func([]byte) bool {
		_, ok := r.plainString(false)
		return ok
	}) {
		p.kind, p.text = prefsText, r.b[start:r.i]
		return true
	}
	r.i = start
	if !r.preferences(&p.m) {
		return false
	}
	p.kind = prefsMap
	return true
}

// eachText calls fn with each key and value of a prefsText object, in
// order (a repeated key comes more than once; the last one wins, as in
// encoding/json).
func (p *rawPrefs) eachText(fn func(key, value []byte)) {
	r := fastReader{b: p.text}
	r.objectKeys(false, func(key []byte) bool {
		v, ok := r.plainString(false)
		fn(key, v)
		return ok
	})
}

// size returns the number of bytes of the fields and the preferences'
// text: an upper bound for what strings needs.
func (rc *rawCreate) size() int {
	n := len(rc.prefs.text)
	for _, f := range rc.field {
		n += len(f)
	}
	return n
}

// strings returns the fields as strings sharing one allocation, and the
// preferences as a map whose string keys and values share it too.
func (rc *rawCreate) strings() (out [memFields]string, prefs map[string]any) {
	var b strings.Builder
	b.Grow(rc.size()) // nothing below grows it again
	for i, f := range rc.field {
		start := b.Len()
		b.Write(f)
		out[i] = b.String()[start:]
	}
	switch rc.prefs.kind {
	case prefsMap:
		prefs = rc.prefs.m
	case prefsText:
		prefs = make(map[string]any)
		rc.prefs.eachText(func(key, value []byte) {
			start := b.Len()
			b.Write(key)
			b.Write(value)
			s := b.String()
			prefs[s[start:start+len(key)]] = s[start+len(key):]
		})
	}
	return out, prefs
}

// id returns field f as an ID.
func (rc *rawCreate) id(s string, f int) ID {
	return ID{s: s, number: rc.number&numberBit(f) != 0}
}

// wireCandidate returns the candidate as the wire structs hold it: nil
// unless a candidate object was sent.
func (rc *rawCreate) wireCandidate(s *[memFields]string) *wireCandidate {
	if !rc.candidate {
		return nil
	}
	return &wireCandidate{
		FirstName: rc.id(s[memFirstName], memFirstName), LastName: rc.id(s[memLastName], memLastName),
		Phone: rc.id(s[memPhone], memPhone), Email: rc.id(s[memEmail], memEmail),
	}
}

// wireInterview returns rc as encoding/json would have decoded the body
// into a wireInterview.
func (rc *rawCreate) wireInterview() wireInterview {
	s, prefs := rc.strings()
	return wireInterview{
		InterviewTemplateID: rc.id(s[memTemplate], memTemplate), JobID: rc.id(s[memJobID], memJobID),
		JobShortcode: rc.id(s[memJobShortcode], memJobShortcode), JobTitle: s[memJobTitle],
		CallbackURL: s[memCallbackURL], Candidate: rc.wireCandidate(&s), Preferences: prefs,
	}
}

// wireAssessment returns rc as encoding/json would have decoded the body
// into a wireAssessment.
func (rc *rawCreate) wireAssessment() wireAssessment {
	s, prefs := rc.strings()
	return wireAssessment{
		TestID: rc.id(s[memTemplate], memTemplate), JobID: rc.id(s[memJobID], memJobID),
		JobShortcode: rc.id(s[memJobShortcode], memJobShortcode), JobTitle: s[memJobTitle],
		CallbackURL: s[memCallbackURL], Candidate: rc.wireCandidate(&s), Preferences: prefs,
	}
}

// interviewRequest returns rc as the backend's request.
func (rc *rawCreate) interviewRequest() CreateInterviewRequest {
	s, prefs := rc.strings()
	return CreateInterviewRequest{
		InterviewTemplateID: s[memTemplate], JobID: s[memJobID], JobShortcode: s[memJobShortcode],
		JobTitle: s[memJobTitle], CallbackURL: s[memCallbackURL],
		Candidate: Candidate{
			FirstName: s[memFirstName], LastName: s[memLastName], Phone: s[memPhone], Email: s[memEmail],
		},
		Preferences: prefs,
	}
}

// assessmentRequest returns rc as the backend's request.
func (rc *rawCreate) assessmentRequest() CreateAssessmentRequest {
	s, prefs := rc.strings()
	return CreateAssessmentRequest{
		TestID: rc.id(s[memTemplate], memTemplate), JobID: s[memJobID], JobShortcode: s[memJobShortcode],
		JobTitle: s[memJobTitle], CallbackURL: s[memCallbackURL],
		Candidate: Candidate{
			FirstName: s[memFirstName], LastName: s[memLastName], Phone: s[memPhone], Email: s[memEmail],
		},
		Preferences: prefs,
	}
}

// validate checks what decodeCreateInterview and decodeCreateAssessment
// check, with the same errors: template names the template field.
func (rc *rawCreate) validate(template string) *requestError {
	if len(rc.field[memTemplate]) == 0 {
		return missingField(template)
	}
	return validateCallback(rc.field[memCallbackURL])
}
