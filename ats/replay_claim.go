package ats

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// DefaultClaimLease is how long a provisional claim on a webhook delivery
// (DeliveryConfirmer.ClaimDelivery) holds when the verifier sets no lease
// of its own: long enough for a handler to store the delivery's events,
// short enough that the ATS's retry of a delivery whose handler died
// (kill -9, OOM, a deploy) is accepted again within a few minutes.
const DefaultClaimLease = 2 * time.Minute

// ErrWebhookInFlight means a delivery is claimed provisionally by a
// handler that has not yet confirmed it (it may still be storing the
// events, on this replica or another). NewWebhookHandler answers it 503
// with Retry-After, so the ATS retries later: by then the claim is either
// confirmed (the retry is acknowledged as a replay) or has lapsed (the
// retry is accepted). Test with errors.Is.
//
// An error wrapping ErrWebhookInFlight also wraps ErrWebhookReplayed (the
// delivery is a second copy, and must not be acted on now), so code
// written before provisional claims keeps refusing it; code that answers
// the ATS checks ErrWebhookInFlight first, as NewWebhookHandler does, and
// asks for a retry instead of acknowledging.
var ErrWebhookInFlight = errors.New("ats: webhook delivery is being processed")

// ErrReplayGuardFailed wraps an error of the replay guard's store (a
// database outage) returned by ClaimDelivery. Nothing was decided about the
// delivery, so it must be answered with a 5xx and retried by the ATS, never
// taken for a bad signature: NewWebhookHandler answers it 503.
var ErrReplayGuardFailed = errors.New("ats: replay guard unavailable")

// errInFlight is what ClaimDelivery returns for an in-flight delivery.
var errInFlight = fmt.Errorf("%w (%w)", ErrWebhookInFlight, ErrWebhookReplayed)

// ClaimState is the outcome of DeliveryConfirmer.ClaimDelivery.
type ClaimState int

const (
	// ClaimAcquired means the caller now holds a provisional claim: it
	// acts on the delivery and then confirms (or forgets) it.
	ClaimAcquired ClaimState = iota
	// ClaimInFlight means another provisional claim on the key is still
	// within its lease.
	ClaimInFlight
	// ClaimConfirmed means the key was confirmed (or remembered with
	// RememberDelivery) and has not expired: the delivery is a replay.
	ClaimConfirmed
)

// String returns the state's name, e.g. "in-flight".
func (s ClaimState) String() string {
	switch s {
	case ClaimAcquired:
		return "acquired"
	case ClaimInFlight:
		return "in-flight"
	case ClaimConfirmed:
		return "confirmed"
	}
	return fmt.Sprintf("ClaimState(%d)", int(s))
}

// DeliveryConfirmer is implemented by a ReplayGuard whose claims can be
// provisional, so that a claim taken by a handler that dies before it
// stored the delivery's events lapses instead of turning the ATS's retry
// into a "replay" (and losing the events). ats.MemoryReplayGuard and the
// stores in lifecycle/memstore and lifecycle/sqlstore implement it.
//
// The protocol: a verifier claims with ClaimDelivery, with a lease end a
// short while ahead (DefaultClaimLease); the handler stores the events,
// then ConfirmDelivery makes the claim last until the delivery's normal
// expiry. On failure it calls ReplayGuard.ForgetDelivery as before. A
// claim neither confirmed nor forgotten lapses at its lease end, after
// which the key can be claimed again: processing must be idempotent
// (lifecycle's inbox de-duplicates by event ID).
//
// RememberDelivery on a DeliveryConfirmer keeps its meaning: it records a
// confirmed key at once.
type DeliveryConfirmer interface {
	// ClaimDelivery claims key for connection provisionally until
	// leaseEnd. It returns ClaimAcquired when the key was free (never
	// seen, forgotten, expired, or a provisional claim past its lease),
	// ClaimInFlight when a provisional claim is still within its lease,
	// and ClaimConfirmed when the key is confirmed and not expired. Of
	// concurrent claims on a free key exactly one is acquired. An error
	// means the guard could not decide (callers fail closed).
	ClaimDelivery(ctx context.Context, connection, key string, leaseEnd time.Time) (ClaimState, error)
	// ConfirmDelivery makes key's claim permanent until expires (a later
	// expiry already recorded is kept). It records the key confirmed even
	// if its claim lapsed or was pruned meanwhile.
	ConfirmDelivery(ctx context.Context, connection, key string, expires time.Time) error
}

