package ats_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
)

func TestAPIErrorIs(t *testing.T) {
	sentinels := []error{ats.ErrNotFound, ats.ErrUnauthorized, ats.ErrForbidden, ats.ErrRateLimited, ats.ErrValidation, ats.ErrConflict}
	tests := []struct {
		status    int
		want      error // nil: matches no sentinel
		permanent bool
	}{
		{404, ats.ErrNotFound, true},
		{410, ats.ErrNotFound, true},
		{401, ats.ErrUnauthorized, true},
		{403, ats.ErrForbidden, true},
		{429, ats.ErrRateLimited, false},
		{400, ats.ErrValidation, true},
		{422, ats.ErrValidation, true},
		{409, ats.ErrConflict, true},
		{408, nil, false},
		{500, nil, false},
		{503, nil, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			err := fmt.Errorf("wrapped: %w", &ats.APIError{ATS: "x", StatusCode: tt.status})
			for _, s := range sentinels {
				if got, want := errors.Is(err, s), s == tt.want; got != want {
					t.Errorf("errors.Is(%d, %v) = %v, want %v", tt.status, s, got, want)
				}
			}
			if got := ats.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%d) = %v, want %v", tt.status, got, tt.permanent)
			}
		})
	}
}

func TestRateLimitError(t *testing.T) {
	err := fmt.Errorf("sync: %w", &ats.RateLimitError{Err: &ats.APIError{ATS: "workable", Op: "list jobs", StatusCode: 429, Message: "slow down"}, RetryAfter: 3 * time.Second})
	if !errors.Is(err, ats.ErrRateLimited) {
		t.Error("RateLimitError does not match ErrRateLimited")
	}
	var ae *ats.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 429 {
		t.Errorf("errors.As(*APIError) = %v", ae)
	}
	if d, ok := ats.RetryAfter(err); !ok || d != 3*time.Second {
		t.Errorf("RetryAfter = %v, %v; want 3s, true", d, ok)
	}
	if _, ok := ats.RetryAfter(errors.New("other")); ok {
		t.Error("RetryAfter(non-rate-limit) reported ok")
	}
	want := "workable: list jobs: 429 Too Many Requests: slow down (retry after 3s)"
	if got := errors.Unwrap(err).Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestValidationError(t *testing.T) {
	local := &ats.ValidationError{Op: "add note", Fields: []ats.FieldError{{Field: "body", Message: "must not be empty"}}}
	if !errors.Is(local, ats.ErrValidation) || !ats.IsPermanent(local) {
		t.Error("a local ValidationError must match ErrValidation and be permanent")
	}
	if got, want := local.Error(), "ats: add note: invalid request: body: must not be empty"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	remote := &ats.ValidationError{Err: &ats.APIError{ATS: "workable", Op: "move candidate 3fc9a80f", StatusCode: 422, Message: "target_stage is not a stage of job GROOV005"}}
	if got, want := remote.Error(), "workable: move candidate 3fc9a80f: 422 Unprocessable Entity: target_stage is not a stage of job GROOV005"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var ae *ats.APIError
	if !errors.As(remote, &ae) || ae.StatusCode != 422 {
		t.Error("errors.As(*APIError) failed through ValidationError")
	}
}

func TestAPIErrorString(t *testing.T) {
	e := &ats.APIError{ATS: "lever", Op: "get opportunity 1", StatusCode: 404, Code: "ResourceNotFound", Message: "no such opportunity"}
	if got, want := e.Error(), "lever: get opportunity 1: 404 Not Found (ResourceNotFound): no such opportunity"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if strings.Contains(e.Error(), "Bearer") {
		t.Error("error contains a credential")
	}
}

func TestFindStage(t *testing.T) {
	stages := []ats.Stage{{ID: "applied", Name: "Applied"}, {ID: "interview", Name: "InterviewVector"}}
	tests := []struct {
		ref    ats.StageRef
		wantID string
		ok     bool
	}{
		{ats.StageRef{ID: "interview"}, "interview", true},
		{ats.StageRef{Name: "interviewvector "}, "interview", true},
		{ats.StageRef{ID: "nope", Name: "Applied"}, "applied", true},
		{ats.StageRef{Name: "Offer"}, "", false},
		{ats.StageRef{}, "", false},
	}
	for _, tt := range tests {
		got, ok := ats.FindStage(stages, tt.ref)
		if ok != tt.ok || got.ID != tt.wantID {
			t.Errorf("FindStage(%+v) = %q, %v; want %q, %v", tt.ref, got.ID, ok, tt.wantID, tt.ok)
		}
		if ok && !tt.ref.Matches(got) {
			t.Errorf("%+v.Matches(%+v) = false", tt.ref, got)
		}
	}
}

func TestCandidateHelpers(t *testing.T) {
	c := ats.Candidate{Emails: []string{"a@example.com", "b@example.com"}, Tags: []string{"InterviewVector"}}
	if c.Email() != "a@example.com" || c.Phone() != "" {
		t.Errorf("Email/Phone = %q/%q", c.Email(), c.Phone())
	}
	if !c.HasTag("interviewvector") || c.HasTag("other") {
		t.Error("HasTag is wrong")
	}
	for in, want := range map[string][2]string{
		"Lakita Marrero":   {"Lakita", "Marrero"},
		"Mary Ann  Evans ": {"Mary Ann", "Evans"},
		"Cher":             {"Cher", ""},
		"":                 {"", ""},
	} {
		f, l := ats.SplitName(in)
		if f != want[0] || l != want[1] {
			t.Errorf("SplitName(%q) = %q, %q; want %q, %q", in, f, l, want[0], want[1])
		}
	}
}
