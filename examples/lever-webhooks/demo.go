package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
)

// runDemo receives one real, signed delivery from an in-process levertest
// fake: it listens on addr, registers its URL as a candidateStageChange
// webhook through the Lever API (as a vendor would, keeping the signature
// token Lever generates), moves an opportunity as a recruiter would, and
// prints the event the handler verified.
func runDemo(ctx context.Context, addr string, tolerance time.Duration, log *slog.Logger, stdout io.Writer) error {
	lv := levertest.NewServer()
	defer lv.Close()
	stages := lv.AddStages("New applicant", "InterviewVector", "Offer")
	posting := lv.AddPosting(levertest.Posting{Text: "Backend Engineer", Tags: []string{"InterviewVector"}})
	opp := lv.AddOpportunity(levertest.Opportunity{Name: "Ada Lovelace", PostingID: posting.ID, StageID: stages[0].ID})

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String() + WebhookPath

	client, err := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: lv.URL})
	if err != nil {
		ln.Close()
		return err
	}
	hook, err := client.CreateWebhook(ctx, lever.Webhook{URL: url, Event: lever.EventCandidateStageChange})
	if err != nil {
		ln.Close()
		return fmt.Errorf("registering the webhook: %w", err)
	}
	fmt.Fprintf(stdout, "demo: registered %s webhook %s → %s\n", hook.Event, hook.ID, hook.URL)
	// Lever sends nothing for an API-created webhook until a Super Admin
	// switches its group on in the account's webhook settings.
	lv.SetWebhookGroup(lever.EventCandidateStageChange, true)
	fmt.Fprintf(stdout, "demo: a Super Admin switched the %s webhook group on\n", hook.Event)

	var (
		mu       sync.Mutex
		received []ats.Event
	)
	h := NewHandler(Config{
		SignatureToken: hook.Configuration.SignatureToken,
		Tolerance:      tolerance,
		Logger:         log,
		OnEvent: func(_ context.Context, ev ats.Event) error {
			mu.Lock()
			defer mu.Unlock()
			received = append(received, ev)
			return nil
		},
	})
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- serve(serveCtx, ln, h) }()
	defer func() {
		stop()
		<-served
	}()

	fmt.Fprintf(stdout, "demo: moving %s from %q to %q\n", opp.Name, stages[0].Text, stages[1].Text)
	if err := lv.MoveCandidate(opp.ID, stages[1].ID); err != nil {
		return err
	}
	lv.WaitDeliveries(context.Background()) // returns once the delivery has been answered

	ds := lv.Deliveries()
	if len(ds) == 0 {
		return errors.New("demo: levertest sent no delivery")
	}
	if d := ds[len(ds)-1]; d.StatusCode != 200 {
		return fmt.Errorf("demo: delivery answered %d %s", d.StatusCode, d.Err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(received) != 1 {
		return fmt.Errorf("demo: handler recorded %d events, want 1", len(received))
	}
	ev := received[0]
	fmt.Fprintf(stdout, "demo: verified %s event %s: opportunity %s moved from %q to %q\n",
		ev.Type, ev.ID, ev.CandidateID, stageName(stages, ev.FromStage.ID), stageName(stages, ev.ToStage.ID))
	return nil
}

// stageName returns the name of the stage with the given ID, or the ID.
func stageName(stages []levertest.Stage, id string) string {
	for _, s := range stages {
		if s.ID == id {
			return s.Text
		}
	}
	return id
}
