package lifecycle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

const secretToken = "wk-callback-token-7f3a9c"

func providerRequest(candidate string) lifecycle.ProviderRequest {
	return lifecycle.ProviderRequest{
		Source: "workable", EventID: "ev-" + candidate, CandidateID: candidate, JobID: enginetest.JobID, Template: "t",
		Candidate: ats.Candidate{Name: "Grace Hopper", Emails: []string{"grace@example.com"}},
		Callback:  lifecycle.Callback{URL: "https://www.workable.com/spi/v3/assessments/" + candidate, Token: secretToken},
	}
}

// leaks reports whether any of vs, encoded as JSON, holds the token.
func leaks(t *testing.T, vs ...any) bool {
	t.Helper()
	for _, v := range vs {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secretToken)) || bytes.Contains(b, []byte(strings.TrimPrefix(secretToken, "wk-"))) {
			return true
		}
	}
	return false
}

// TestReadAPIsNeverReturnCallbackTokens: every Engine method that returns
// interviews or effects leaves the callback token out, while the
// dispatcher still publishes with it.
func TestReadAPIsNeverReturnCallbackTokens(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	created, err := h.Engine.ProviderInterview(ctx, providerRequest("p1"))
	if err != nil {
		t.Fatal(err)
	}
	one, err1 := h.Engine.Interview(ctx, created.ID)
	all, err2 := h.Engine.Interviews(ctx, lifecycle.InterviewFilter{})
	effs, err3 := h.Engine.Effects(ctx, lifecycle.EffectFilter{})
	h.Drain()
	reported, err4 := h.Engine.Report(ctx, created.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Score: "9", ReportURL: "https://iv.example/r"}})
	effsAfter, err5 := h.Engine.Effects(ctx, lifecycle.EffectFilter{})
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		v    any
	}{
		{"ProviderInterview", created}, {"Interview", one}, {"Interviews", all},
		{"Effects before delivery", effs}, {"Report", reported}, {"Effects after report", effsAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if leaks(t, tt.v) {
				t.Errorf("%s returned the callback token", tt.name)
			}
		})
	}
	h.Drain()
	pub := h.Publisher.Published()
	if len(pub) != 1 || pub[0].Callback.Token != secretToken {
		t.Errorf("published %+v, want one callback with the token", pub)
	}
}

// TestCallbackTokensSealedAtRest: with a TokenSealer the store never holds
// the token in clear; the dispatcher opens it to publish; a wrong key, a
// tampered value or a sealed token moved to another URL does not open.
func TestCallbackTokensSealedAtRest(t *testing.T) {
	ctx := context.Background()
	key := bytes.Repeat([]byte{7}, 32)
	sealer, err := lifecycle.NewTokenSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	h := enginetest.New(t, store)
	opts := h.Options()
	opts.CallbackTokenSealer = sealer
	eng := lifecycle.NewEngine(store, opts)
	disp := eng.Dispatcher(lifecycle.DispatcherOptions{Owner: "sealed", Lease: time.Minute})

	iv, err := eng.ProviderInterview(ctx, providerRequest("p1"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := store.Interview(ctx, iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	rawEffs, _ := store.Effects(ctx, lifecycle.EffectFilter{})
	if leaks(t, raw, rawEffs) {
		t.Fatal("the store holds the callback token in clear")
	}
	if raw.Callback == nil || !strings.HasPrefix(raw.Callback.Token, "atskit-sealed-v1:") {
		t.Fatalf("stored callback %+v, want a sealed token", raw.Callback)
	}
	if _, err := disp.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Score: "9", ReportURL: "https://iv.example/r"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := disp.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	pub := h.Publisher.Published()
	if len(pub) != 1 || pub[0].Callback.Token != secretToken {
		t.Fatalf("published %+v, want one callback with the opened token", pub)
	}

	other, _ := lifecycle.NewTokenSealer(bytes.Repeat([]byte{8}, 32))
	rotated, _ := lifecycle.NewTokenSealer(bytes.Repeat([]byte{8}, 32), key)
	sealed := raw.Callback.Token
	cases := []struct {
		name    string
		s       *lifecycle.TokenSealer
		url     string
		want    string
		wantErr bool
	}{
		{"right key", sealer, raw.Callback.URL, secretToken, false},
		{"rotated, old key kept", rotated, raw.Callback.URL, secretToken, false},
		{"wrong key", other, raw.Callback.URL, "", true},
		{"moved to another URL", sealer, "https://evil.example/cb", "", true},
		{"no sealer", nil, raw.Callback.URL, "", true},
		{"tampered", sealer, raw.Callback.URL + "", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := sealed
			if c.name == "tampered" {
				in = sealed[:len(sealed)-2] + "AA"
			}
			got, err := c.s.Open(c.url, in)
			if (err != nil) != c.wantErr || got != c.want {
				t.Errorf("Open = %q, %v; want %q, error %v", got, err, c.want, c.wantErr)
			}
			if c.wantErr && !errors.Is(err, lifecycle.ErrTokenSealed) {
				t.Errorf("error %v is not ErrTokenSealed", err)
			}
		})
	}
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := lifecycle.NewTokenSealer(make([]byte, n)); err == nil {
			t.Errorf("NewTokenSealer accepted a %d-byte key", n)
		}
	}
}
