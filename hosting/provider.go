package hosting

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/provider"
)

// ProviderVendor is the vendor's side of Workable's provider contract per
// connection. The connection is the provider.Account the request's bearer
// token resolved to (Options.ProviderTokens): the host issues each customer
// its own token and resolves it to that customer's connection ID.
type ProviderVendor interface {
	// InterviewTemplates lists the interviews the connection's users can
	// pick in Workable.
	InterviewTemplates(ctx context.Context, connection string) ([]provider.InterviewTemplate, error)
	// CallbackToken returns the token Workable issued to the connection
	// for its callbacks; results are PUT with it.
	CallbackToken(ctx context.Context, connection string) (string, error)
}

// providerBackend bridges provider.Handler to Engine.ProviderInterview. The
// provider interview ID is the lifecycle interview's ID, so nothing is kept
// in memory and a restart loses nothing.
type providerBackend struct{ h *Handler }

var _ provider.InterviewBackend = providerBackend{}

// InterviewTemplates implements provider.InterviewBackend.
func (b providerBackend) InterviewTemplates(ctx context.Context, account provider.Account) ([]provider.InterviewTemplate, error) {
	return b.h.opts.ProviderVendor.InterviewTemplates(ctx, string(account))
}

// CreateInterview implements provider.InterviewBackend.
func (b providerBackend) CreateInterview(ctx context.Context, account provider.Account, req provider.CreateInterviewRequest) (string, error) {
	conn := string(account)
	templates, err := b.h.opts.ProviderVendor.InterviewTemplates(ctx, conn)
	if err != nil {
		return "", err
	}
	var round string
	for _, t := range templates {
		if t.ID == req.InterviewTemplateID {
			round = t.Name
		}
	}
	if round == "" {
		return "", &provider.Error{Status: http.StatusUnprocessableEntity, Message: "Unknown interview_template_id"}
	}
	token, err := b.h.opts.ProviderVendor.CallbackToken(ctx, conn)
	if err != nil {
		return "", err
	}
	c := req.Candidate
	// Workable may send identifiers as numbers, null names, no e-mail and
	// the job as job_id or job_shortcode: the handler accepts all of it,
	// and a candidate without the data a round requires goes to
	// needs-info (the engine asks for it) instead of being refused.
	job := req.Job()
	cand := ats.Candidate{Name: strings.TrimSpace(c.FirstName + " " + c.LastName), FirstName: c.FirstName,
		LastName: c.LastName, JobID: job}
	if c.Email != "" {
		cand.Emails = []string{c.Email}
	}
	if c.Phone != "" {
		cand.Phones = []string{c.Phone}
	}
	// The contract carries no ATS candidate ID. Matching the candidate by
	// e-mail among the job's candidates in this connection's account lets
	// the engine write notes on their timeline; otherwise the interview
	// is detached and reports through the callback only.
	cand.ID = b.findCandidate(ctx, conn, job, c.Email)
	iv, err := b.h.opts.Engine.ProviderInterview(ctx, lifecycle.ProviderRequest{
		Connection: conn, Source: b.h.opts.ProviderSource, CandidateID: cand.ID, JobID: job,
		RoundName: round, Template: req.InterviewTemplateID, Candidate: cand,
		Callback: lifecycle.Callback{URL: req.CallbackURL, Token: token},
	})
	switch {
	case errors.Is(err, lifecycle.ErrConnectionDisabled), errors.Is(err, lifecycle.ErrConnectionRemoved):
		return "", &provider.Error{Status: http.StatusForbidden, Message: "The integration is switched off for this account"}
	case err != nil:
		return "", err
	}
	return iv.ID, nil
}

func (b providerBackend) findCandidate(ctx context.Context, conn, jobID, email string) string {
	if b.h.opts.Connector == nil || jobID == "" || email == "" {
		return ""
	}
	a, err := b.h.opts.Connector.Adapter(ctx, conn)
	if err != nil {
		return ""
	}
	lister, ok := a.(ats.CandidateLister)
	if !ok {
		return ""
	}
	for c, err := range lister.Candidates(ctx, ats.CandidateFilter{JobID: jobID}) {
		if err != nil {
			b.h.log.WarnContext(ctx, "hosting: look up provider candidate", "connection", logID(conn), "err", err)
			return ""
		}
		if strings.EqualFold(c.Email(), email) {
			return c.ID
		}
	}
	return ""
}

// Interview implements provider.InterviewBackend: Workable polls it for the
// document the callback receives. An interview of another connection is
// not found.
func (b providerBackend) Interview(ctx context.Context, account provider.Account, id string) (provider.StatusDocument, error) {
	iv, err := b.h.opts.Engine.Interview(ctx, id)
	if errors.Is(err, lifecycle.ErrNotFound) || (err == nil && (iv.Connection != string(account) || iv.Callback == nil)) {
		return provider.StatusDocument{}, provider.ErrNotFound
	}
	if err != nil {
		return provider.StatusDocument{}, err
	}
	return ProviderStatusDocument(iv), nil
}

// ProviderStatusDocument maps an interview onto Workable's status document.
func ProviderStatusDocument(iv lifecycle.Interview) provider.StatusDocument {
	switch iv.State {
	case lifecycle.StateCompleted, lifecycle.StateReported:
		var r ats.Result
		if iv.Result != nil {
			r = *iv.Result
		}
		return provider.StatusDocumentFrom(provider.StatusCompleted, r)
	case lifecycle.StateExpired:
		return provider.StatusDocument{Status: provider.StatusExpired}
	case lifecycle.StateCancelled, lifecycle.StateDeclined, lifecycle.StateUnableToSchedule:
		return provider.StatusDocument{Status: provider.StatusDeclined}
	}
	return provider.StatusDocument{Status: provider.StatusPending}
}
