package workabletest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/atskit/atskit/workable/workabletest"
	"github.com/google/go-cmp/cmp"
)

// TestDocumentedShapes checks the fake against what Workable documents,
// not against what the client expects.
func TestDocumentedShapes(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithoutRateLimit(), workabletest.WithNextLinkHost("www.workable.com"))
	defer srv.Close()
	job := srv.AddJob(workabletest.Job{Title: "Office Manager", Stages: workabletest.StagesNamed("Applied", "Interview")})
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Ada Lovelace"})
	srv.AddJob(workabletest.Job{Title: "Second"})
	member := srv.DefaultMemberID()
	post := func(path string, body any) int {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+workabletest.DefaultAPIKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}

	t.Run("next link on the www host, account-scoped", func(t *testing.T) {
		_, body := get(t, srv, "/jobs?limit=1", workabletest.DefaultAPIKey)
		next, _ := body["paging"].(map[string]any)["next"].(string)
		if !strings.HasPrefix(next, "http://www.workable.com/spi/v3/accounts/acme/jobs?") {
			t.Errorf("paging.next = %q, want the www account-scoped form", next)
		}
	})
	t.Run("account-scoped path is served, other accounts are not", func(t *testing.T) {
		if resp, _ := get(t, srv, "/accounts/acme/jobs", workabletest.DefaultAPIKey); resp.StatusCode != 200 {
			t.Errorf("own account: %d", resp.StatusCode)
		}
		if resp, _ := get(t, srv, "/accounts/globex/jobs", workabletest.DefaultAPIKey); resp.StatusCode != 404 {
			t.Errorf("other account: %d, want 404", resp.StatusCode)
		}
	})
	t.Run("loud 404 outside the base path", func(t *testing.T) {
		resp, err := srv.Client().Get(strings.TrimSuffix(srv.URL, "/spi/v3") + "/jobs")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("GET /jobs without /spi/v3: %d, want 404", resp.StatusCode)
		}
	})
	t.Run("activities: no id, documented actions, visibility", func(t *testing.T) {
		if st := post("/candidates/"+cand.ID+"/move", map[string]any{"member_id": member, "target_stage": "interview"}); st != 202 {
			t.Fatalf("move: %d", st)
		}
		if st := post("/candidates/"+cand.ID+"/comments", map[string]any{"member_id": member, "comment": map[string]any{"body": "hi", "policy": []string{}}}); st != 201 {
			t.Fatalf("comment: %d", st)
		}
		if st := post("/candidates/"+cand.ID+"/disqualify", map[string]any{"member_id": member, "disqualify_note": "no"}); st != 200 {
			t.Fatalf("disqualify: %d", st)
		}
		_, body := get(t, srv, "/candidates/"+cand.ID+"/activities", workabletest.DefaultAPIKey)
		acts := body["activities"].([]any)
		var actions []string
		for _, a := range acts {
			m := a.(map[string]any)
			if _, ok := m["id"]; ok {
				t.Errorf("activity %v carries an id, which Workable does not document", m)
			}
			actions = append(actions, m["action"].(string))
		}
		if d := cmp.Diff([]string{"move", "comment", "disqualification"}, actions); d != "" {
			t.Errorf("actions (-want +got):\n%s", d)
		}
		if d := cmp.Diff(map[string]any{"id": "interview", "name": "Interview"}, acts[0].(map[string]any)["target_stage"]); d != "" {
			t.Errorf("target_stage (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]any{"admin"}, acts[1].(map[string]any)["visibility_roles"]); d != "" {
			t.Errorf("policy [] is admins only (-want +got):\n%s", d)
		}
	})
	t.Run("invalid token: nested body, no rate-limit headers", func(t *testing.T) {
		rl := workabletest.NewServer(workabletest.WithRateLimit(10, 0))
		defer rl.Close()
		resp, body := get(t, rl, "/jobs", "wrong")
		if resp.StatusCode != 401 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset", "Retry-After"} {
			if v := resp.Header.Get(h); v != "" {
				t.Errorf("401 carries %s: %q", h, v)
			}
		}
		if _, ok := body["error"].(map[string]any); !ok {
			t.Errorf("401 body %v is not the nested invalid-token shape", body)
		}
	})
	t.Run("429 has rate-limit headers and no Retry-After", func(t *testing.T) {
		restore := srv.FailRequests(http.StatusTooManyRequests)
		defer restore()
		resp, _ := get(t, srv, "/jobs", workabletest.DefaultAPIKey)
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-Rate-Limit-Reset") == "" {
			t.Errorf("429: status %d, Retry-After %q, X-Rate-Limit-Reset %q", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("X-Rate-Limit-Reset"))
		}
	})
}
