package lever_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/ats/atstest"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
)

// backend runs the ats conformance suite against levertest.
type backend struct {
	srv      *levertest.Server
	ok, bad  *lever.Client
	hookSign string
}

func newBackend(t *testing.T) *backend {
	srv := levertest.NewServer(levertest.WithRateLimit(1000, 100))
	t.Cleanup(srv.Close)
	srv.AddArchiveReason(levertest.ArchiveReason{Text: "Underqualified"})
	user := srv.AddUser(levertest.User{Name: "Vendor Bot", Email: "bot@vendor.test"})
	mk := func(key string) *lever.Client {
		c, err := lever.NewClient(lever.Options{
			APIKey: key, BaseURL: srv.URL, PerformAs: user.ID,
			RateLimit: 1000, Burst: 100, MaxRetries: 1,
			RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return &backend{srv: srv, ok: mk(levertest.DefaultAPIKey), bad: mk("wrong-key"), hookSign: "sig-token-conformance"}
}

func (b *backend) Adapter() ats.Adapter        { return b.ok }
func (b *backend) BadCredentials() ats.Adapter { return b.bad }
func (b *backend) RequestCount() int           { return b.srv.RequestCount() }

func (b *backend) SeedJob(t testing.TB, title string, stages []string) (string, []string) {
	// Lever's pipeline is account-wide: the stages are added to it (or
	// reused by name) rather than created per posting.
	p := b.srv.AddPosting(levertest.Posting{Text: title})
	var ids []string
	for _, s := range b.srv.AddStages(stages...) {
		ids = append(ids, s.ID)
	}
	return p.ID, ids
}

func (b *backend) SeedCandidate(t testing.TB, jobID, stageID string, c ats.Candidate) string {
	return b.srv.AddOpportunity(levertest.Opportunity{
		Name: c.Name, PostingID: jobID, StageID: stageID, Emails: c.Emails, Phones: c.Phones, Tags: c.Tags,
	}).ID
}

func (b *backend) Notes(t testing.TB, candidateID string) []string {
	var out []string
	for _, n := range b.srv.Notes(candidateID) {
		out = append(out, n.Value)
	}
	return out
}

func (b *backend) FailRequests(status int) func() { return b.srv.FailRequests(status) }

func (b *backend) Webhooks() *atstest.Webhooks {
	return &atstest.Webhooks{
		Verifier: lever.WebhookVerifier{Secrets: []string{b.hookSign}},
		Secret:   b.hookSign,
		Sign: func(d atstest.Delivery, secret string) ([]byte, http.Header) {
			data := map[string]any{"candidateId": d.CandidateID, "opportunityId": d.CandidateID, "postingId": d.JobID,
				"fromStageId": d.FromStageID, "toStageId": d.ToStageID}
			return levertest.SignPayload(secret, d.EventID, lever.EventCandidateStageChange, d.Time, data), http.Header{"Content-Type": {"application/json"}}
		},
		// Lever signs token+triggeredAt only, so tampering with the event
		// data would go unnoticed; alter the signed token instead.
		Tamper: func(body []byte, h http.Header) ([]byte, http.Header) {
			return bytes.Replace(body, []byte(`"token":"`), []byte(`"token":"x`), 1), h
		},
		Timestamps: true,
	}
}

func TestConformance(t *testing.T) {
	atstest.Run(t, newBackend(t))
}
