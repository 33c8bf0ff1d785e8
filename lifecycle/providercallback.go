package lifecycle

import (
	"context"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/provider"
)

// ProviderPublisher adapts a *provider.Publisher to CallbackPublisher, so
// results of interviews created with Engine.ProviderInterview are PUT to
// Workable's callback URL. Its errors (*provider.PublishError) report
// Permanent, which the dispatcher honours.
type ProviderPublisher struct {
	Publisher *provider.Publisher
}

var _ CallbackPublisher = ProviderPublisher{}

// PublishResult implements CallbackPublisher.
func (p ProviderPublisher) PublishResult(ctx context.Context, cb Callback, r CallbackResult) error {
	res := ProviderStatusDocument(r)
	if cb.Assessment {
		res.Assessment, res.Interview = res.Interview, nil
	}
	_, err := p.Publisher.Publish(ctx, cb.URL, cb.Token, res)
	return err
}

// ProviderStatusDocument maps a CallbackResult onto Workable's status
// document, provider.StatusDocument.
func ProviderStatusDocument(r CallbackResult) provider.StatusDocument {
	res := provider.StatusDocument{Status: provider.Status(r.Status), ResultsURL: r.ResultsURL}
	if r.Status == CallbackCompleted {
		res.Interview = &provider.InterviewResult{Score: r.Score, Grade: ats.Grade(r.Grade),
			Summary: r.Summary, Details: r.Details, Duration: r.Duration}
	}
	res.Attachments = provider.LinkedAttachments(r.Attachments)
	return res
}
