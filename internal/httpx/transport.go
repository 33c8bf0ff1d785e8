package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// errAuthorize marks a failure to obtain credentials (for example an OAuth
// refresh that was refused); such attempts are not retried.
var errAuthorize = errors.New("obtaining credentials")

type attemptsKey struct{}

// pacedTransport adds credentials to each attempt, waits for the pacer,
// and feeds the server's rate-limit headers back into the pacer.
type pacedTransport struct {
	base      http.RoundTripper
	origin    *url.URL // the API's scheme and host; nothing else gets credentials
	hosts     HostRule // other hosts the ATS declares its own for the same account
	pacer     *Pacer
	authorize func(*http.Request) error
	budget    func(h http.Header, now time.Time) (int, time.Time, bool)
	now       func() time.Time
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if t.origin != nil {
		// Only a redirect can get here with a foreign host (Do checks
		// every URL against the base and the adapter's HostRule);
		// checkRedirect refuses those, but a caller-supplied client must
		// not be able to loosen the rule.
		if err := t.hosts.Check(t.origin, req.URL); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	if n, ok := ctx.Value(attemptsKey{}).(*int); ok {
		*n++
	}
	if t.authorize != nil {
		// A RoundTripper must not modify the caller's request.
		req = req.Clone(ctx)
		if err := t.authorize(req); err != nil {
			closeBody(req)
			return nil, fmt.Errorf("%w: %w", errAuthorize, err)
		}
	}
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	start := time.Now()
	if err := t.pacer.Wait(ctx); err != nil {
		closeBody(req)
		return nil, err
	}
	if o, ok := base.(PacingObserver); ok {
		o.ObservePacingWait(req, time.Since(start))
	}
	resp, err := base.RoundTrip(req)
	if err == nil && t.budget != nil {
		if remaining, reset, ok := t.budget(resp.Header, t.now()); ok && remaining <= 0 {
			t.pacer.PauseUntil(reset)
		}
	}
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.pacer.Throttled()
	}
	return resp, err
}

// PacingObserver is implemented by a transport that wants to know how long
// each attempt waited for the account's request budget before it was sent
// (telemetry.Transport records it as a metric). An adapter's HTTPClient
// whose Transport implements it is told once per attempt, with the
// attempt's request, before the attempt is handed to it.
type PacingObserver interface {
	ObservePacingWait(req *http.Request, wait time.Duration)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
