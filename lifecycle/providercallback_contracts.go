package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/provider"
)

// CallbackKind is the partner contract a Callback belongs to, which
// decides how its result is published.
type CallbackKind string

// Callback kinds.
const (
	// CallbackWorkable (the zero value): the result document is PUT to
	// URL with Token (provider.Publisher).
	CallbackWorkable CallbackKind = ""
	// CallbackGreenhouse: a body-less PATCH to URL, the url of
	// Greenhouse's send_test, with Token as the customer's Basic key
	// (provider.GreenhousePublisher.Notify); Greenhouse then reads
	// test_status. Ref is the Greenhouse application ID, where a
	// completed test's report is attached through Harvest.
	CallbackGreenhouse CallbackKind = "greenhouse"
	// CallbackAshby: an assessment.update to Ashby's API with Token as the
	// customer's Ashby API key (provider.AshbyPublisher.Update), whose
	// assessment_id is the interview's ID. URL only identifies the
	// assessment (AshbyCallbackURL) and is never fetched.
	CallbackAshby CallbackKind = "ashby"
)

// AshbyCallbackURL is the Callback.URL of an Ashby assessment: Ashby has
// no callback URL, but the URL keys a detached provider interview, so it
// names the application and the assessment type, one interview per pair.
func AshbyCallbackURL(applicationID, assessmentTypeID string) string {
	return "ashby:" + path.Join("application", applicationID, "assessment", assessmentTypeID)
}

type callbackEffectKey struct{}

type callbackEffect struct{ interview, connection string }

// withCallbackEffect tells PublishResult which interview and connection
// the callback effect eff belongs to.
func withCallbackEffect(ctx context.Context, eff Effect) context.Context {
	return context.WithValue(ctx, callbackEffectKey{}, callbackEffect{eff.InterviewID, eff.Connection})
}

// CallbackInterview returns the interview and connection whose callback a
// CallbackPublisher is delivering, when the dispatcher called it with ctx.
func CallbackInterview(ctx context.Context) (interviewID, connection string, ok bool) {
	c, ok := ctx.Value(callbackEffectKey{}).(callbackEffect)
	return c.interview, c.connection, ok
}

// ContractPublisher is a CallbackPublisher for every partner contract: it
// publishes each callback through the publisher of its Kind, each with
// provider's SSRF guard and retry policy. A kind whose publisher is nil
// fails permanently.
type ContractPublisher struct {
	// Workable PUTs results to Workable's callbacks.
	Workable *provider.Publisher
	// Greenhouse PATCHes Greenhouse's send_test url.
	Greenhouse *provider.GreenhousePublisher
	// Ashby posts assessment.update.
	Ashby *provider.AshbyPublisher
	// Reports, when set, attaches the report of a completed Greenhouse
	// test (the result's attachments, else nothing) to the application
	// (Callback.Ref) through the connection's adapter, when that adapter
	// implements ats.ReportAttacher — the greenhouse adapter of a
	// connection with Harvest credentials attaches it as a
	// take_home_test. A connection it does not know
	// (ErrUnknownConnection) has no Harvest credentials and is skipped.
	// The attachment follows the PATCH, so a retried delivery repeats
	// only the PATCH, which is idempotent, unless the attachment itself
	// failed.
	Reports Connector
}

var _ CallbackPublisher = ContractPublisher{}

// errNoPublisher is a permanent failure: no publisher for a kind.
type errNoPublisher struct{ kind CallbackKind }

func (e errNoPublisher) Error() string {
	return fmt.Sprintf("lifecycle: no publisher for %q callbacks: set ContractPublisher's field for it", string(e.kind))
}
func (errNoPublisher) Permanent() bool { return true }

// PublishResult implements CallbackPublisher.
func (p ContractPublisher) PublishResult(ctx context.Context, cb Callback, r CallbackResult) error {
	switch cb.Kind {
	case CallbackWorkable:
		if p.Workable == nil {
			return errNoPublisher{cb.Kind}
		}
		return ProviderPublisher{p.Workable}.PublishResult(ctx, cb, r)
	case CallbackGreenhouse:
		if p.Greenhouse == nil {
			return errNoPublisher{cb.Kind}
		}
		if _, err := p.Greenhouse.Notify(ctx, cb.URL, cb.Token); err != nil {
			return err
		}
		return p.attachReport(ctx, cb, r)
	case CallbackAshby:
		if p.Ashby == nil {
			return errNoPublisher{cb.Kind}
		}
		id, _, ok := CallbackInterview(ctx)
		if !ok || id == "" {
			return permanentError{errors.New("lifecycle: an Ashby callback needs the interview ID: publish it through the dispatcher")}
		}
		_, err := p.Ashby.Update(ctx, cb.Token, provider.AshbyUpdateFromResult(id, ProviderStatusDocument(r)))
		return err
	}
	return permanentError{fmt.Errorf("lifecycle: unknown callback kind %q", string(cb.Kind))}
}

func (p ContractPublisher) attachReport(ctx context.Context, cb Callback, r CallbackResult) error {
	if p.Reports == nil || cb.Ref == "" || r.Status != CallbackCompleted || len(r.Attachments) == 0 {
		return nil
	}
	_, conn, _ := CallbackInterview(ctx)
	a, err := p.Reports.Adapter(ctx, conn)
	if errors.Is(err, ErrUnknownConnection) {
		return nil
	}
	if err != nil {
		return err
	}
	ra, ok := a.(ats.ReportAttacher)
	if !ok {
		return nil
	}
	for _, att := range r.Attachments {
		name := strings.TrimSpace(att.Description)
		if name == "" {
			name = "Report"
		}
		if !strings.HasSuffix(strings.ToLower(name), ".pdf") {
			name += ".pdf"
		}
		if err := ra.AttachReport(ctx, cb.Ref, ats.Attachment{Name: name, ContentType: "application/pdf", URL: att.URL}); err != nil {
			return errfmt.Errorf("lifecycle: attach the report to Greenhouse application %s: %w", cb.Ref, err)
		}
	}
	return nil
}
