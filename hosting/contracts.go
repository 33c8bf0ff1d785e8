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

// ContractVendor is the vendor's side of Greenhouse's Assessment Partner
// API and Ashby's Assessments Partner API per connection. The connection
// is the provider.Account the key the ATS presents resolved to
// (Options.GreenhouseKeys, Options.AshbyKeys).
type ContractVendor interface {
	// Offerings lists the tests (Greenhouse) or assessment types (Ashby)
	// the connection's users can pick; kind is lifecycle.CallbackGreenhouse
	// or lifecycle.CallbackAshby.
	Offerings(ctx context.Context, connection string, kind lifecycle.CallbackKind) ([]provider.Offering, error)
	// ContractKey returns the credential the connection's status changes
	// are published with: for Greenhouse the key the vendor issued the
	// customer (the PATCH carries it), for Ashby the customer's Ashby API
	// key (assessment.update needs candidatesWrite). It is stored with the
	// interview, sealed when lifecycle.Options.CallbackTokenSealer is set.
	ContractKey(ctx context.Context, connection string, kind lifecycle.CallbackKind) (string, error)
}

// contractBackend is the provider.Backend behind Greenhouse's and Ashby's
// contracts for every connection: an order becomes an interview of the
// connection through Engine.ProviderInterview, whose ID is the contract's
// id, so nothing is kept in memory. Its Callback carries the kind, and
// lifecycle.ContractPublisher publishes status changes with it.
type contractBackend struct {
	h      *Handler
	kind   lifecycle.CallbackKind
	source string
}

var _ provider.Backend = contractBackend{}
var _ provider.Canceler = contractBackend{}

// Catalogue implements provider.Backend.
func (b contractBackend) Catalogue(ctx context.Context, account provider.Account) ([]provider.Offering, error) {
	return b.h.opts.ContractVendor.Offerings(ctx, string(account), b.kind)
}

// Order implements provider.Backend.
func (b contractBackend) Order(ctx context.Context, account provider.Account, o provider.Order) (string, error) {
	conn := string(account)
	offerings, err := b.h.opts.ContractVendor.Offerings(ctx, conn, b.kind)
	if err != nil {
		return "", err
	}
	var round string
	for _, of := range offerings {
		if of.ID == o.OfferingID {
			round = of.Name
		}
	}
	if round == "" {
		return "", provider.ErrNotFound
	}
	key, err := b.h.opts.ContractVendor.ContractKey(ctx, conn, b.kind)
	if err != nil {
		return "", err
	}
	cb := lifecycle.Callback{Kind: b.kind, URL: o.CallbackURL, Token: key, Ref: o.ApplicationRef}
	if b.kind == lifecycle.CallbackAshby {
		cb.URL = lifecycle.AshbyCallbackURL(o.ApplicationRef, o.OfferingID)
	}
	c := o.Candidate
	cand := ats.Candidate{Name: strings.TrimSpace(c.FirstName + " " + c.LastName), FirstName: c.FirstName, LastName: c.LastName, JobID: o.JobRef}
	if c.Email != "" {
		cand.Emails = []string{c.Email}
	}
	if c.Phone != "" {
		cand.Phones = []string{c.Phone}
	}
	// Detached: the interview reports through the contract (and, for
	// Greenhouse, attaches its report through Harvest when the connection
	// has credentials), never through the connection's adapter, so a
	// customer who only uses the partner contract needs no ATS API key.
	iv, err := b.h.opts.Engine.ProviderInterview(ctx, lifecycle.ProviderRequest{
		Connection: conn, Source: b.source, JobID: o.JobRef, RoundName: round, Template: o.OfferingID,
		Candidate: cand, Callback: cb,
	})
	switch {
	case errors.Is(err, lifecycle.ErrConnectionDisabled), errors.Is(err, lifecycle.ErrConnectionRemoved):
		return "", &provider.Error{Status: http.StatusForbidden, Message: "The integration is switched off for this account"}
	case err != nil:
		return "", err
	}
	return iv.ID, nil
}

// interview returns the connection's interview of this contract; another
// connection's, or another contract's, is not found.
func (b contractBackend) interview(ctx context.Context, account provider.Account, id string) (lifecycle.Interview, error) {
	iv, err := b.h.opts.Engine.Interview(ctx, id)
	if errors.Is(err, lifecycle.ErrNotFound) || (err == nil && (iv.Connection != string(account) || iv.Callback == nil || iv.Callback.Kind != b.kind)) {
		return lifecycle.Interview{}, provider.ErrNotFound
	}
	return iv, err
}

// Status implements provider.Backend.
func (b contractBackend) Status(ctx context.Context, account provider.Account, id string) (provider.StatusDocument, error) {
	iv, err := b.interview(ctx, account, id)
	if err != nil {
		return provider.StatusDocument{}, err
	}
	return ProviderStatusDocument(iv), nil
}

// Cancel implements provider.Canceler (Ashby's assessment.cancel).
func (b contractBackend) Cancel(ctx context.Context, account provider.Account, id string) error {
	if _, err := b.interview(ctx, account, id); err != nil {
		return err
	}
	_, err := b.h.opts.Engine.Cancel(ctx, id, "cancelled in "+b.source)
	return err
}
