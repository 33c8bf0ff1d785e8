package provider

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// This file decodes the create-request bodies without reflection. The body
// is first checked with json.Valid, so the walker below may assume
// well-formed JSON; it follows encoding/json's rules (null leaves a field
// unset, keys match exactly or else case-insensitively, the last duplicate
// wins, the first type error is reported with its dotted path) and hands
// anything unusual (escapes, non-ASCII, preferences) to encoding/json.

// walker reads a valid JSON document.
type walker struct {
	b []byte
	i int
	// bad is set by value when a number is out of float64 range.
	bad bool
}

func (w *walker) ws() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte.
func (w *walker) peek() byte {
	w.ws()
	return w.b[w.i]
}

// stringSpan returns the raw string token at w.i (quotes included) and
// whether it is plain (ASCII without escapes).
func (w *walker) stringSpan() (raw []byte, plain bool) {
	start := w.i
	plain = true
	w.i++ // opening quote
	for {
		c := w.b[w.i]
		switch {
		case c == '"':
			w.i++
			return w.b[start:w.i], plain
		case c == '\\':
			plain = false
			w.i += 2
		default:
			if c >= utf8.RuneSelf {
				plain = false
			}
			w.i++
		}
	}
}

// str decodes the string token at w.i.
func (w *walker) str() string {
	raw, plain := w.stringSpan()
	if plain {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s) // valid by construction
	return s
}

// skip skips the value at w.i and returns its raw bytes.
func (w *walker) skip() []byte {
	w.ws()
	start := w.i
	switch w.b[w.i] {
	case '"':
		w.stringSpan()
	case '{', '[':
		depth := 0
		for {
			switch w.b[w.i] {
			case '"':
				w.stringSpan()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			w.i++
			if depth == 0 {
				break
			}
		}
	default: // number, true, false, null
		for w.i < len(w.b) {
			switch w.b[w.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return w.b[start:w.i]
			}
			w.i++
		}
	}
	return w.b[start:w.i]
}

// object calls field for each member of the object at w.i, with w.i at
// the member's value; field must consume the value. It stops at the first
// error field returns.
func (w *walker) object(field func(key []byte, plain bool) *requestError) *requestError {
	w.ws()
	w.i++ // '{'
	if w.peek() == '}' {
		w.i++
		return nil
	}
	for {
		w.ws()
		key, plain := w.stringSpan()
		w.ws()
		w.i++ // ':'
		if err := field(key[1:len(key)-1], plain); err != nil {
			return err
		}
		if w.peek() == ',' {
			w.i++
			continue
		}
		w.i++ // '}'
		return nil
	}
}

// value decodes the value at w.i as encoding/json decodes into an any:
// objects to map[string]any, arrays to []any, numbers to float64.
func (w *walker) value() any {
	switch w.peek() {
	case '"':
		return w.str()
	case '{':
		m := make(map[string]any)
		w.objectInto(m)
		return m
	case '[':
		w.i++ // '['
		a := []any{}
		if w.peek() == ']' {
			w.i++
			return a
		}
		for {
			a = append(a, w.value())
			if w.peek() == ',' {
				w.i++
				continue
			}
			w.i++ // ']'
			return a
		}
	case 't':
		w.i += 4
		return true
	case 'f':
		w.i += 5
		return false
	case 'n':
		w.i += 4
		return nil
	}
	f, err := strconv.ParseFloat(string(w.skip()), 64)
	if err != nil {
		w.bad = true // out of range
	}
	return f
}

// objectInto decodes the object at w.i into m, the last duplicate key
// winning.
func (w *walker) objectInto(m map[string]any) {
	_ = w.object(func(key []byte, plain bool) *requestError {
		var k string
		if plain {
			k = string(key)
		} else {
			_ = json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &k)
		}
		m[k] = w.value()
		return nil
	})
}

// kind names the JSON type of the value at w.i as encoding/json does.
func (w *walker) kind() byte { return w.peek() }

// keyIs reports whether key matches name like encoding/json: exactly, or
// case-insensitively (with Unicode simple folding) when escaped or folded.
func keyIs(key []byte, plain bool, name string) bool {
	if plain {
		return string(key) == name || bytes.EqualFold(key, []byte(name))
	}
	var s string
	_ = json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &s)
	return s == name || bytes.EqualFold([]byte(s), []byte(name))
}

