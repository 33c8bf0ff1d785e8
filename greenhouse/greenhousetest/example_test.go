package greenhousetest_test

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/atskit/atskit/greenhouse/greenhousetest"
)

// A test seeds a job and a candidate, then calls Harvest as a client
// would, following the Link header's cursor.
func ExampleNewServer() {
	srv := greenhousetest.NewServer()
	defer srv.Close()
	job := srv.AddJob(greenhousetest.Job{Name: "Backend Engineer"})
	srv.AddCandidate(greenhousetest.Candidate{JobID: job.ID, FirstName: "Ada", LastName: "Lovelace"})

	tok := srv.IssueToken(greenhousetest.DefaultClientID, srv.AdminUserID())
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/applications?status=active&job_ids=%d", srv.URL, job.ID), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var apps []struct {
		Status    string `json:"status"`
		StageName string `json:"stage_name"`
	}
	json.NewDecoder(resp.Body).Decode(&apps)
	fmt.Println(resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"), apps)
	// Output: 200 49 [{in_process Application Review}]
}
