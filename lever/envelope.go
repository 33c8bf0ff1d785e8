package lever

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/internal/httpx"
)

// ErrIncompleteResponse means Lever answered a call with 2xx but without
// an output the call needs (an ID, a signature token). The call may or may
// not have taken effect; errors wrap it, so test with errors.Is.
var ErrIncompleteResponse = errors.New("lever: response lacks a required field")

// unwrap returns the single resource inside a write response. Lever
// documents several envelopes for writes
// (https://hire.lever.co/developer/documentation): the resource bare
// (create feedback), in "data" (most), in "data.data" (create webhook),
// and as the only element of a "data.data" list (create or update panel).
// Every form is accepted on every endpoint, so a documented body and the
// shape real clients observe both decode.
func unwrap(raw []byte) (json.RawMessage, error) {
	v := json.RawMessage(bytes.TrimSpace(raw))
	for range 3 {
		switch {
		case len(v) > 0 && v[0] == '{':
			var env map[string]json.RawMessage
			if err := json.Unmarshal(v, &env); err != nil {
				return nil, err
			}
			inner, ok := env["data"]
			inner = bytes.TrimSpace(inner)
			if !ok || len(inner) == 0 || (inner[0] != '{' && inner[0] != '[') {
				return v, nil
			}
			v = inner
		case len(v) > 0 && v[0] == '[':
			var list []json.RawMessage
			if err := json.Unmarshal(v, &list); err != nil {
				return nil, err
			}
			if len(list) == 0 {
				return nil, errors.New("the response's list is empty")
			}
			v = bytes.TrimSpace(list[0])
		default:
			return nil, fmt.Errorf("the response is not a JSON object")
		}
	}
	return v, nil
}

// decodeResource decodes a write response into T through unwrap and
// checks that each named output is present: required returns the name of
// the first missing output, or "".
func decodeResource[T any](op string, raw []byte, required func(T) string) (T, error) {
	var out T
	v, err := unwrap(raw)
	if err == nil {
		err = json.Unmarshal(v, &out)
	}
	if err != nil {
		return out, errfmt.Errorf("lever: %s: decoding response: %w (%w)", op, err, ErrIncompleteResponse)
	}
	if required != nil {
		if missing := required(out); missing != "" {
			return out, errfmt.Errorf("lever: %s: %w: %s is missing", op, ErrIncompleteResponse, missing)
		}
	}
	return out, nil
}

// write performs a write and decodes its response into T (see
// decodeResource).
func write[T any](ctx context.Context, c *Client, r *httpx.Request, required func(T) string) (T, error) {
	var zero T
	resp, err := c.do(ctx, r, nil)
	if err != nil {
		return zero, err
	}
	return decodeResource(r.Op, resp.Body, required)
}
