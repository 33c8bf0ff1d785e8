package lifecycle_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/provider"
	"github.com/google/go-cmp/cmp"
)

// TestProviderPublisherWireForm checks what a lifecycle result looks like
// on Workable's callback: a declined interview goes out as "rejected", the
// grade at both levels, and an assessment's results under "assessment" as
// well as "interview".
func TestProviderPublisherWireForm(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = nil
		_ = json.Unmarshal(b, &got)
	}))
	defer srv.Close()
	pub := lifecycle.ProviderPublisher{Publisher: provider.NewPublisher(provider.PublisherOptions{AllowLoopback: true, AllowInsecureHTTP: true, MaxRetries: -1})}
	completed := lifecycle.CallbackResult{Status: lifecycle.CallbackCompleted, ResultsURL: "https://v.example/r/1", Score: "82", Grade: "passed"}
	results := map[string]any{"score": "82", "grade": "passed"}
	for _, tt := range []struct {
		name string
		cb   lifecycle.Callback
		r    lifecycle.CallbackResult
		want map[string]any
	}{
		{"declined interview", lifecycle.Callback{URL: srv.URL}, lifecycle.CallbackResult{Status: lifecycle.CallbackDeclined}, map[string]any{"status": "rejected"}},
		{"completed interview", lifecycle.Callback{URL: srv.URL}, completed,
			map[string]any{"status": "completed", "results_url": "https://v.example/r/1", "grade": "passed", "interview": results}},
		{"completed assessment", lifecycle.Callback{URL: srv.URL, Assessment: true}, completed,
			map[string]any{"status": "completed", "results_url": "https://v.example/r/1", "grade": "passed", "interview": results, "assessment": results}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := pub.PublishResult(context.Background(), tt.cb, tt.r); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("callback body (-want +got):\n%s", d)
			}
		})
	}
}

// TestProviderStatusDocumentAttachments: a result's attachment that has
// only bytes (a PDF the ATS adapters upload) is not sent to Workable's
// callback, whose attachments are links; sending it would fail validation
// and so the whole delivery.
func TestProviderStatusDocumentAttachments(t *testing.T) {
	for _, tt := range []struct {
		name string
		atts []ats.Attachment
		want []ats.Attachment
	}{
		{"link kept", []ats.Attachment{{Description: "Report", URL: "https://v.example/r.pdf"}},
			[]ats.Attachment{{Description: "Report", URL: "https://v.example/r.pdf"}}},
		{"bytes only left out", []ats.Attachment{{Name: "r.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}, {Description: "Report", URL: "https://v.example/r.pdf"}},
			[]ats.Attachment{{Description: "Report", URL: "https://v.example/r.pdf"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := lifecycle.ProviderStatusDocument(lifecycle.CallbackResult{Status: lifecycle.CallbackCompleted,
				ResultsURL: "https://v.example/r", Attachments: tt.atts})
			if err := doc.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if d := cmp.Diff(tt.want, doc.Attachments); d != "" {
				t.Errorf("attachments (-want +got):\n%s", d)
			}
		})
	}
}
