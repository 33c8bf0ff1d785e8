package httpx

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ParseReset reads a rate-limit reset header whose unit the ATS does not
// document (Workable's X-Rate-Limit-Reset, Greenhouse v3's reset header),
// accepting every plausible form: Unix seconds (integer or fractional),
// Unix milliseconds, RFC 3339, an HTTP date, or, for a number too small
// to be a timestamp (≤ 1e8), seconds from now. A number beyond any
// millisecond timestamp (> 1e14), a negative one, NaN or anything else is
// not a reset: false.
func ParseReset(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && f >= 0 {
		switch {
		case f > 1e14:
			return time.Time{}, false
		case f > 1e11: // milliseconds since the epoch
			return time.UnixMilli(int64(f)), true
		case f > 1e8: // seconds since the epoch
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(frac*1e9)), true
		default: // a delta in seconds
			return now.Add(time.Duration(f * float64(time.Second))), true
		}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	return time.Time{}, false
}
