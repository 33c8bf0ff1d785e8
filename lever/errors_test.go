package lever_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/atskit/atskit/ats"
)

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		status int
		target error
	}{
		{http.StatusBadRequest, ats.ErrValidation},
		{http.StatusUnauthorized, ats.ErrUnauthorized},
		{http.StatusForbidden, ats.ErrForbidden},
		{http.StatusNotFound, ats.ErrNotFound},
		{http.StatusTooManyRequests, ats.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			f := newFixture(t, nil)
			restore := f.srv.FailRequests(tt.status)
			defer restore()
			_, err := f.c.GetPosting(context.Background(), f.tagged.ID)
			wantErr(t, err, tt.target, "injected failure")
			var ae *ats.APIError
			if !errors.As(err, &ae) || ae.Code == "" || ae.RequestID == "" || ae.ATS != "lever" {
				t.Errorf("APIError = %+v, want code, request ID and ATS", ae)
			}
		})
	}
}

func TestServerErrorIsTemporary(t *testing.T) {
	f := newFixture(t, nil)
	defer f.srv.FailRequests(http.StatusServiceUnavailable)()
	_, err := f.c.GetPosting(context.Background(), f.tagged.ID)
	var ae *ats.APIError
	if !errors.As(err, &ae) || !ae.Temporary() || ats.IsPermanent(err) {
		t.Fatalf("err = %v, want a temporary APIError", err)
	}
}
