package lever

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// UnmarshalJSON accepts epoch milliseconds as a number, a quoted number
// (Lever's file examples give "uploadedAt": "1468953420000",
// https://hire.lever.co/developer/documentation#files) or null (zero).
func (m *Millis) UnmarshalJSON(raw []byte) error {
	n, err := flexInt(raw)
	*m = Millis(n)
	return err
}

// flexInt decodes an integer given as a JSON number, a JSON string holding
// one, or null / "" (zero). An integral float (1.4e12) is accepted; a
// fraction, a non-number or an overflow is an error naming the value.
func flexInt(raw []byte) (int64, error) {
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) {
		return 0, nil
	}
	s := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
		if s == "" {
			return 0, nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<63 {
		return 0, fmt.Errorf("lever: %.40q is not an integer", s)
	}
	return int64(f), nil
}
