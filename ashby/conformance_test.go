package ashby_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/ats/atstest"
)

// backend runs the ats conformance suite against ashbytest.
type backend struct {
	srv     *ashbytest.Server
	ok, bad *ashby.Client
	secret  string
}

func newClient(t testing.TB, srv *ashbytest.Server, key string, mod func(*ashby.Options)) *ashby.Client {
	t.Helper()
	o := ashby.Options{
		APIKey: key, BaseURL: srv.URL, RateLimit: 1000, Burst: 100, MaxRetries: 1,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond,
		DefaultArchiveReason: "Underqualified", VendorStage: "Vendor Interview",
	}
	if mod != nil {
		mod(&o)
	}
	c, err := ashby.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newBackend(t *testing.T) *backend {
	srv := ashbytest.NewServer(ashbytest.WithRateLimit(1000, 100))
	t.Cleanup(srv.Close)
	srv.AddArchiveReason("Underqualified")
	return &backend{srv: srv, ok: newClient(t, srv, ashbytest.DefaultAPIKey, nil), bad: newClient(t, srv, "wrong-key", nil), secret: "whsec-conformance"}
}

func (b *backend) Adapter() ats.Adapter        { return b.ok }
func (b *backend) BadCredentials() ats.Adapter { return b.bad }
func (b *backend) RequestCount() int           { return b.srv.RequestCount() }

func (b *backend) SeedJob(t testing.TB, title string, stages []string) (string, []string) {
	var st []ashbytest.Stage
	for _, s := range stages {
		st = append(st, ashbytest.Stage{Title: s})
	}
	j := b.srv.AddJob(ashbytest.Job{Title: title, Stages: st})
	var ids []string
	for _, s := range j.Stages[:len(stages)] {
		ids = append(ids, s.ID)
	}
	return j.ID, ids
}

func (b *backend) SeedCandidate(t testing.TB, jobID, stageID string, c ats.Candidate) string {
	p := b.srv.AddCandidate(ashbytest.Candidate{Name: c.Name, Emails: c.Emails, Phones: c.Phones, Tags: c.Tags})
	return b.srv.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: jobID, StageID: stageID}).ID
}

func (b *backend) Notes(t testing.TB, candidateID string) []string {
	a, ok := b.srv.Application(candidateID)
	if !ok {
		return nil
	}
	var out []string
	for _, n := range b.srv.Notes(a.CandidateID) {
		out = append(out, n.Content)
	}
	return out
}

func (b *backend) FailRequests(status int) func() { return b.srv.FailRequests(status) }

func (b *backend) Webhooks() *atstest.Webhooks {
	return &atstest.Webhooks{
		Verifier: ashby.WebhookVerifier{Secrets: []string{"old-secret", b.secret}},
		Secret:   b.secret,
		Sign: func(d atstest.Delivery, secret string) ([]byte, http.Header) {
			body := stageChangeBody(d.CandidateID, d.JobID, d.ToStageID, d.Time)
			return body, http.Header{"Content-Type": {"application/json"}, "Ashby-Signature": {ashbytest.Sign(body, secret)}}
		},
	}
}

// stageChangeBody is a candidateStageChange delivery shaped like Ashby's.
func stageChangeBody(appID, jobID, stageID string, at time.Time) []byte {
	return ashbytest.Payload(ashby.EventCandidateStageChange, map[string]any{"application": map[string]any{
		"id": appID, "status": "Active", "createdAt": at.UTC().Format(time.RFC3339), "updatedAt": at.UTC().Format(time.RFC3339),
		"candidate":             map[string]any{"id": "person-1", "name": "Ada Lovelace"},
		"currentInterviewStage": map[string]any{"id": stageID, "title": "Vendor Interview", "type": "Active", "orderInInterviewPlan": 2},
		"job":                   map[string]any{"id": jobID, "title": "Engineer"},
		"hiringTeam":            []any{},
	}})
}

func TestConformance(t *testing.T) {
	atstest.Run(t, newBackend(t))
}
