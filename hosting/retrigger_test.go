package hosting_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/examples/custom-adapter/memats"
	"github.com/atskit/atskit/lifecycle"
)

// TestRetriggerLinkRefusals: a link past its expiry is refused before the
// engine is asked; a valid link for a candidate who has moved on is
// refused with the reason, and the interview stays as it was.
func TestRetriggerLinkRefusals(t *testing.T) {
	r := newRig(t)
	tn := r.tenants["acme"]
	require := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	require(memats.NewAdapter(tn.svc, "tok").MoveCandidate(ctx, tn.cand, "interview"))
	if code := r.deliver(t, "acme", tn, tn.secret, "d-1"); code != http.StatusOK {
		t.Fatalf("delivery answered %d", code)
	}
	iv := r.interviews(t, "acme")[0]
	now := time.Now()
	r.links.Now = func() time.Time { return now }
	r.links.TTL = time.Hour
	link := r.links.URL("acme", iv.ID)
	post := func() (int, string) {
		resp, err := http.Post(link, "", nil)
		require(err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	t.Run("candidate moved on", func(t *testing.T) {
		require(memats.NewAdapter(tn.svc, "tok").MoveCandidate(ctx, tn.cand, "offer"))
		code, body := post()
		want := "the candidate is no longer in the interview stage, so the interview was not requested again\n"
		if diff := cmp.Diff([]any{http.StatusConflict, want}, []any{code, body}); diff != "" {
			t.Errorf("answer (-want +got):\n%s", diff)
		}
	})
	t.Run("expired", func(t *testing.T) {
		now = now.Add(time.Hour)
		code, _ := post()
		if code != http.StatusGone {
			t.Errorf("expired link answered %d, want 410", code)
		}
	})
	got, err := r.engine.Interview(ctx, iv.ID)
	require(err)
	if got.State != lifecycle.StateNeedsInfo || got.Version != iv.Version {
		t.Errorf("refused links changed the interview: %s v%d, was %s v%d", got.State, got.Version, iv.State, iv.Version)
	}
}
