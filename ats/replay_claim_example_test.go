package ats_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atskit/atskit/ats"
)

// A verifier claims a delivery provisionally; a second copy is in flight
// until the handler, having stored the events, confirms the claim; after
// that a copy is a replay.
func ExampleClaimDelivery() {
	ctx := context.Background()
	guard := &ats.MemoryReplayGuard{}
	now := time.Now()
	expires := now.Add(time.Hour) // end of the verifier's acceptance window

	err := ats.ClaimDelivery(ctx, guard, "acme", "delivery-1", ats.LeaseEnd(now, 0), expires)
	fmt.Println("first copy:", err)

	err = ats.ClaimDelivery(ctx, guard, "acme", "delivery-1", ats.LeaseEnd(now, 0), expires)
	fmt.Println("copy while processing is in flight:", errors.Is(err, ats.ErrWebhookInFlight))

	// ... the events are stored ...
	if err := ats.ConfirmDelivery(ctx, guard, "acme", "delivery-1", expires); err != nil {
		fmt.Println(err)
	}
	err = ats.ClaimDelivery(ctx, guard, "acme", "delivery-1", ats.LeaseEnd(now, 0), expires)
	fmt.Println("copy after confirmation: in flight", errors.Is(err, ats.ErrWebhookInFlight), "replayed", errors.Is(err, ats.ErrWebhookReplayed))
	// Output:
	// first copy: <nil>
	// copy while processing is in flight: true
	// copy after confirmation: in flight false replayed true
}
