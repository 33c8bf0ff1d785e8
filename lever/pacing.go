package lever

import (
	"context"
	"time"

	"golang.org/x/time/rate"

	"github.com/atskit/atskit/internal/httpx"
)

// sharePacing moves the client's budget (a token bucket of limit requests
// per second with the given burst) to Options.Pacer when one is set (see
// httpx.Client.ShareBucket).
func sharePacing(hc *httpx.Client, o Options, limit rate.Limit, burst int) {
	account := o.PacerAccount
	if account == "" {
		// Documented as required; a fixed name keeps clients that
		// forgot it on one (over-cautious) budget.
		account = "lever"
	}
	hc.ShareBucket(o.Pacer, account, limit, burst)
}

// PacingDelay reports how long a request started now would wait for the
// account's budget, without booking it. The lifecycle dispatcher uses it
// to deliver other connections' effects instead of waiting.
func (c *Client) PacingDelay(ctx context.Context) (time.Duration, error) {
	return c.hc.Pacer().Delay(ctx)
}
