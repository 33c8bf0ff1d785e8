package lifecycle_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/atskit/atskit/lifecycle"
)

// TestUnknownIDErrors: calls naming an interview or connection that does
// not exist say which one and what to do, and match the sentinel.
func TestUnknownIDErrors(t *testing.T) {
	tn := newTenants(t)
	for _, tc := range []struct {
		name     string
		call     func() error
		sentinel error
		want     []string
	}{
		{"Report", func() error {
			_, err := tn.engine.Report(ctx, "iv_nope", lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://x"})
			return err
		}, lifecycle.ErrNotFound, []string{`"iv_nope"`, "Engine.Interviews"}},
		{"Retrigger", func() error {
			_, err := tn.engine.Retrigger(ctx, "acme", "iv_nope")
			return err
		}, lifecycle.ErrNotFound, []string{`"iv_nope"`, "Engine.Interviews"}},
		{"Reconcile", func() error {
			_, err := tn.engine.Reconcile(ctx, "nope")
			return err
		}, lifecycle.ErrUnknownConnection, []string{`"nope"`, "MemoryConnector.Set"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("error %v does not match %v", err, tc.sentinel)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	// A known connection reconciles without error.
	if _, err := tn.engine.Reconcile(ctx, "acme"); err != nil {
		t.Fatalf("Reconcile(acme) = %v", err)
	}
}
