package greenhouse_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/atskit/atskit/pacing"
	"golang.org/x/oauth2"
)

// This example walks a customer's own Greenhouse integration against the
// greenhousetest fake: client credentials acting as a user, the jobs
// linked by the vendor's interview-plan stage, a recruiter's move
// delivered as a signed webhook, then a note and a stage move back
// through Harvest.
func Example() {
	srv := greenhousetest.NewServer()
	defer srv.Close()
	job := srv.AddJob(greenhousetest.Job{Name: "Backend Engineer", Stages: []greenhousetest.Stage{
		{Name: "Application Review"}, {Name: "InterviewVector"}, {Name: "Offer"},
	}})
	srv.AddJob(greenhousetest.Job{Name: "Office Manager"})
	cand := srv.AddCandidate(greenhousetest.Candidate{JobID: job.ID, FirstName: "Ada", LastName: "Lovelace", Emails: []string{"ada@example.com"}})
	ctx := context.Background()

	client, err := greenhouse.NewClient(greenhouse.Options{
		ClientID: greenhousetest.DefaultClientID, ClientSecret: greenhousetest.DefaultClientSecret,
		UserID:   strconv.FormatInt(srv.AdminUserID(), 10),
		TokenURL: srv.TokenURL(), BaseURL: srv.URL, VendorStage: "InterviewVector",
	})
	if err != nil {
		panic(err)
	}
	for j, err := range client.LinkedJobs(ctx) {
		if err != nil {
			panic(err)
		}
		fmt.Println("linked:", j.Title, "via", j.Link.Marker)
	}

	// The vendor's webhook endpoint, configured in Greenhouse with a
	// secret key. Greenhouse pings it when the webhook is saved.
	events := make(chan ats.Event, 1)
	hook := httptest.NewServer(greenhouse.WebhookHandler(
		&greenhouse.WebhookVerifier{Secrets: []string{"webhook-secret"}, Replay: &ats.MemoryReplayGuard{}},
		func(ctx context.Context, evs []ats.Event) error {
			for _, e := range evs {
				events <- e
			}
			return nil
		}, greenhouse.WebhookHandlerOptions{}))
	defer hook.Close()
	wh := srv.AddWebhook(greenhousetest.Webhook{Name: "InterviewVector", URL: hook.URL, Event: "candidate_stage_change", Secret: "webhook-secret"})
	fmt.Println("webhook enabled:", !wh.Disabled)

	// A recruiter moves Ada into the vendor's stage.
	if err := srv.MoveCandidate(cand.ApplicationID, job.Stages[1].ID); err != nil {
		panic(err)
	}
	ev := <-events
	fmt.Println("event:", ev.Kind, "to", ev.ToStage.Name)

	c, err := client.Candidate(ctx, ev.CandidateID)
	if err != nil {
		panic(err)
	}
	fmt.Println("candidate:", c.Name, c.Email(), "in", c.Stage.Name)
	if err := client.AddNote(ctx, c.ID, ats.Note{Body: "Interview scheduled", Visibility: ats.VisibilityRestricted}); err != nil {
		panic(err)
	}
	if err := client.MoveCandidate(ctx, c.ID, strconv.FormatInt(job.Stages[2].ID, 10)); err != nil {
		panic(err)
	}
	a, _ := srv.Application(cand.ApplicationID)
	fmt.Println("notes:", len(srv.Notes(cand.ID)), "stage moves:", len(a.History)-1)
	// Output:
	// linked: Backend Engineer via InterviewVector
	// webhook enabled: true
	// event: stage_changed to InterviewVector
	// candidate: Ada Lovelace ada@example.com in InterviewVector
	// notes: 1 stage moves: 2
}

// A partner serving many customers uses the authorization-code grant.
// Greenhouse rotates the refresh token on every refresh; persist it.
func ExampleAuthCodeConfig() {
	srv := greenhousetest.NewServer()
	defer srv.Close()
	ac := greenhouse.AuthCodeConfig{
		ClientID: greenhousetest.PartnerClientID, ClientSecret: greenhousetest.PartnerClientSecret,
		RedirectURL: "https://vendor.example/greenhouse/callback",
		AuthURL:     srv.AuthURL(), TokenURL: srv.TokenURL(),
	}
	// The customer's user follows AuthCodeURL and Greenhouse redirects
	// back with a code (valid for one minute).
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(ac.AuthCodeURL("state-123"))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	tok, err := ac.Exchange(context.Background(), back.Query().Get("code"))
	if err != nil {
		panic(err)
	}
	src := ac.TokenSource(context.Background(), tok)
	src.OnRefresh = func(t *oauth2.Token) { /* store t.RefreshToken for this customer */ }
	client, err := greenhouse.NewClient(greenhouse.Options{TokenSource: src, BaseURL: srv.URL})
	if err != nil {
		panic(err)
	}
	rep, err := client.CheckSetup(context.Background())
	if err != nil {
		panic(err)
	}
	c, _ := rep.Check("list jobs")
	fmt.Println("state:", back.Query().Get("state"), "expires in about an hour:", time.Until(tok.Expiry).Round(time.Hour), "list jobs:", c.Status)
	// Output: state: state-123 expires in about an hour: 1h0m0s list jobs: ok
}

// Clients of one Greenhouse account (for example one per acting user, or
// one per replica of a host) share its request budget through a
// pacing.Pacer; lifecycle/sqlstore's Store.Pacer shares it through the
// database, pacing.Memory within one process.
func ExampleOptions_pacer() {
	shared := &pacing.Memory{}
	for _, user := range []string{"101", "102"} {
		_, err := greenhouse.NewClient(greenhouse.Options{ClientID: "id", ClientSecret: "secret", UserID: user,
			Pacer: shared, PacerAccount: "connection-42"})
		fmt.Println(user, err)
	}
	// Output:
	// 101 <nil>
	// 102 <nil>
}

// VerifyWebhook checks a delivery's Signature (HMAC-SHA256 of the raw
// body) and decodes it.
func ExampleVerifyWebhook() {
	body, header := greenhousetest.SignWebhook("reject_candidate", map[string]any{
		"application": map[string]any{"id": 4242, "jobs": []any{map[string]any{"id": 9}}},
	}, "secret", "evt-1")
	evs, err := greenhouse.VerifyWebhook(body, header, "secret")
	fmt.Println(evs[0].Kind, evs[0].CandidateID, evs[0].JobID, err)
	_, err = greenhouse.VerifyWebhook(body, header, "another secret")
	fmt.Println(err)
	// Output:
	// archived 4242 9 <nil>
	// greenhouse: webhook: ats: webhook signature invalid: signature does not match the body
}
