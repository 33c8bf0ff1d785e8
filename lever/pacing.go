package lever

import (
	"context"
	"math"
	"time"

	"golang.org/x/time/rate"

	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/pacing"
)

// sharePacing moves the client's budget (limit requests per second) to
// Options.Pacer when one is set: at most limit requests start in any
// second, which stays within Lever's token bucket whatever its burst.
func sharePacing(hc *httpx.Client, o Options, limit rate.Limit) {
	if o.Pacer == nil || limit <= 0 || limit == rate.Inf {
		return
	}
	account := o.PacerAccount
	if account == "" {
		// Documented as required; a fixed name keeps clients that
		// forgot it on one (over-cautious) budget.
		account = "lever"
	}
	n := max(int(math.Floor(float64(limit))), 1)
	hc.Pacer().Share(o.Pacer, account, pacing.Limit{N: n, Window: time.Second})
}

// PacingDelay reports how long a request started now would wait for the
// account's budget, without booking it. The lifecycle dispatcher uses it
// to deliver other connections' effects instead of waiting.
func (c *Client) PacingDelay(ctx context.Context) (time.Duration, error) {
	return c.hc.Pacer().Delay(ctx)
}
