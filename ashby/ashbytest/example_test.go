package ashbytest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/atskit/atskit/ashby/ashbytest"
)

// ExampleNewServer seeds an account, registers a webhook receiver and plays
// a recruiter's move: Ashby fires both candidateStageChange and
// applicationUpdate for one stage change.
func ExampleNewServer() {
	srv := ashbytest.NewServer()
	defer srv.Close()
	job := srv.AddJob(ashbytest.Job{Title: "Engineer", Stages: []ashbytest.Stage{{Title: "Applied"}, {Title: "Onsite"}}})
	p := srv.AddCandidate(ashbytest.Candidate{Name: "Ada Lovelace"})
	app := srv.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: job.ID})

	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer recv.Close()
	for _, typ := range []string{"candidateStageChange", "applicationUpdate"} {
		body := fmt.Sprintf(`{"webhookType":%q,"requestUrl":%q,"secretToken":"s"}`, typ, recv.URL)
		req, _ := http.NewRequest("POST", srv.URL+"/webhook.create", strings.NewReader(body))
		req.SetBasicAuth(ashbytest.DefaultAPIKey, "")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
	}
	srv.MoveCandidate(app.ID, job.Stages[1].ID)
	srv.WaitDeliveries(context.Background())
	n := 0
	for _, d := range srv.Deliveries() {
		if d.Delivered {
			n++
		}
	}
	fmt.Println("delivered:", n)
	// Output: delivered: 2
}
