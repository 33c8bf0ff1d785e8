package workable

import (
	"context"
	"time"

	"github.com/atskit/atskit/internal/httpx"
	atspacing "github.com/atskit/atskit/pacing"
)

// sharePacing moves the client's budget (n requests per window) to
// Options.Pacer when one is set.
func sharePacing(hc *httpx.Client, o Options, subdomain string, n int, window time.Duration) {
	if o.Pacer == nil || n <= 0 {
		return
	}
	account := o.PacerAccount
	if account == "" {
		account = "workable/" + subdomain
	}
	hc.Pacer().Share(o.Pacer, account, atspacing.Limit{N: n, Window: window})
}

// PacingDelay reports how long a request started now would wait for the
// account's budget, without booking it. The lifecycle dispatcher uses it
// to deliver other connections' effects instead of waiting.
func (c *Client) PacingDelay(ctx context.Context) (time.Duration, error) {
	return c.http.Pacer().Delay(ctx)
}
