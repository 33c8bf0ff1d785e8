package lifecycle_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/provider"
)

// needsInfoBackend hands provider-contract invitations to the engine, as a
// host would.
type needsInfoBackend struct {
	provider.InterviewBackend
	e   *lifecycle.Engine
	ivs []lifecycle.Interview
}

func (b *needsInfoBackend) CreateInterview(ctx context.Context, _ provider.Account, req provider.CreateInterviewRequest) (string, error) {
	c := ats.Candidate{FirstName: req.Candidate.FirstName, LastName: req.Candidate.LastName, Name: strings.TrimSpace(req.Candidate.FirstName + " " + req.Candidate.LastName)}
	if req.Candidate.Email != "" {
		c.Emails = []string{req.Candidate.Email}
	}
	iv, err := b.e.ProviderInterview(ctx, lifecycle.ProviderRequest{
		Source: "workable", JobID: req.Job(), RoundName: "Aptitude", Template: req.InterviewTemplateID, Candidate: c,
		Callback: lifecycle.Callback{URL: req.CallbackURL, Token: "wk"},
	})
	if err != nil {
		return "", err
	}
	b.ivs = append(b.ivs, iv)
	return iv.ID, nil
}

// TestProviderCandidateWithoutEmailNeedsInfo: Workable's POST /interviews
// with a candidate lacking the e-mail the position requires (and a null
// last name, a numeric template id, the job as job_shortcode) is accepted
// with 201, and the interview goes to needs-info instead of the invitation
// being refused with 422.
func TestProviderCandidateWithoutEmailNeedsInfo(t *testing.T) {
	h := newHarness(t)
	b := &needsInfoBackend{InterviewBackend: provider.NewMemoryBackend(provider.MemoryBackendOptions{}), e: h.Engine}
	tokens := provider.NewStaticTokens(map[string]provider.Account{"tok": "acme"})
	handler, err := provider.NewHandler(b, provider.HandlerOptions{Tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"interview_template_id":1,"job_id":6789,"job_shortcode":"` + enginetest.JobID + `","job_title":"Engineer",` +
		`"callback_url":"https://groove-tech.workable.com/interviews/8823119","candidate":{"first_name":"Cher","last_name":null,"email":null}}`
	r := httptest.NewRequest(http.MethodPost, "/interviews", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer tok")
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	if w.Code != http.StatusCreated {
		t.Fatalf("POST /interviews: %d %s, want 201", w.Code, w.Body.String())
	}
	if len(b.ivs) != 1 {
		t.Fatalf("%d interviews, want 1", len(b.ivs))
	}
	if got := b.ivs[0].State; got != lifecycle.StateNeedsInfo {
		t.Errorf("state %s, want %s (missing %v)", got, lifecycle.StateNeedsInfo, b.ivs[0].Missing)
	}
}
