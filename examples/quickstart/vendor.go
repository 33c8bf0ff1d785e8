package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

// demoVendor stands for the host's interview product: it implements
// lifecycle.Vendor, which the dispatcher calls to create and cancel
// interviews, and plays the product's side afterwards (inviting,
// scheduling, holding the interview) through methods the scenario calls.
// A real vendor would send e-mails and run video calls here.
type demoVendor struct {
	tl *timeline

	mu        sync.Mutex
	seq       int
	byKey     map[string]string          // idempotency key -> vendor reference
	byRef     map[string]vendorInterview // vendor reference -> interview
	cancelled []vendorInterview
}

// vendorInterview is an interview on the vendor's platform.
type vendorInterview struct {
	Ref         string
	InterviewID string // the lifecycle interview, to report updates with
	Connection  string
	CandidateID string
	Candidate   string
	Round       string
	Template    string
	Cancelled   bool
}

func newDemoVendor(tl *timeline) *demoVendor {
	return &demoVendor{tl: tl, byKey: map[string]string{}, byRef: map[string]vendorInterview{}}
}

// CreateInterview implements lifecycle.Vendor. A repeated idempotency key
// returns the interview created the first time, as the contract requires.
func (v *demoVendor) CreateInterview(_ context.Context, r lifecycle.VendorRequest) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if ref, ok := v.byKey[r.IdempotencyKey]; ok {
		return ref, nil
	}
	v.seq++
	ref := fmt.Sprintf("V-%d", 1000+v.seq)
	v.byKey[r.IdempotencyKey] = ref
	v.byRef[ref] = vendorInterview{Ref: ref, InterviewID: r.InterviewID, Connection: r.Connection, CandidateID: r.Candidate.ID,
		Candidate: r.Candidate.Name, Round: r.RoundName, Template: r.Template}
	v.tl.printf(sideVendor, "created interview %s for %s: %s round %q (template %s), invitation to %s",
		ref, r.Connection, r.Candidate.Name, r.RoundName, r.Template, r.Candidate.Email())
	return ref, nil
}

// CancelInterview implements lifecycle.Vendor; cancelling twice succeeds.
func (v *demoVendor) CancelInterview(_ context.Context, ref string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	iv, ok := v.byRef[ref]
	if !ok {
		return fmt.Errorf("demo vendor: no interview %s", ref)
	}
	if iv.Cancelled {
		return nil
	}
	iv.Cancelled = true
	v.byRef[ref] = iv
	v.cancelled = append(v.cancelled, iv)
	v.tl.printf(sideVendor, "cancelled interview %s of %s (%s)", ref, iv.Candidate, iv.Connection)
	return nil
}

// interviewFor returns the vendor's live interview for a lifecycle interview.
func (v *demoVendor) interviewFor(interviewID string) (vendorInterview, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, iv := range v.byRef {
		if iv.InterviewID == interviewID && !iv.Cancelled {
			return iv, true
		}
	}
	return vendorInterview{}, false
}

// created counts the interviews created for a connection.
func (v *demoVendor) created(conn string) int { return len(v.interviewsOf(conn)) }

// interviewsOf returns the interviews created for a connection.
func (v *demoVendor) interviewsOf(conn string) []vendorInterview {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []vendorInterview
	for _, iv := range v.byRef {
		if iv.Connection == conn {
			out = append(out, iv)
		}
	}
	return out
}

// cancellations returns the interviews cancelled for a connection.
func (v *demoVendor) cancellations(conn string) []vendorInterview {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []vendorInterview
	for _, iv := range v.cancelled {
		if iv.Connection == conn {
			out = append(out, iv)
		}
	}
	return out
}

// The product's side of an interview, as updates the host reports to the
// engine with Engine.Report.

func (iv vendorInterview) invited() lifecycle.Update {
	ref := iv.Ref
	return lifecycle.Update{Kind: lifecycle.UpdateInvited, ID: ref + "/invited", VendorRef: ref,
		Link: "https://vendor.example/schedule/" + ref}
}

func (iv vendorInterview) scheduled(at time.Time) lifecycle.Update {
	return lifecycle.Update{Kind: lifecycle.UpdateScheduled, ID: iv.Ref + "/scheduled", At: at}
}

func (iv vendorInterview) rescheduled(at time.Time) lifecycle.Update {
	return lifecycle.Update{Kind: lifecycle.UpdateRescheduled, ID: iv.Ref + "/rescheduled", At: at,
		Detail: "requested by the candidate"}
}

func (iv vendorInterview) completed(grade ats.Grade, score, summary string) lifecycle.Update {
	ref := iv.Ref
	return lifecycle.Update{Kind: lifecycle.UpdateCompleted, ID: ref + "/completed", Result: &ats.Result{
		Score: score, Grade: grade, Summary: summary, Duration: "45m",
		ReportURL: "https://vendor.example/reports/" + ref,
	}}
}
