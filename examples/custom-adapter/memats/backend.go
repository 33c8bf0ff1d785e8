package memats

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/ats/atstest"
)

// Backend connects ats/atstest to an Adapter and its Service. It is what
// an adapter author writes to run the conformance suite.
type Backend struct {
	Service *Service
	Token   string
	Secret  string // webhook secret
}

var _ atstest.Backend = (*Backend)(nil)

// NewBackend returns a Backend over a fresh Service.
func NewBackend() *Backend {
	return &Backend{Service: NewService("memats-token"), Token: "memats-token", Secret: "memats-webhook-secret"}
}

// Adapter returns an adapter with valid credentials.
func (b *Backend) Adapter() ats.Adapter { return NewAdapter(b.Service, b.Token) }

// BadCredentials returns an adapter whose token the service rejects.
func (b *Backend) BadCredentials() ats.Adapter { return NewAdapter(b.Service, "wrong-token") }

// SeedJob creates a job whose pipeline has the named stages.
func (b *Backend) SeedJob(t testing.TB, title string, stages []string) (string, []string) {
	id, ids := b.Service.AddJob(title, stages...)
	return id, ids
}

// SeedCandidate creates a candidate for jobID in stageID.
func (b *Backend) SeedCandidate(t testing.TB, jobID, stageID string, c ats.Candidate) string {
	t.Helper()
	id, err := b.Service.AddCandidate(jobID, stageID, c)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Notes returns the bodies of the notes the service recorded, oldest first.
func (b *Backend) Notes(t testing.TB, candidateID string) []string {
	return b.Service.Notes(candidateID)
}

// FailRequests makes the service fail every call with status until the
// returned restore is called.
func (b *Backend) FailRequests(status int) func() {
	b.Service.FailWith(status)
	return func() { b.Service.FailWith(0) }
}

// RequestCount reports the calls the service received.
func (b *Backend) RequestCount() int { return b.Service.Requests() }

// Webhooks describes memats webhook signing: an HMAC over a signed
// timestamp and the body, so the suite also checks expiry.
func (b *Backend) Webhooks() *atstest.Webhooks {
	return &atstest.Webhooks{
		Verifier: Verifier{Secrets: []string{b.Secret}},
		Secret:   b.Secret,
		Sign: func(d atstest.Delivery, secret string) ([]byte, http.Header) {
			body, _ := json.Marshal(Delivery{ID: d.EventID, Event: "stage_changed", CandidateID: d.CandidateID,
				JobID: d.JobID, FromStage: d.FromStageID, ToStage: d.ToStageID})
			at := d.Time
			if at.IsZero() {
				at = time.Now()
			}
			return body, Sign(body, secret, at)
		},
		Timestamps: true,
	}
}
