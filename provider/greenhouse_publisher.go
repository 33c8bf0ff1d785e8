package provider

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

// GreenhouseAllowedHostSuffixes returns the callback allow-list of
// NewGreenhousePublisher when PublisherOptions.AllowedHostSuffixes is
// empty: Greenhouse's PATCH URLs are on app.greenhouse.io (and regional
// hosts under greenhouse.io). It returns a new slice on each call.
func GreenhouseAllowedHostSuffixes() []string { return []string{"greenhouse.io"} }

// GreenhousePublisher tells Greenhouse that a test's status changed: a
// body-less PATCH to the url Greenhouse sent with send_test, after which
// Greenhouse calls test_status. It is a Publisher (same SSRF guard,
// retries and timeouts) whose default allow-list is
// GreenhouseAllowedHostSuffixes(). It is safe for concurrent use.
type GreenhousePublisher struct{ p *Publisher }

// NewGreenhousePublisher returns a GreenhousePublisher configured by opts.
func NewGreenhousePublisher(opts PublisherOptions) *GreenhousePublisher {
	if len(opts.AllowedHostSuffixes) == 0 {
		opts.AllowedHostSuffixes = GreenhouseAllowedHostSuffixes()
	}
	return &GreenhousePublisher{p: NewPublisher(opts)}
}

// Notify sends the PATCH to callbackURL with HTTP Basic auth carrying the
// customer's key (the documentation's example sends the same credential
// Greenhouse uses towards the vendor; the prose does not say). "No
// parameters are necessary" and "the response will return only the HTTP
// status code", so any 2xx is success. Errors are *PublishError; the key
// never appears in them. Greenhouse shows status changes only for active,
// unhired candidates.
func (g *GreenhousePublisher) Notify(ctx context.Context, callbackURL, key string) (Delivery, error) {
	p := g.p
	var d Delivery
	u, err := url.Parse(callbackURL)
	if err != nil {
		return d, &PublishError{URL: "(unparsable URL)", Err: &unsafeError{"unparsable URL"}, permanent: true}
	}
	safeURL := redactURL(u)
	fail := func(pe *PublishError) (Delivery, error) {
		pe.URL, pe.Attempts, pe.StatusCode = safeURL, d.Attempts, d.StatusCode
		if pe.Body != "" && key != "" {
			pe.Body = strings.ReplaceAll(pe.Body, key, "[REDACTED]")
		}
		p.log.WarnContext(ctx, "provider: greenhouse status change not delivered", "url", safeURL, "attempts", d.Attempts, "http_status", d.StatusCode, "permanent", pe.permanent, "error", pe.Error())
		return d, pe
	}
	if key == "" || len(key) > MaxGreenhouseKeyLength {
		return fail(&PublishError{Err: errors.New("the customer's Greenhouse key is empty or longer than 170 characters"), permanent: true})
	}
	if err := p.guard.checkURL(u); err != nil {
		return fail(&PublishError{Err: err, permanent: true})
	}
	if !p.guarded {
		if err := p.precheck(ctx, u); err != nil {
			return fail(&PublishError{Err: err, permanent: true})
		}
	}
	ctx = context.WithValue(ctx, attemptsKey{}, &d.Attempts)
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPatch, u.String(), nil)
	if err != nil {
		return fail(&PublishError{Err: errors.New("building request failed"), permanent: true})
	}
	req.SetBasicAuth(key, "")
	resp, err := p.client.Do(req)
	if resp != nil {
		d.StatusCode = resp.StatusCode
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if err == nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			p.log.InfoContext(ctx, "provider: greenhouse status change delivered", "url", safeURL, "attempts", d.Attempts, "http_status", d.StatusCode)
			return d, nil
		}
		if err == nil {
			return fail(&PublishError{Body: strings.TrimSpace(string(snippet)), permanent: !retryableStatus(resp.StatusCode)})
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fail(&PublishError{Err: err, permanent: errors.Is(err, ErrUnsafeCallback)})
}
