package memats

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/atskit/atskit/ats"
)

// SignatureHeader and TimestampHeader carry a delivery's signature: hex
// HMAC-SHA256 of "<timestamp>.<body>" keyed with the webhook secret.
const (
	SignatureHeader = "X-Memats-Signature"
	TimestampHeader = "X-Memats-Timestamp"
)

// Delivery is the JSON body of a memats webhook.
type Delivery struct {
	ID          string `json:"id"`
	Event       string `json:"event"`
	CandidateID string `json:"candidate_id"`
	JobID       string `json:"job_id"`
	FromStage   string `json:"from_stage,omitempty"`
	ToStage     string `json:"to_stage,omitempty"`
}

// Sign returns the headers that sign body at time at with secret.
func Sign(body []byte, secret string, at time.Time) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	h := http.Header{}
	h.Set(TimestampHeader, ts)
	h.Set(SignatureHeader, hex.EncodeToString(mac(secret, ts, body)))
	return h
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Verifier verifies memats webhooks. It implements ats.WebhookVerifier.
// Its fields follow the adapter convention of package ats.
type Verifier struct {
	Secrets []string         // accepted secrets (several for a rotation); none fails every delivery
	MaxAge  time.Duration    // zero means five minutes
	Now     func() time.Time // nil means time.Now
}

// signedBy reports whether sig is the MAC of ts and body under one of
// v.Secrets, comparing in constant time.
func (v Verifier) signedBy(sig []byte, ts string, body []byte) bool {
	ok := false
	for _, s := range v.Secrets {
		if s != "" && hmac.Equal(sig, mac(s, ts, body)) {
			ok = true
		}
	}
	return ok
}

// VerifyWebhook checks the signature and age of a delivery and decodes it.
func (v Verifier) VerifyWebhook(body []byte, h http.Header) ([]ats.Event, error) {
	sig, ts := h.Get(SignatureHeader), h.Get(TimestampHeader)
	if sig == "" || ts == "" {
		return nil, fmt.Errorf("memats: %w: %s and %s headers are required", ats.ErrSignatureMissing, SignatureHeader, TimestampHeader)
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !v.signedBy(got, ts, body) {
		return nil, fmt.Errorf("memats: %w", ats.ErrSignatureInvalid)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("memats: %w: timestamp %q is not a Unix time", ats.ErrMalformedWebhook, ts)
	}
	now, tol := time.Now, v.MaxAge
	if v.Now != nil {
		now = v.Now
	}
	if tol <= 0 {
		tol = 5 * time.Minute
	}
	at := time.Unix(secs, 0)
	if d := now().Sub(at); d > tol || d < -tol {
		return nil, fmt.Errorf("memats: %w: delivery time %s is outside ±%v", ats.ErrWebhookExpired, at.UTC().Format(time.RFC3339), tol)
	}
	var d Delivery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("memats: %w: %v", ats.ErrMalformedWebhook, err)
	}
	kind := ats.EventUnknown
	if d.Event == "stage_changed" {
		kind = ats.EventStageChanged
	}
	return []ats.Event{{
		ID: d.ID, Source: "memats", Kind: kind, Type: d.Event,
		CandidateID: d.CandidateID, JobID: d.JobID,
		FromStage: ats.StageRef{ID: d.FromStage}, ToStage: ats.StageRef{ID: d.ToStage},
		Time: at, Raw: json.RawMessage(slices.Clone(body)),
	}}, nil
}
