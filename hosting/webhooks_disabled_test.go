package hosting_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/lifecycletest"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/workable"
)

// flakyInbox is a memstore whose inbox is briefly unavailable (a DB
// failover, a full disk).
type flakyInbox struct{ *memstore.Store }

func (flakyInbox) AcceptEvents(context.Context, []lifecycle.InboxEvent) (int, error) {
	return 0, errors.New("store unavailable")
}

// TestWebhookStoreFailureOfDisabledConnectionIsRetried: a webhook of a
// disabled connection whose event the store failed to keep is answered
// with an error, so the ATS delivers it again: it may be the candidate
// leaving the stage, which must still cancel a live interview.
func TestWebhookStoreFailureOfDisabledConnectionIsRetried(t *testing.T) {
	ctx := context.Background()
	store := flakyInbox{memstore.New()}
	conns := &lifecycle.MemoryConnector{}
	wk, err := workable.NewClient(workable.Options{Subdomain: "acme", Token: "t", BaseURL: "http://127.0.0.1:1/spi/v3"})
	if err != nil {
		t.Fatal(err)
	}
	conns.Set("acme", wk)
	e := lifecycle.NewEngine(store, lifecycle.Options{Connector: conns, Vendor: lifecycletest.NewVendor(), VendorName: "X"})
	if _, err := e.Connect(ctx, lifecycle.ConnectOptions{ID: "acme", Kind: "workable", SkipSetupCheck: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DisableConnection(ctx, "acme", "off"); err != nil {
		t.Fatal(err)
	}
	hooks := &hosting.MemoryVerifiers{}
	hooks.Set("workable", "acme", hosting.VerifierFunc(func([]byte, http.Header) ([]ats.Event, error) {
		return []ats.Event{{ID: "d1", Source: "workable", Kind: ats.EventStageChanged, CandidateID: "c1", JobID: "J1"}}, nil
	}))
	h, err := hosting.NewHandler(hosting.Options{Engine: e, Webhooks: hooks})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/hooks/workable/acme", strings.NewReader(`{}`)))
	if rec.Code < 500 {
		t.Fatalf("the store failed to keep the event, yet the ATS was answered %d (it will not retry): event lost", rec.Code)
	}
}
