package lifecycle_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
)

// notifyHandler is a slog.Handler that reports each record whose message
// and attributes satisfy match.
type notifyHandler struct {
	match func(slog.Record) bool
	ch    chan<- slog.Record
}

func (h notifyHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h notifyHandler) Handle(_ context.Context, r slog.Record) error {
	if h.match(r) {
		h.ch <- r
	}
	return nil
}
func (h notifyHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h notifyHandler) WithGroup(string) slog.Handler      { return h }

// TestEngineRunExpiresAndStops: Run's timer expires due invitations, and
// Run returns once its context is done.
func TestEngineRunExpiresAndStops(t *testing.T) {
	h := newHarness(t)
	iv := reach(t, h, lifecycle.StateInvited)
	h.Clock.Advance(enginetest.Config.InvitationTTL)

	expired := make(chan slog.Record, 1)
	opts := h.Options()
	opts.ExpiryInterval = time.Hour // the first pass runs at once
	opts.Logger = slog.New(notifyHandler{ch: expired, match: func(r slog.Record) bool {
		to := ""
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "to" {
				to = a.Value.String()
			}
			return true
		})
		return r.Message == "lifecycle: interview transition" && to == string(lifecycle.StateExpired)
	}})
	e := lifecycle.NewEngine(h.Store, opts)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(rctx) }()
	<-expired
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	got, err := h.Engine.Interview(ctx, iv.ID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.StateExpired, got.State)
}

// TestLogsCarryNoSecretsOrContactData runs a provider-contract interview
// and a stage-triggered one through every step, with failures, and checks
// that the logs never contain the callback token or the candidates'
// email addresses and phone numbers.
func TestLogsCarryNoSecretsOrContactData(t *testing.T) {
	h := newHarness(t)
	var mu sync.Mutex
	var buf bytes.Buffer
	opts := h.Options()
	opts.Logger = slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := lifecycle.NewEngine(h.Store, opts)
	d := e.Dispatcher(lifecycle.DispatcherOptions{Owner: "d", Backoff: fixedBackoff(time.Second)})
	drain := func() {
		t.Helper()
		_, err := d.Drain(ctx)
		require.NoError(t, err)
	}

	const token, email, phone = "tok-SECRET-9f8e", "ada.secret@example.com", "+44 20 7946 0999"
	cand := ats.Candidate{ID: "c1", JobID: enginetest.JobID, Name: "Ada", Emails: []string{email}, Phones: []string{phone},
		Stage: ats.StageRef{ID: enginetest.StageApplied}}
	h.ATS.PutCandidate(cand)
	h.ATS.Fail("AddNote", &ats.APIError{ATS: "fake", StatusCode: 503})
	require.NoError(t, e.HandleEvent(ctx, h.MoveEvent("c1", enginetest.StageTrigger)))
	require.NoError(t, e.HandleEvent(ctx, h.MoveEvent("c1", enginetest.StageTrigger))) // new ID, same state
	drain()
	ivs, err := e.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: "c1"})
	require.NoError(t, err)
	_, err = e.Report(ctx, ivs[0].ID, lifecycle.Update{ID: "u1", Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/1"})
	require.NoError(t, err)
	_, err = e.Report(ctx, ivs[0].ID, lifecycle.Update{ID: "u1", Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/1"})
	require.NoError(t, err)
	drain()
	h.Clock.Advance(time.Second)
	drain()

	p, err := e.ProviderInterview(ctx, lifecycle.ProviderRequest{Source: "workable", CandidateID: "p1", JobID: enginetest.JobID,
		Candidate: ats.Candidate{Name: "Grace", Emails: []string{email}, Phones: []string{phone}},
		Callback:  lifecycle.Callback{URL: "https://cb.example/1", Token: token}})
	require.NoError(t, err)
	h.Publisher.Fail(permanent{assertErr("callback refused")})
	_, err = e.Report(ctx, p.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Score: "9"}})
	require.NoError(t, err)
	drain()

	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	require.Contains(t, logs, "interview transition", "the test must see the logs")
	require.Contains(t, logs, "effect failed")
	for _, secret := range []string{token, email, phone} {
		require.NotContains(t, logs, secret)
	}
	require.False(t, strings.Contains(logs, "7946"), "no part of the phone number")
}

type assertErr string

func (e assertErr) Error() string { return string(e) }

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
