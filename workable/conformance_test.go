package workable_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/ats/atstest"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// backend connects ats/atstest to the client and a workabletest fake.
type backend struct {
	srv *workabletest.Server
	c   *workable.Client
	bad *workable.Client
}

var _ atstest.RequestCounter = backend{}

func (b backend) Adapter() ats.Adapter        { return b.c }
func (b backend) BadCredentials() ats.Adapter { return b.bad }
func (b backend) RequestCount() int           { return b.srv.RequestCount() }

func (b backend) SeedJob(t testing.TB, title string, stages []string) (string, []string) {
	j := b.srv.AddJob(workabletest.Job{Title: title, Stages: workabletest.StagesNamed(stages...)})
	ids := make([]string, len(j.Stages))
	for i, s := range j.Stages {
		ids[i] = s.Slug
	}
	return j.Shortcode, ids
}

func (b backend) SeedCandidate(t testing.TB, jobID, stageID string, c ats.Candidate) string {
	return b.srv.AddCandidate(workabletest.Candidate{
		JobShortcode: jobID, Stage: stageID, Name: c.Name, FirstName: c.FirstName, LastName: c.LastName,
		Email: c.Email(), Phone: c.Phone(), ResumeURL: c.ResumeURL, Tags: c.Tags,
	}).ID
}

func (b backend) Notes(t testing.TB, candidateID string) []string {
	return b.srv.CommentsOn(candidateID)
}

func (b backend) FailRequests(status int) func() { return b.srv.FailRequests(status) }

func (b backend) Webhooks() *atstest.Webhooks {
	const secret = workabletest.DefaultAPIKey
	return &atstest.Webhooks{
		Verifier: workable.WebhookVerifier{Secrets: []string{secret}},
		Secret:   secret,
		Sign: func(d atstest.Delivery, secret string) ([]byte, http.Header) {
			// Workable's payload carries the candidate's current stage only;
			// FromStageID has no place in it.
			body, _ := json.Marshal(map[string]any{
				"id": d.EventID, "event_type": "candidate_moved", "fired_at": d.Time.UTC().Format(time.RFC3339),
				"resource_type": "candidate",
				"data":          map[string]any{"id": d.CandidateID, "job": map[string]any{"shortcode": d.JobID}, "stage": d.ToStageID},
			})
			h := http.Header{"Content-Type": {"application/json"}}
			h.Set(workable.SignatureHeader, workable.Sign(body, secret))
			return body, h
		},
	}
}

func TestConformance(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithRateLimit(1000, 100*time.Millisecond))
	defer srv.Close()
	opts := func(token string) *workable.Client {
		c, err := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(), Token: token,
			BaseURL: srv.URL, MemberID: srv.DefaultMemberID(),
			RateLimit: 1000, RateWindow: 100 * time.Millisecond,
			MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	atstest.Run(t, backend{srv: srv, c: opts(workabletest.DefaultAPIKey), bad: opts("not-a-valid-token")})
}
