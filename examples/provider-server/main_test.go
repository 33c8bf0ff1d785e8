package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atskit/atskit/provider"
	"github.com/stretchr/testify/require"
)

type callback struct {
	Method, Path, Authorization string
	Body                        map[string]any
}

func TestCreateCompletePublish(t *testing.T) {
	// A stand-in for Workable's results endpoint.
	got := make(chan callback, 1)
	workable := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		got <- callback{r.Method, r.URL.Path, r.Header.Get("Authorization"), body}
	}))
	defer workable.Close()

	var logs bytes.Buffer
	h, backend := newServer(config{
		Token: "provider-token", CallbackToken: "workable-token", Templates: []string{"Aptitude Interview", "Java Interview"},
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
		Publisher: provider.PublisherOptions{AllowLoopback: true, AllowInsecureHTTP: true, Logger: slog.New(slog.DiscardHandler)},
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	do := func(method, path, token, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(b, &out)
		return resp.StatusCode, out
	}

	status, out := do("GET", "/workable/interview-templates", "provider-token", "")
	require.Equal(t, 200, status)
	require.Len(t, out["interview_templates"], 2)

	status, _ = do("GET", "/workable/interview-templates", "wrong", "")
	require.Equal(t, 401, status)

	status, out = do("POST", "/workable/interviews", "provider-token", `{
	  "interview_template_id": "2", "job_title": "Backend Engineer",
	  "callback_url": "`+workable.URL+`/interviews/8823119",
	  "candidate": {"first_name": "Lakita", "last_name": "Marrero", "email": "lakita@example.com"}}`)
	require.Equal(t, 201, status, out)
	id := out["interview_id"].(string)
	inv, ok := backend.Invitation(id)
	require.True(t, ok)
	require.Equal(t, workable.URL+"/interviews/8823119", inv.CallbackURL)

	status, _ = do("POST", "/demo/interviews/"+id+"/complete", "", "")
	require.Equal(t, 401, status)
	status, _ = do("POST", "/demo/interviews/nope/complete", "provider-token", "")
	require.Equal(t, 404, status)

	status, out = do("POST", "/demo/interviews/"+id+"/complete", "provider-token", "")
	require.Equal(t, 200, status, out)
	require.Equal(t, float64(200), out["callback_status"])

	cb := <-got
	require.Equal(t, "PUT", cb.Method)
	require.Equal(t, "/interviews/8823119", cb.Path)
	require.Equal(t, "Bearer workable-token", cb.Authorization)
	require.Equal(t, "completed", cb.Body["status"])
	require.NotEmpty(t, cb.Body["results_url"])
	require.Equal(t, "passed", cb.Body["interview"].(map[string]any)["grade"])

	status, out = do("GET", "/workable/interviews/"+id, "provider-token", "")
	require.Equal(t, 200, status)
	require.Equal(t, "completed", out["status"])

	require.Contains(t, logs.String(), "path=/workable/interviews")
	require.NotContains(t, logs.String(), "provider-token")
	require.NotContains(t, logs.String(), "workable-token")
}

func TestCompleteRefusesUnsafeCallback(t *testing.T) {
	// Default publisher options: loopback callbacks are refused.
	h, _ := newServer(config{Token: "t", CallbackToken: "c", Templates: []string{"A"}, Logger: slog.New(slog.DiscardHandler),
		Publisher: provider.PublisherOptions{Logger: slog.New(slog.DiscardHandler)}})
	body := `{"interview_template_id":"1","job_title":"x","callback_url":"http://127.0.0.1:9/cb","candidate":{"first_name":"a","last_name":"b","email":"c@d"}}`
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/workable/interviews", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer t")
	r.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(w, r)
	require.Equal(t, 201, w.Code)

	w = httptest.NewRecorder()
	r = httptest.NewRequest("POST", "/demo/interviews/iv_1/complete", nil)
	r.Header.Set("Authorization", "Bearer t")
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusBadGateway, w.Code)
	require.Contains(t, w.Body.String(), "unsafe callback URL")
	require.NotContains(t, w.Body.String(), `"c"`)
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.ErrorContains(t, run(context.Background(), []string{"-token", ""}, &out), "token is required")
	require.Error(t, run(context.Background(), []string{"-nope"}, &out))

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve, then shut down at once
	require.NoError(t, run(ctx, []string{"-addr", "127.0.0.1:0", "-token", "t"}, &out))
	require.Contains(t, out.String(), "listening")
}

func TestSplitNames(t *testing.T) {
	require.Equal(t, []string{"A", "B c"}, splitNames(" A, ,B c,"))
	require.Nil(t, splitNames(""))
}
