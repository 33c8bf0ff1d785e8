package provider

// fastGreenhouseSend decodes a send_test body into req when it lies in the
// strict subset of JSON that fastReader accepts (see fastpath.go): every
// known field a plain string or null, "candidate" such an object or null,
// unknown fields skipped and checked with json.Valid. It reports false for
// anything else, and the caller decodes with encoding/json, which also
// writes every error message.
func fastGreenhouseSend(body []byte, req *GreenhouseSendTestRequest) bool {
	r := newFastReader(body)
	f := fields{names: ghSendNames}
	return r.object(func(key []byte) bool {
		i, ok := f.match(key)
		switch {
		case !ok:
			return false
		case i < 0:
			return r.skipChecked()
		case i == 1:
			return r.ghCandidate(&req.Candidate)
		}
		return r.stringField([...]*string{&req.PartnerTestID, nil, &req.SentBy, &req.URL}[i])
	}) && r.end()
}

var (
	ghSendNames      = []string{"partner_test_id", "candidate", "sent_by", "url"}
	ghCandidateNames = []string{"first_name", "last_name", "preferred_name", "email", "phone_number", "resume_url", "greenhouse_profile_url"}
)

func (r *fastReader) ghCandidate(c *GreenhouseCandidate) bool {
	if r.null() {
		return true
	}
	f := fields{names: ghCandidateNames}
	return r.object(func(key []byte) bool {
		i, ok := f.match(key)
		switch {
		case !ok:
			return false
		case i < 0:
			return r.skipChecked()
		}
		return r.stringField([...]*string{&c.FirstName, &c.LastName, &c.PreferredName, &c.Email, &c.PhoneNumber, &c.ResumeURL, &c.GreenhouseProfileURL}[i])
	})
}
