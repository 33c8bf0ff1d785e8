package provider

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// GreenhouseFromAssessments serves Greenhouse's Assessment Partner API
// from the AssessmentBackend that serves Workable's assessment contract,
// so a vendor implements its catalogue, invitations and results once:
//
//   - list_tests lists b.Tests;
//   - send_test calls b.CreateAssessment with the test, the candidate and
//     Greenhouse's url as CallbackURL (JobTitle is "": Greenhouse sends
//     none);
//   - test_status maps b.Assessment's Result: completed → "complete" with
//     results_url as partner_profile_url, a numeric score as
//     partner_score, and grade, summary, duration and the first level of
//     details as flat metadata; other statuses are shown as they are.
func GreenhouseFromAssessments(b AssessmentBackend) GreenhouseBackend { return assessmentBridge{b} }

type assessmentBridge struct{ b AssessmentBackend }

// GreenhouseTests implements GreenhouseBackend.
func (a assessmentBridge) GreenhouseTests(ctx context.Context, account Account) ([]GreenhouseTest, error) {
	tests, err := a.b.Tests(ctx, account)
	if err != nil {
		return nil, err
	}
	out := make([]GreenhouseTest, 0, len(tests))
	for _, t := range tests {
		out = append(out, GreenhouseTest{ID: t.ID.String(), Name: t.Name})
	}
	return out, nil
}

// SendGreenhouseTest implements GreenhouseBackend; an unknown test is
// ErrNotFound.
func (a assessmentBridge) SendGreenhouseTest(ctx context.Context, account Account, req GreenhouseSendTestRequest) (string, error) {
	known := false
	tests, err := a.b.Tests(ctx, account)
	if err != nil {
		return "", err
	}
	var testID ID
	for _, t := range tests {
		if t.ID.String() == req.PartnerTestID {
			known, testID = true, t.ID
		}
	}
	if !known {
		return "", fmt.Errorf("greenhouse test %q: %w", req.PartnerTestID, ErrNotFound)
	}
	return a.b.CreateAssessment(ctx, account, CreateAssessmentRequest{
		TestID: testID, CallbackURL: req.URL,
		Candidate: Candidate{FirstName: req.Candidate.FirstName, LastName: req.Candidate.LastName, Email: req.Candidate.Email, Phone: req.Candidate.PhoneNumber},
	})
}

// GreenhouseTestStatus implements GreenhouseBackend.
func (a assessmentBridge) GreenhouseTestStatus(ctx context.Context, account Account, id string) (GreenhouseTestStatus, error) {
	r, err := a.b.Assessment(ctx, account, id)
	if err != nil {
		return GreenhouseTestStatus{}, err
	}
	return GreenhouseStatusFromResult(r), nil
}

// GreenhouseStatusFromResult maps a Workable-contract StatusDocument onto a
// Greenhouse test_status answer (see GreenhouseFromAssessments).
func GreenhouseStatusFromResult(r StatusDocument) GreenhouseTestStatus {
	st := GreenhouseTestStatus{Status: string(r.Status.Normalize()), ProfileURL: r.ResultsURL}
	if r.Status.Normalize() == StatusCompleted {
		st.Status = GreenhouseStatusComplete
	}
	if iv := r.Interview; iv != nil {
		md := map[string]any{}
		if f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(iv.Score), "%"), 64); err == nil {
			st.Score = &f
		} else if iv.Score != "" {
			md["score"] = iv.Score
		}
		if iv.Grade != "" {
			md["grade"] = string(iv.Grade)
		}
		if iv.Summary != "" {
			md["summary"] = iv.Summary
		}
		if iv.Duration != "" {
			md["duration"] = iv.Duration
		}
		keys := make([]string, 0, len(iv.Details))
		for k := range iv.Details {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if isJSPrimitive(iv.Details[k]) {
				md[k] = iv.Details[k]
			} else if m, ok := iv.Details[k].(map[string]any); ok {
				// Greenhouse metadata is flat: one nested level becomes
				// "parent.child" keys.
				for ck, cv := range m {
					if isJSPrimitive(cv) {
						md[k+"."+ck] = cv
					}
				}
			}
		}
		if len(md) > 0 {
			st.Metadata = md
		}
	}
	return st
}
