package provider

import "encoding/json"

// fastAshbyStart decodes an assessment.start body into dst when it is in
// the unambiguous JSON subset fastReader reads (see fastpath.go), and
// reports false otherwise, so the caller decodes it with encoding/json.
// Nested arrays and objects other than the known ones (hiringTeam,
// additional_fields, unknown keys) are checked with json.Valid and decoded
// by encoding/json, so the result always equals encoding/json's.
func fastAshbyStart(body []byte, dst *AshbyStartRequest) bool {
	r := fastReader{b: body}
	f := fields{names: ashbyStartNames}
	return r.object(func(key []byte) bool {
		i, ok := f.match(key)
		switch {
		case !ok:
			return false
		case i < 0:
			return r.skipChecked()
		}
		switch i {
		case 0:
			return r.lenientField(&dst.AssessmentTypeID)
		case 1:
			c := &dst.Candidate
			return r.ashbyObject(ashbyCandidateNames, []*string{&c.AshbyID, &c.FirstName, &c.LastName, &c.Email, &c.ProfileURL}, nil)
		case 2:
			a := &dst.Application
			return r.ashbyObject(ashbyApplicationNames, []*string{&a.AshbyID, &a.Status}, nil)
		case 3:
			j := &dst.Job
			return r.ashbyObject(ashbyJobNames, []*string{&j.AshbyID, &j.Name, &j.ReqID, &j.URL}, func() bool {
				return r.decodeChecked(&j.HiringTeam)
			})
		default: // additional_fields
			return r.decodeChecked(&dst.AdditionalFields)
		}
	}) && r.end()
}

var (
	ashbyStartNames       = []string{"assessment_type_id", "candidate", "application", "job", "additional_fields"}
	ashbyCandidateNames   = []string{"ashby_id", "first_name", "last_name", "email", "ashby_profile_url"}
	ashbyApplicationNames = []string{"ashby_id", "status"}
	ashbyJobNames         = []string{"ashby_id", "name", "req_id", "ashby_job_url", "hiringTeam"}
)

// ashbyObject reads an object (or null) whose first len(dst) names are
// string fields; the name after them, if any, is read by extra.
func (r *fastReader) ashbyObject(names []string, dst []*string, extra func() bool) bool {
	if r.null() {
		return true
	}
	f := fields{names: names}
	return r.object(func(key []byte) bool {
		i, ok := f.match(key)
		switch {
		case !ok:
			return false
		case i < 0:
			return r.skipChecked()
		case i < len(dst):
			return r.lenientField(dst[i])
		}
		return extra != nil && extra()
	})
}

// lenientField reads a string, a number (kept as its literal text) or null
// (leaving dst unchanged) into dst, exactly as an ID field of ashbyStartWire
// decodes with encoding/json.
func (r *fastReader) lenientField(dst *string) bool {
	id := ID{s: *dst}
	if !r.idField(&id) {
		return false
	}
	*dst = id.s
	return true
}

// decodeChecked skips a value, checks it and decodes it with
// encoding/json into v.
func (r *fastReader) decodeChecked(v any) bool {
	raw, ok := r.skipValue()
	return ok && json.Valid(raw) && json.Unmarshal(raw, v) == nil
}
