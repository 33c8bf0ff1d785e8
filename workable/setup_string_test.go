package workable_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// TestConnectErrorSaysWhatFailed: Engine.Connect's *SetupError for a
// Workable account that is not ready names the failed check and its fix.
func TestConnectErrorSaysWhatFailed(t *testing.T) {
	ctx := context.Background()
	fake := workabletest.NewServer(workabletest.WithoutRateLimit())
	defer fake.Close()
	wk, err := workable.NewClient(workable.Options{Subdomain: fake.Subdomain(), Token: workabletest.DefaultAPIKey, BaseURL: fake.URL,
		ActingMemberEmail: "nobody@vendor.example", VendorStage: "YourProduct", RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	conns := &lifecycle.MemoryConnector{}
	conns.Set("acme", wk)
	e := lifecycle.NewEngine(memstore.New(), lifecycle.Options{Connector: conns, VendorName: "YourProduct"})
	_, err = e.Connect(ctx, lifecycle.ConnectOptions{ID: "acme", Kind: "workable"})
	var se *lifecycle.SetupError
	if !errors.As(err, &se) {
		t.Fatalf("Connect = %v, want a *lifecycle.SetupError", err)
	}
	for _, want := range []string{"[failed] acting member:", "nobody@vendor.example"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Connect error %q does not contain %q", err, want)
		}
	}
}