// setString decodes a string field: a string sets it, null leaves it, any
// other type is an error naming path.
func (w *walker) setString(dst *string, path string) *requestError {
	switch w.kind() {
	case '"':
		*dst = w.str()
		return nil
	case 'n':
		w.skip()
		return nil
	}
	w.skip()
	return invalidField(path, "a string")
}

// candidateField decodes one member of "candidate".
func (w *walker) candidateField(c *Candidate, key []byte, plain bool) *requestError {
	switch {
	case keyIs(key, plain, "first_name"):
		return w.setString(&c.FirstName, "candidate.first_name")
	case keyIs(key, plain, "last_name"):
		return w.setString(&c.LastName, "candidate.last_name")
	case keyIs(key, plain, "phone"):
		return w.setString(&c.Phone, "candidate.phone")
	case keyIs(key, plain, "email"):
		return w.setString(&c.Email, "candidate.email")
	}
	w.skip()
	return nil
}

// commonField decodes the members interviews and assessments share. It
// reports false for a key it does not know.
func (w *walker) commonField(key []byte, plain bool, jobID, jobTitle, callbackURL *string, cand **Candidate, prefs *map[string]any) (bool, *requestError) {
	switch {
	case keyIs(key, plain, "job_id"):
		return true, w.setString(jobID, "job_id")
	case keyIs(key, plain, "job_title"):
		return true, w.setString(jobTitle, "job_title")
	case keyIs(key, plain, "callback_url"):
		return true, w.setString(callbackURL, "callback_url")
	case keyIs(key, plain, "candidate"):
		switch w.kind() {
		case '{':
			if *cand == nil {
				*cand = new(Candidate)
			}
			c := *cand
			return true, w.object(func(k []byte, p bool) *requestError { return w.candidateField(c, k, p) })
		case 'n':
			w.skip()
			*cand = nil
			return true, nil
		}
		w.skip()
		return true, invalidField("candidate", "an object")
	case keyIs(key, plain, "preferences"):
		switch w.kind() {
		case '{':
			if *prefs == nil {
				*prefs = make(map[string]any)
			}
			if w.objectInto(*prefs); w.bad {
				return true, invalidField("preferences", "an object whose numbers fit a float64")
			}
			return true, nil
		case 'n':
			w.skip()
			*prefs = nil
			return true, nil
		}
		w.skip()
		return true, invalidField("preferences", "an object")
	}
	return false, nil
}

// topLevel checks the body and positions a walker on its object. A null
// body decodes to nothing, as with encoding/json.
func topLevel(body []byte) (*walker, bool, *requestError) {
	if !json.Valid(body) {
		return nil, false, invalidJSON()
	}
	w := &walker{b: body}
	switch w.peek() {
	case '{':
		return w, true, nil
	case 'n':
		return w, false, nil
	}
	return nil, false, &requestError{400, "Invalid JSON: the body should be an object"}
}

// scanInterview decodes the body of POST /interviews into out.
func scanInterview(body []byte, out *wireInterview) *requestError {
	wk, ok, err := topLevel(body)
	if err != nil || !ok {
		return err
	}
	return wk.object(func(key []byte, plain bool) *requestError {
		if keyIs(key, plain, "interview_template_id") {
			return wk.setString(&out.InterviewTemplateID, "interview_template_id")
		}
		known, err := wk.commonField(key, plain, &out.JobID, &out.JobTitle, &out.CallbackURL, &out.Candidate, &out.Preferences)
		if !known {
			wk.skip()
		}
		return err
	})
}

// scanAssessment decodes the body of POST /assessments into out.
func scanAssessment(body []byte, out *wireAssessment) *requestError {
	wk, ok, err := topLevel(body)
	if err != nil || !ok {
		return err
	}
	return wk.object(func(key []byte, plain bool) *requestError {
		if keyIs(key, plain, "test_id") {
			switch wk.kind() {
			case '"', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				_ = out.TestID.UnmarshalJSON(wk.skip())
				return nil
			}
			wk.skip()
			return invalidField("test_id", "a string or a number")
		}
		known, err := wk.commonField(key, plain, &out.JobID, &out.JobTitle, &out.CallbackURL, &out.Candidate, &out.Preferences)
		if !known {
			wk.skip()
		}
		return err
	})
}
