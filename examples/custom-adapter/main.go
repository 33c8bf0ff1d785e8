// Command custom-adapter shows how to use an adapter for an ATS that
// atskit does not ship, written against the ats interfaces. The adapter
// lives in package memats next to this file (an imaginary in-memory ATS);
// this program seeds it with a job and candidates and then uses it only
// through ats: it lists jobs page by page (iter.Seq2), reads the pipeline,
// moves a candidate, adds a note, inspects typed errors, verifies a signed
// webhook, and discovers the optional ats.Tagger capability by type
// assertion. It prints what it did.
//
// Usage:
//
//	custom-adapter [-page-size 1]
//
// See README.md for the steps to write an adapter and run ats/atstest
// against it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/examples/custom-adapter/memats"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "custom-adapter:", err)
		os.Exit(1)
	}
}

// Credentials of the demo service. A real adapter gets them from its
// configuration, never from code.
const (
	apiToken      = "memats-demo-token"
	webhookSecret = "memats-demo-webhook-secret"
)

// vendorStage is the pipeline stage that hands a candidate to the vendor.
const vendorStage = "InterviewVector"

// run seeds a memats service, uses it through the ats interfaces and
// prints each step to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("custom-adapter", flag.ContinueOnError)
	fs.SetOutput(stdout)
	pageSize := fs.Int("page-size", 1, "jobs fetched per request, to show lazy paging")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	// Seed the "remote" ATS, as a recruiter would have set it up.
	svc := memats.NewService(apiToken)
	jobID, _ := svc.AddJob("Backend Engineer", "Applied", vendorStage, "Offer")
	svc.AddJob("Office Manager", "Applied", "Interview")
	svc.AddJob("Data Analyst", "Applied", vendorStage)
	var candID string
	for _, c := range []ats.Candidate{
		{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}},
		{Name: "Grace Hopper", Emails: []string{"grace@example.com"}},
	} {
		id, err := svc.AddCandidate(jobID, "applied", c)
		if err != nil {
			return err
		}
		if candID == "" {
			candID = id
		}
	}

	// From here on only the ats interfaces are used: this code would work
	// unchanged with the workable or lever clients.
	var a ats.Adapter = memats.NewAdapter(svc, apiToken)
	from, to, err := useAdapter(ctx, a, jobID, candID, *pageSize, stdout)
	if err != nil {
		return err
	}

	// The ATS announces the move with a signed webhook.
	d := memats.Delivery{ID: "evt-1", Event: "stage_changed", CandidateID: candID, JobID: jobID, FromStage: from, ToStage: to}
	return verifyWebhook(memats.Verifier{Secrets: []string{webhookSecret}}, d, stdout)
}

// useAdapter lists jobs, moves candID to the vendor's stage of jobID,
// notes it, shows typed errors and optional capabilities. It returns the
// IDs of the stages the candidate moved from and to.
func useAdapter(ctx context.Context, a ats.Adapter, jobID, candID string, pageSize int, stdout io.Writer) (from, to string, err error) {
	// Lists are iter.Seq2: pages are fetched lazily, an error comes last.
	fmt.Fprintf(stdout, "jobs (page size %d):\n", pageSize)
	for j, err := range a.Jobs(ctx, ats.ListJobsOptions{PageSize: pageSize}) {
		if err != nil {
			return "", "", fmt.Errorf("listing jobs: %w", err)
		}
		fmt.Fprintf(stdout, "  %s  %-16s %s\n", j.ID, j.Title, j.State)
	}

	stages, err := a.Stages(ctx, jobID)
	if err != nil {
		return "", "", err
	}
	target, ok := ats.FindStage(stages, ats.StageRef{Name: vendorStage})
	if !ok {
		return "", "", fmt.Errorf("job %s has no %q stage", jobID, vendorStage)
	}

	before, err := a.Candidate(ctx, candID)
	if err != nil {
		return "", "", err
	}
	if err := a.MoveCandidate(ctx, candID, target.ID); err != nil {
		return "", "", err
	}
	c, err := a.Candidate(ctx, candID)
	if err != nil {
		return "", "", err
	}
	fmt.Fprintf(stdout, "moved %s (%s) to stage %q\n", c.Name, c.ID, c.Stage.Name)

	note := ats.Note{Body: "Interview link sent: https://vendor.example/i/42"}
	if err := a.AddNote(ctx, candID, note); err != nil {
		return "", "", err
	}
	fmt.Fprintf(stdout, "noted on %s: %s\n", c.Name, note.Body)

	// Adapters return ats typed errors; callers never compare statuses.
	_, err = a.Candidate(ctx, "cand9999")
	fmt.Fprintf(stdout, "reading an unknown candidate: errors.Is(err, ats.ErrNotFound) = %v\n", errors.Is(err, ats.ErrNotFound))
	err = a.MoveCandidate(ctx, candID, "no-such-stage")
	var ve *ats.ValidationError
	fmt.Fprintf(stdout, "moving to an unknown stage: errors.As(err, *ats.ValidationError) = %v (%v)\n", errors.As(err, &ve), err)

	// Optional capabilities are discovered by type assertion.
	if t, ok := a.(ats.Tagger); ok {
		if err := t.AddTags(ctx, candID, vendorStage); err != nil {
			return "", "", err
		}
		c, err := a.Candidate(ctx, candID)
		if err != nil {
			return "", "", err
		}
		fmt.Fprintf(stdout, "adapter is an ats.Tagger: %s now tagged %q\n", c.Name, c.Tags)
	}
	if _, ok := a.(ats.Disqualifier); !ok {
		fmt.Fprintln(stdout, "adapter is not an ats.Disqualifier: skipping disqualification")
	}
	return before.Stage.ID, target.ID, nil
}

// verifyWebhook signs delivery d as the ATS would, verifies it through
// ats.WebhookVerifier, and shows that a forged copy is refused.
func verifyWebhook(v ats.WebhookVerifier, d memats.Delivery, stdout io.Writer) error {
	body, err := json.Marshal(d)
	if err != nil {
		return err
	}
	header := memats.Sign(body, webhookSecret, time.Now())

	events, err := v.VerifyWebhook(body, header)
	if err != nil {
		return fmt.Errorf("verifying a genuine delivery: %w", err)
	}
	for _, ev := range events {
		fmt.Fprintf(stdout, "verified webhook %s: %s, candidate %s, %s → %s\n", ev.ID, ev.Kind, ev.CandidateID, ev.FromStage.ID, ev.ToStage.ID)
	}

	// The same signature over a body naming another candidate.
	forged := bytes.Replace(body, []byte(d.CandidateID), []byte("cand9999"), 1)
	_, err = v.VerifyWebhook(forged, header)
	if !errors.Is(err, ats.ErrSignatureInvalid) {
		return fmt.Errorf("a forged delivery was not refused as invalid: %v", err)
	}
	fmt.Fprintf(stdout, "forged webhook refused: %v\n", err)
	return nil
}