// ClaimDelivery claims a webhook delivery in g for a verifier. When g
// implements DeliveryConfirmer the claim is provisional until
// min(leaseEnd, expires) and must be confirmed with ConfirmDelivery once
// the delivery's events are stored; otherwise it is RememberDelivery with
// expires (the claim holds until expires even if the handler dies, as
// before DeliveryConfirmer existed). It returns nil when the caller holds
// the claim, an error wrapping ErrWebhookReplayed for a delivery already
// accepted, one wrapping ErrWebhookInFlight (and ErrWebhookReplayed) for
// a delivery another handler is still processing, or the guard's error.
//
// A ctx already done claims nothing and returns an error wrapping
// ErrReplayGuardFailed and ctx's error. Once begun, the claim is not
// cancelled with ctx (it keeps ctx's values, such as the trace, and is
// bounded by ClaimTimeout instead): a guard whose write reached its store
// but whose answer was cut off by the cancellation would hold a claim the
// handler does not know of, and with a guard that is not a
// DeliveryConfirmer the ATS's retry would be taken for a replay and the
// event lost.
func ClaimDelivery(ctx context.Context, g ReplayGuard, connection, key string, leaseEnd, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrReplayGuardFailed, err)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ClaimTimeout)
	defer cancel()
	c, ok := g.(DeliveryConfirmer)
	if !ok {
		first, err := g.RememberDelivery(ctx, connection, key, expires)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrReplayGuardFailed, err)
		}
		if !first {
			return ErrWebhookReplayed
		}
		return nil
	}
	if expires.Before(leaseEnd) {
		leaseEnd = expires
	}
	state, err := c.ClaimDelivery(ctx, connection, key, leaseEnd)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrReplayGuardFailed, err)
	}
	switch state {
	case ClaimAcquired:
		return nil
	case ClaimInFlight:
		return errInFlight
	default:
		return ErrWebhookReplayed
	}
}

// ClaimTimeout bounds a claim ClaimDelivery has begun: 10 seconds, well
// within the time ATSs give a webhook to be answered.
const ClaimTimeout = 10 * time.Second

// ConfirmDelivery confirms a claim taken with ClaimDelivery, so it holds
// until expires. It does nothing when g does not implement
// DeliveryConfirmer (RememberDelivery's claims need no confirmation).
func ConfirmDelivery(ctx context.Context, g ReplayGuard, connection, key string, expires time.Time) error {
	if c, ok := g.(DeliveryConfirmer); ok {
		return c.ConfirmDelivery(ctx, connection, key, expires)
	}
	return nil
}

// LeaseEnd returns now + lease, with DefaultClaimLease for a lease of zero
// or less: the lease end a verifier passes to ClaimDelivery.
func LeaseEnd(now time.Time, lease time.Duration) time.Time {
	if lease <= 0 {
		lease = DefaultClaimLease
	}
	return now.Add(lease)
}

// WebhookConfirmer is implemented by a verifier whose ReplayGuard claims
// are provisional (see DeliveryConfirmer). After the callback succeeded
// (the events are stored) and before answering 200, NewWebhookHandler
// calls ConfirmWebhook with the same body and header, so the verifier
// confirms the delivery's claim. An error is logged and the delivery is
// still answered 200: the events are stored, and a retry after the lease
// lapsed is de-duplicated downstream.
type WebhookConfirmer interface {
	ConfirmWebhook(ctx context.Context, body []byte, header http.Header) error
}
