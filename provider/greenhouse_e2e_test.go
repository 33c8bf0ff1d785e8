package provider

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/google/go-cmp/cmp"
)

// TestGreenhouseContractAgainstFake runs the partner flow with the
// greenhousetest fake playing Greenhouse: list_tests, send_test, the
// vendor's PATCH through GreenhousePublisher, and the test_status call it
// triggers.
func TestGreenhouseContractAgainstFake(t *testing.T) {
	gh := greenhousetest.NewServer(greenhousetest.WithRateLimit(0, 0))
	defer gh.Close()
	job := gh.AddJob(greenhousetest.Job{Name: "Backend", Stages: []greenhousetest.Stage{{Name: "Take Home", SchedulingType: "take_home_test"}}})
	cand := gh.AddCandidate(greenhousetest.Candidate{JobID: job.ID, FirstName: "Harry", LastName: "Potter", Emails: []string{"hpotter@hogwarts.edu"}})

	mem := NewMemoryBackend(MemoryBackendOptions{Tests: []Test{{ID: NumberID(12345), Name: "My First Test"}}})
	h := must(NewGreenhouseHandler(GreenhouseFromAssessments(mem), GreenhouseHandlerOptions{Tokens: NewStaticTokens(map[string]Account{ghKey: "acme"}), Logger: quietLogger()}))
	mux := http.NewServeMux()
	mux.Handle("/greenhouse/", http.StripPrefix("/greenhouse", h))
	vendor := httptest.NewServer(mux)
	defer vendor.Close()

	p, err := gh.NewPartner(greenhousetest.PartnerConfig{
		ListTestsURL: vendor.URL + "/greenhouse/list_tests", SendTestURL: vendor.URL + "/greenhouse/send_test",
		TestStatusURL: vendor.URL + "/greenhouse/test_status", ResponseErrorURL: vendor.URL + "/greenhouse/response_error", Key: ghKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tests, err := p.ListTests(ctx)
	if err != nil || len(tests) != 1 {
		t.Fatalf("ListTests = %v, %v", tests, err)
	}
	id, err := p.SendTest(ctx, cand.ApplicationID, tests[0].ID, "recruiter@hogwarts.edu")
	if err != nil {
		t.Fatal(err)
	}
	inv, ok := mem.Invitation(id)
	if !ok || inv.CallbackURL == "" {
		t.Fatalf("no invitation %s: %+v", id, inv)
	}
	if _, err := mem.Complete(id, StatusDocument{Status: StatusCompleted, ResultsURL: "https://vendor.example/r/1", Interview: &InterviewResult{Score: "91"}}); err != nil {
		t.Fatal(err)
	}
	pub := NewGreenhousePublisher(PublisherOptions{AllowLoopback: true, AllowInsecureHTTP: true, Logger: quietLogger(), MaxRetries: -1})
	if _, err := pub.Notify(ctx, inv.CallbackURL, ghKey); err != nil {
		t.Fatal(err)
	}
	if err := gh.WaitDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	th := gh.TakeHomeTests()
	score := 91.0
	want := []any{1, "complete", "https://vendor.example/r/1", &score, id}
	got := []any{th[0].Patches, th[0].Status, th[0].ProfileURL, th[0].Score, th[0].PartnerInterviewID}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if errs := gh.ReportedErrors(); len(errs) != 0 {
		t.Errorf("Greenhouse reported errors: %+v", errs)
	}
	t.Run("wrong key on the PATCH", func(t *testing.T) {
		_, err := pub.Notify(ctx, inv.CallbackURL, "another-key")
		var pe *PublishError
		if !errors.As(err, &pe) || pe.StatusCode != http.StatusUnauthorized || !pe.Permanent() {
			t.Errorf("err = %v, want a permanent 401", err)
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		bad, _ := gh.NewPartner(greenhousetest.PartnerConfig{ListTestsURL: vendor.URL + "/greenhouse/list_tests", Key: "nope"})
		_, err := bad.ListTests(ctx)
		var pe *greenhousetest.PartnerError
		if !errors.As(err, &pe) || pe.StatusCode != http.StatusUnauthorized {
			t.Errorf("err = %v, want the vendor's 401", err)
		}
	})
}
