package lever

import (
	"context"
	"math"
	"time"

	"golang.org/x/time/rate"

	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/pacing"
)

// sharePacing moves the client's budget (a token bucket of limit requests
// per second with the given burst) to Options.Pacer when one is set. A
// shared pacer counts requests per window, so the bucket is expressed as
// burst requests per burst/limit seconds: in any interval t that books at
// most burst·(1 + t·limit/burst) = burst + limit·t requests, which is what
// Lever's bucket admits. (limit requests per second would let a whole
// second's worth start at once and overrun a small bucket.)
func sharePacing(hc *httpx.Client, o Options, limit rate.Limit, burst int) {
	if o.Pacer == nil || limit <= 0 || limit == rate.Inf {
		return
	}
	account := o.PacerAccount
	if account == "" {
		// Documented as required; a fixed name keeps clients that
		// forgot it on one (over-cautious) budget.
		account = "lever"
	}
	n := max(burst, 1)
	window := time.Duration(math.Ceil(float64(n) / float64(limit) * float64(time.Second)))
	hc.Pacer().Share(o.Pacer, account, pacing.Limit{N: n, Window: window})
}

// PacingDelay reports how long a request started now would wait for the
// account's budget, without booking it. The lifecycle dispatcher uses it
// to deliver other connections' effects instead of waiting.
func (c *Client) PacingDelay(ctx context.Context) (time.Duration, error) {
	return c.hc.Pacer().Delay(ctx)
}
