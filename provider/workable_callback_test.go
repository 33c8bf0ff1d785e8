package provider

import (
	"context"
	"testing"

	"github.com/atskit/atskit/workable/workabletest"
	"github.com/google/go-cmp/cmp"
)

// TestPublishAgainstWorkableCallback publishes to workabletest's callback
// endpoint, which validates statuses and bodies as Workable documents
// them: the default wire values are accepted, a lost response followed by
// a repeated PUT (409) still counts as delivered, and a Publisher set to
// the other reading of the status enum is refused by a fake set to this
// one, and accepted by one set to that one.
func TestPublishAgainstWorkableCallback(t *testing.T) {
	ctx := context.Background()
	pub := func(declined Status) *Publisher {
		return testPublisher(func(o *PublisherOptions) { o.DeclinedStatus = declined })
	}
	t.Run("completed, repeated", func(t *testing.T) {
		srv := workabletest.NewServer(workabletest.WithoutRateLimit())
		defer srv.Close()
		cb := srv.CallbackURL("interviews", "8823119")
		for i := range 2 {
			d, err := pub("").Publish(ctx, cb, workabletest.CallbackToken, completedResult)
			if err != nil {
				t.Fatalf("publish %d: %v", i, err)
			}
			if d.AlreadyUpdated != (i == 1) {
				t.Errorf("publish %d: AlreadyUpdated = %v", i, d.AlreadyUpdated)
			}
		}
		if got := len(srv.Callbacks().Accepted("/interviews/8823119")); got != 1 {
			t.Errorf("%d accepted PUTs, want 1", got)
		}
	})
	for _, tt := range []struct {
		name      string
		fake      []string
		declined  Status
		permanent bool
	}{
		{"default reading", nil, "", false},
		{"other reading on both sides", []string{"pending", "completed", "declined", "expired"}, StatusDeclined, false},
		{"readings disagree", nil, StatusDeclined, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var opts []workabletest.Option
			if tt.fake != nil {
				opts = append(opts, workabletest.WithCallbackStatuses(tt.fake...))
			}
			srv := workabletest.NewServer(append(opts, workabletest.WithoutRateLimit())...)
			defer srv.Close()
			_, err := pub(tt.declined).Publish(ctx, srv.CallbackURL("assessments", "42"), workabletest.CallbackToken, StatusDocument{Status: StatusDeclined})
			if got := err != nil; got != tt.permanent {
				t.Fatalf("Publish error = %v, want error %v", err, tt.permanent)
			}
			if err != nil {
				if pe := err.(*PublishError); !pe.Permanent() {
					t.Errorf("a refused status is permanent: %v", err)
				}
			}
			var codes []int
			for _, p := range srv.Callbacks().Puts() {
				codes = append(codes, p.Code)
			}
			want := []int{200}
			if tt.permanent {
				want = []int{400}
			}
			if d := cmp.Diff(want, codes); d != "" {
				t.Errorf("codes (-want +got):\n%s", d)
			}
		})
	}
}
