package lifecycle_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/provider"
)

// attacher is an adapter that only records AttachReport.
type attacher struct {
	ats.Adapter
	mu  sync.Mutex
	got []string
}

func (a *attacher) AttachReport(_ context.Context, candidateID string, at ats.Attachment) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, candidateID+" "+at.Name+" "+at.URL)
	return nil
}

// TestContractPublisherRoutesByKind: each callback kind goes to its own
// publisher; a kind without one, an unknown kind and an Ashby callback
// outside the dispatcher fail permanently; a completed Greenhouse test's
// report is attached to the application only when the connection's adapter
// can attach reports.
func TestContractPublisherRoutesByKind(t *testing.T) {
	var mu sync.Mutex
	var patches []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		key, _, _ := r.BasicAuth()
		patches = append(patches, r.Method+" "+r.URL.Path+" "+key)
	}))
	defer srv.Close()
	opts := provider.PublisherOptions{AllowLoopback: true, AllowInsecureHTTP: true, MaxRetries: -1}
	harvest := &attacher{}
	conns := &lifecycle.MemoryConnector{}
	conns.Set("with-harvest", harvest)
	full := lifecycle.ContractPublisher{Greenhouse: provider.NewGreenhousePublisher(opts), Reports: conns}
	completed := lifecycle.CallbackResult{Status: lifecycle.CallbackCompleted, ResultsURL: "https://v.example/r",
		Attachments: []ats.Attachment{{Description: "Report", URL: "https://v.example/r.pdf"}}}
	gh := lifecycle.Callback{Kind: lifecycle.CallbackGreenhouse, URL: srv.URL + "/take_home_tests/1", Token: "k", Ref: "26234709"}
	tests := []struct {
		name          string
		pub           lifecycle.ContractPublisher
		conn          string
		cb            lifecycle.Callback
		r             lifecycle.CallbackResult
		wantPermanent bool
		wantPatches   []string
		wantAttached  []string
	}{
		{"greenhouse completed with harvest", full, "with-harvest", gh, completed, false,
			[]string{"PATCH /take_home_tests/1 k"}, []string{"26234709 Report.pdf https://v.example/r.pdf"}},
		{"greenhouse completed without harvest", full, "without", gh, completed, false, []string{"PATCH /take_home_tests/1 k"}, nil},
		{"greenhouse expired attaches nothing", full, "with-harvest", gh, lifecycle.CallbackResult{Status: lifecycle.CallbackExpired}, false, []string{"PATCH /take_home_tests/1 k"}, nil},
		{"no workable publisher", full, "c", lifecycle.Callback{URL: srv.URL}, completed, true, nil, nil},
		{"no ashby publisher", full, "c", lifecycle.Callback{Kind: lifecycle.CallbackAshby, URL: "ashby:x"}, completed, true, nil, nil},
		{"unknown kind", full, "c", lifecycle.Callback{Kind: "smartrecruiters", URL: srv.URL}, completed, true, nil, nil},
		{"ashby outside the dispatcher", lifecycle.ContractPublisher{Ashby: provider.NewAshbyPublisher(provider.AshbyPublisherOptions{PublisherOptions: opts, BaseURL: srv.URL})},
			"", lifecycle.Callback{Kind: lifecycle.CallbackAshby, URL: "ashby:x", Token: "k"}, completed, true, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			patches = nil
			mu.Unlock()
			harvest.got = nil
			ctx := context.Background()
			if tc.conn != "" {
				ctx = lifecycle.WithCallbackInterviewForTest(ctx, "iv_1", tc.conn)
			}
			err := tc.pub.PublishResult(ctx, tc.cb, tc.r)
			var p interface{ Permanent() bool }
			if tc.wantPermanent != (err != nil && errors.As(err, &p) && p.Permanent()) {
				t.Fatalf("err = %v, want permanent %v", err, tc.wantPermanent)
			}
			if !tc.wantPermanent && err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if diff := cmp.Diff(tc.wantPatches, patches); diff != "" {
				t.Errorf("PATCHes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantAttached, harvest.got); diff != "" {
				t.Errorf("attachments (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAshbyCallbackURL(t *testing.T) {
	if diff := cmp.Diff("ashby:application/app-1/assessment/7", lifecycle.AshbyCallbackURL("app-1", "7")); diff != "" {
		t.Error(diff)
	}
}
