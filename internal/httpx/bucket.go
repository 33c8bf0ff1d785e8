package httpx

import (
	"math"
	"time"

	"golang.org/x/time/rate"

	"github.com/atskit/atskit/pacing"
)

// PacedRate returns the token bucket a client paces at for a server whose
// bucket allows limit requests per second with the given burst: limit ×
// margin per second (margin < 1 leaves room for clock skew and the
// server's own rounding) and burst − 1, at least 1. A zero limit or burst
// means defLimit or defBurst; a negative limit disables pacing (0, 0).
func PacedRate(limit rate.Limit, burst int, defLimit rate.Limit, defBurst int, margin float64) (rate.Limit, int) {
	if limit < 0 {
		return 0, 0
	}
	if limit == 0 {
		limit = defLimit
	}
	if burst <= 0 {
		burst = defBurst
	}
	return limit * rate.Limit(margin), max(burst-1, 1)
}

// ShareBucket moves c's token-bucket budget (limit requests per second
// with the given burst) to shared, under account, when shared is non-nil
// and pacing is on. A shared pacer counts requests per window, so the
// bucket is expressed as n = burst requests per n/limit seconds (rounded
// up to the nanosecond): in any interval t that books at most n + limit·t
// requests, which is what the server's bucket admits, however the
// clients' requests interleave. (limit requests per second would let a
// whole second's worth start at once and overrun a small bucket.)
func (c *Client) ShareBucket(shared pacing.Pacer, account string, limit rate.Limit, burst int) {
	if shared == nil || limit <= 0 || limit == rate.Inf {
		return
	}
	n := max(burst, 1)
	window := time.Duration(math.Ceil(float64(n) / float64(limit) * float64(time.Second)))
	c.Pacer().Share(shared, account, pacing.Limit{N: n, Window: window})
}
