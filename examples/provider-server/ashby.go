package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/atskit/atskit/provider"
)

// ashbyDemo is an in-memory Ashby assessment backend: one assessment type
// per template, one live assessment per application and type (a repeat
// start is a 409; after a cancel, a start makes a new one), and a first
// "Started" update with the candidate's link.
type ashbyDemo struct {
	types []provider.AshbyAssessmentType

	mu     sync.Mutex
	byKey  map[string]string           // account/application/type → live assessment ID
	owner  map[string]provider.Account // assessment ID → the account that started it
	active map[string]bool
}

func newAshbyDemo(templates []string) *ashbyDemo {
	d := &ashbyDemo{byKey: map[string]string{}, owner: map[string]provider.Account{}, active: map[string]bool{}}
	for _, name := range templates {
		id := strings.ToLower(strings.ReplaceAll(name, " ", "-"))
		d.types = append(d.types, provider.AshbyAssessmentType{ID: id, Name: name, Description: name + " (demo)"})
	}
	return d
}

// AshbyAssessmentTypes implements provider.AshbyBackend.
func (d *ashbyDemo) AshbyAssessmentTypes(context.Context, provider.Account) ([]provider.AshbyAssessmentType, error) {
	return d.types, nil
}

// StartAshbyAssessment implements provider.AshbyBackend.
func (d *ashbyDemo) StartAshbyAssessment(_ context.Context, acct provider.Account, r provider.AshbyStartRequest) (provider.AshbyStartResult, error) {
	known := false
	for _, t := range d.types {
		known = known || t.ID == r.AssessmentTypeID
	}
	if !known {
		return provider.AshbyStartResult{}, &provider.AshbyUserError{Message: "Unknown assessment type " + r.AssessmentTypeID}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	key := string(acct) + "/" + r.Application.AshbyID + "/" + r.AssessmentTypeID
	if id, ok := d.byKey[key]; ok && d.active[id] {
		return provider.AshbyStartResult{}, provider.ErrConflict
	}
	b := make([]byte, 8)
	rand.Read(b)
	id := "as_" + hex.EncodeToString(b)
	d.byKey[key], d.owner[id], d.active[id] = id, acct, true
	return provider.AshbyStartResult{AssessmentID: id, FirstUpdate: &provider.AshbyUpdate{
		Status:   &provider.AshbyDataValue{Identifier: "status", Label: "Status", Type: provider.AshbyString, Value: provider.AshbyStatusStarted},
		Metadata: []provider.AshbyDataValue{{Identifier: "invite", Label: "Candidate link", Type: provider.AshbyURL, Value: "https://vendor.example/take/" + id}},
	}}, nil
}

// CancelAshbyAssessment implements provider.AshbyCanceler. Another
// account's assessment is unknown to the caller (ErrNotFound), so one
// customer's key cannot cancel another customer's assessment.
func (d *ashbyDemo) CancelAshbyAssessment(_ context.Context, acct provider.Account, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.active[id] || d.owner[id] != acct {
		return provider.ErrNotFound
	}
	d.active[id] = false
	return nil
}

// mountAshby serves Ashby's Assessments Partner API under /ashby/: give
// Ashby <base>/ashby as the base URL and the -token value as the secret
// key.
func mountAshby(mux *http.ServeMux, templates []string, tokens provider.TokenResolver, logger *slog.Logger) {
	h, err := provider.NewAshbyHandler(newAshbyDemo(templates), provider.AshbyHandlerOptions{Tokens: tokens, Logger: logger})
	if err != nil {
		panic(err) // unreachable: the backend and tokens are set
	}
	mux.Handle("/ashby/", http.StripPrefix("/ashby", h))
}
