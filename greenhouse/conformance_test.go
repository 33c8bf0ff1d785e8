package greenhouse_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/ats/atstest"
	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
)

// backend connects ats/atstest to the client and a greenhousetest fake.
type backend struct {
	srv *greenhousetest.Server
	c   *greenhouse.Client
	bad *greenhouse.Client
}

var _ atstest.RequestCounter = backend{}

func (b backend) Adapter() ats.Adapter        { return b.c }
func (b backend) BadCredentials() ats.Adapter { return b.bad }
func (b backend) RequestCount() int           { return b.srv.RequestCount() }

func (b backend) SeedJob(t testing.TB, title string, stages []string) (string, []string) {
	var st []greenhousetest.Stage
	for _, n := range stages {
		st = append(st, greenhousetest.Stage{Name: n})
	}
	j := b.srv.AddJob(greenhousetest.Job{Name: title, Stages: st})
	ids := make([]string, len(j.Stages))
	for i, s := range j.Stages {
		ids[i] = id(s.ID)
	}
	return id(j.ID), ids
}

func (b backend) SeedCandidate(t testing.TB, jobID, stageID string, c ats.Candidate) string {
	jid, sid := mustInt(t, jobID), mustInt(t, stageID)
	got := b.srv.AddCandidate(greenhousetest.Candidate{JobID: jid, StageID: sid, FirstName: c.FirstName, LastName: c.LastName,
		Emails: c.Emails, Phones: c.Phones, Tags: c.Tags})
	return id(got.ApplicationID)
}

func (b backend) Notes(t testing.TB, candidateID string) []string {
	a, ok := b.srv.Application(mustInt(t, candidateID))
	if !ok {
		return nil
	}
	var out []string
	for _, n := range b.srv.Notes(a.CandidateID) {
		out = append(out, n.Body)
	}
	return out
}

func (b backend) FailRequests(status int) func() { return b.srv.FailRequests(status) }

func (b backend) Webhooks() *atstest.Webhooks {
	const secret = "greenhouse-webhook-secret"
	return &atstest.Webhooks{
		Verifier: greenhouse.WebhookVerifier{Secrets: []string{"old-secret", secret}},
		Secret:   secret,
		Sign: func(d atstest.Delivery, secret string) ([]byte, http.Header) {
			// candidate_stage_change carries only the current stage;
			// FromStageID has no place in it.
			return greenhousetest.SignWebhook("candidate_stage_change", map[string]any{"application": map[string]any{
				"id": d.CandidateID, "status": "active", "last_activity_at": d.Time.UTC().Format(time.RFC3339),
				"current_stage": map[string]any{"id": d.ToStageID, "name": "Vendor Interview"},
				"jobs":          []any{map[string]any{"id": d.JobID}},
			}}, secret, d.EventID)
		},
	}
}

func mustInt(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconvParse(s)
	if err != nil {
		t.Fatalf("%q is not a fake ID: %v", s, err)
	}
	return n
}

func TestConformance(t *testing.T) {
	srv := newServer(t, greenhousetest.WithRateLimit(1000, 100*time.Millisecond))
	good := newClient(t, srv)
	bad := newClient(t, srv, func(o *greenhouse.Options) { o.ClientSecret = "not-the-secret" })
	atstest.Run(t, backend{srv: srv, c: good, bad: bad})
}
