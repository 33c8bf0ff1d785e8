package e2e

import (
	"errors"
	"github.com/atskit/atskit/ats"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
)

// lossyTransport performs every request, but for the first drop POSTs whose
// path ends in suffix it throws the ATS's answer away and reports a reset
// connection: the write landed, the caller cannot know it.
type lossyTransport struct {
	base   http.RoundTripper
	suffix string

	mu      sync.Mutex
	drop    int
	dropped int
}

func (l *lossyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, l.suffix) {
		return resp, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.drop == 0 {
		return resp, nil
	}
	l.drop--
	l.dropped++
	resp.Body.Close()
	return nil, errors.New("read tcp 127.0.0.1:50000->127.0.0.1:8080: read: connection reset by peer")
}

// TestFeedbackOnceAfterLostAnswer: the feedback form (Lever) or rating
// (Workable) lands but its answer is lost; the dispatcher retries, first
// looks the form up in the ATS (Lever's feedback list, Workable's activity
// stream), finds it and sends nothing more: one form, effect done.
func TestFeedbackOnceAfterLostAnswer(t *testing.T) {
	for _, tc := range []struct{ source, suffix string }{
		{"lever", "/feedback"},
		{"workable", "/ratings"},
	} {
		t.Run(tc.source, func(t *testing.T) {
			lossy := &lossyTransport{base: http.DefaultTransport, suffix: tc.suffix, drop: 1}
			f := newFlowWith(t, tc.source, rigOptions{sync: true, scheduledStage: true,
				httpClient: &http.Client{Transport: lossy, Timeout: 10 * time.Second}})
			f.disp = f.engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "flow", Backoff: func(int) time.Duration { return 0 }})
			cand := f.rig.addCandidate(t, "Once Olga", "olga@example.com")
			f.rig.recruiterMove(t, cand, stageTrigger)
			f.settle()
			iv := f.only(cand)
			f.report(iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://vendor.example/s/1"})
			f.report(iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{
				Score: "81", Grade: ats.GradePassed, Summary: "Clear and careful.", ReportURL: "https://vendor.example/r/1"}})

			if lossy.dropped != 1 {
				t.Fatalf("%d answers dropped, want 1 (was feedback sent?)", lossy.dropped)
			}
			if got := f.rig.feedback(cand); got != 1 {
				t.Errorf("%d feedback forms in the ATS, want 1", got)
			}
			effs, err := f.engine.Effects(f.ctx, lifecycle.EffectFilter{InterviewID: iv.ID})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range effs {
				if e.Kind == lifecycle.EffectFeedback {
					got = append(got, string(e.State))
				}
			}
			if diff := cmp.Diff([]string{string(lifecycle.EffectDone)}, got); diff != "" {
				t.Errorf("feedback effect states (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(lifecycle.StateReported, f.only(cand).State); diff != "" {
				t.Errorf("interview state (-want +got):\n%s", diff)
			}
		})
	}
}
