package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// AshbyAPIURL is the root of Ashby's API, where assessment.update lives.
const AshbyAPIURL = "https://api.ashbyhq.com"

// Types of an Ashby data value
// (https://developers.ashbyhq.com/docs/assessmentupdate).
const (
	AshbyNumericScore    = "numeric_score"
	AshbyDurationMinutes = "numeric_duration_minutes"
	AshbyURL             = "url"
	AshbyString          = "string"
	AshbyBooleanSuccess  = "boolean_success"
)

// AshbyStatusStarted is the status value with a meaning in Ashby: it
// records when the assessment started. Other status values are the
// vendor's own and shown as they are.
const AshbyStatusStarted = "Started"

// AshbyDataValue is Ashby's data value object, used for status, result,
// profile URL, cancel reason and metadata:
// {"identifier", "label", "description"?, "type", "value"}. Identifiers
// must be unique for the partner. Value is a string, number or boolean.
type AshbyDataValue struct {
	Identifier  string `json:"identifier"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Value       any    `json:"value"`
}

func (v *AshbyDataValue) check(field string) error {
	if v == nil {
		return nil
	}
	bad := func(msg string) error { return &ValidationError{Field: field, Reason: msg} }
	switch {
	case strings.TrimSpace(v.Identifier) == "":
		return bad("identifier is required")
	case strings.TrimSpace(v.Label) == "":
		return bad("label is required")
	}
	switch v.Type {
	case AshbyNumericScore, AshbyDurationMinutes:
		switch v.Value.(type) {
		case int, int64, float64, float32, json.Number:
		default:
			return bad(fmt.Sprintf("value of a %s must be a number", v.Type))
		}
	case AshbyURL, AshbyString:
		s, ok := v.Value.(string)
		if !ok {
			return bad(fmt.Sprintf("value of a %s must be a string", v.Type))
		}
		if v.Type == AshbyURL {
			if u, err := url.Parse(s); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return bad("value of a url must be an absolute http(s) URL")
			}
		}
	case AshbyBooleanSuccess:
		if _, ok := v.Value.(bool); !ok {
			return bad("value of a boolean_success must be a boolean")
		}
	default:
		return bad(fmt.Sprintf("type %q is not one of numeric_score, numeric_duration_minutes, url, string, boolean_success", v.Type))
	}
	return nil
}

// AshbyUpdate is the body of assessment.update: progress, completion
// (Result set, then ProfileURL is required) or cancellation
// (CancelledReason set, then Status may be empty).
type AshbyUpdate struct {
	AssessmentID    string           `json:"assessment_id"`
	Timestamp       int64            `json:"timestamp"` // ms since the epoch; zero means now
	Status          *AshbyDataValue  `json:"assessment_status,omitempty"`
	ProfileURL      *AshbyDataValue  `json:"assessment_profile_url,omitempty"`
	Result          *AshbyDataValue  `json:"assessment_result,omitempty"`
	CancelledReason *AshbyDataValue  `json:"cancelled_reason,omitempty"`
	Metadata        []AshbyDataValue `json:"metadata,omitempty"`
}

// Validate checks u against Ashby's rules: assessment_id; a status unless
// cancelled; a url-typed profile URL whenever there is a result; every
// data value well formed with a unique identifier.
func (u *AshbyUpdate) Validate() error {
	if strings.TrimSpace(u.AssessmentID) == "" {
		return &ValidationError{Field: "assessment_id", Reason: "is required"}
	}
	if u.Status == nil && u.CancelledReason == nil {
		return &ValidationError{Field: "assessment_status", Reason: "is required unless cancelled_reason is set"}
	}
	if u.Result != nil && u.ProfileURL == nil {
		return &ValidationError{Field: "assessment_profile_url", Reason: "is required when assessment_result is set"}
	}
	if u.ProfileURL != nil && u.ProfileURL.Type != AshbyURL {
		return &ValidationError{Field: "assessment_profile_url", Reason: "must be of type url"}
	}
	seen := map[string]string{}
	vals := []struct {
		f string
		v *AshbyDataValue
	}{{"assessment_status", u.Status}, {"assessment_profile_url", u.ProfileURL}, {"assessment_result", u.Result}, {"cancelled_reason", u.CancelledReason}}
	for i := range u.Metadata {
		vals = append(vals, struct {
			f string
			v *AshbyDataValue
		}{fmt.Sprintf("metadata[%d]", i), &u.Metadata[i]})
	}
	for _, x := range vals {
		if err := x.v.check(x.f); err != nil {
			return err
		}
		if x.v == nil {
			continue
		}
		if prev, dup := seen[x.v.Identifier]; dup {
			return &ValidationError{Field: x.f, Reason: fmt.Sprintf("identifier %q is also used by %s; Ashby needs unique identifiers", x.v.Identifier, prev)}
		}
		seen[x.v.Identifier] = x.f
	}
	return nil
}

// AshbyCompletedAssessment is the body of
// assessment.addCompletedToCandidate: a finished assessment recorded on a
// candidate without Ashby's start flow.
type AshbyCompletedAssessment struct {
	CandidateID string `json:"candidateId"`
	PartnerID   string `json:"partnerId"`
	Timestamp   int64  `json:"timestamp"`
	Assessment  struct {
		TypeID   string           `json:"assessmentTypeId"`
		ID       string           `json:"assessmentId"`
		Name     string           `json:"assessmentName"`
		Result   AshbyDataValue   `json:"result"`
		Metadata []AshbyDataValue `json:"metadata"`
	} `json:"assessment"`
}

// AshbyPublisherOptions configures NewAshbyPublisher. The zero value posts
// to api.ashbyhq.com over https through the SSRF guard.
type AshbyPublisherOptions struct {
	// PublisherOptions carries the transport settings (client, retries,
	// timeouts, logger, loopback for tests). AllowedHostSuffixes defaults
	// to ashbyhq.com.
	PublisherOptions
	// BaseURL overrides AshbyAPIURL (tests: an ashbytest server's URL).
	BaseURL string
	// Now returns the current time for a zero Timestamp; nil uses
	// time.Now.
	Now func() time.Time
}

// AshbyPublisher reports assessment progress and results to Ashby with a
// customer's API key (it needs the candidatesWrite permission). It shares
// Publisher's SSRF guard and retry policy: connection errors, 408, 429
// and 5xx are retried, so an update is delivered at least once (a repeated
// update carries the same state and is harmless). It is safe for
// concurrent use.
type AshbyPublisher struct {
	p    *Publisher
	base string
	now  func() time.Time
}

// NewAshbyPublisher returns an AshbyPublisher for opts.
func NewAshbyPublisher(opts AshbyPublisherOptions) *AshbyPublisher {
	if len(opts.AllowedHostSuffixes) == 0 {
		opts.AllowedHostSuffixes = []string{"ashbyhq.com"}
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = AshbyAPIURL
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &AshbyPublisher{p: NewPublisher(opts.PublisherOptions), base: base, now: now}
}

// Update sends u to assessment.update
// (https://developers.ashbyhq.com/docs/assessmentupdate) with apiKey. A
// zero Timestamp is set to now. The error is a *PublishError;
// Permanent() reports whether sending it again cannot help.
func (a *AshbyPublisher) Update(ctx context.Context, apiKey string, u AshbyUpdate) (Delivery, error) {
	if u.Timestamp == 0 {
		u.Timestamp = a.now().UnixMilli()
	}
	if err := u.Validate(); err != nil {
		return Delivery{}, &PublishError{URL: a.base + "/assessment.update", Err: err, permanent: true}
	}
	return a.post(ctx, "assessment.update", apiKey, u)
}

// AddCompletedToCandidate records a finished assessment on an Ashby
// candidate (assessment.addCompletedToCandidate). A zero Timestamp is
// set to now; nil Metadata is sent as [] (Ashby requires the field).
func (a *AshbyPublisher) AddCompletedToCandidate(ctx context.Context, apiKey string, c AshbyCompletedAssessment) (Delivery, error) {
	if c.Timestamp == 0 {
		c.Timestamp = a.now().UnixMilli()
	}
	if c.Assessment.Metadata == nil {
		c.Assessment.Metadata = []AshbyDataValue{}
	}
	u := a.base + "/assessment.addCompletedToCandidate"
	for _, f := range []struct{ n, v string }{{"candidateId", c.CandidateID}, {"partnerId", c.PartnerID},
		{"assessment.assessmentTypeId", c.Assessment.TypeID}, {"assessment.assessmentId", c.Assessment.ID}, {"assessment.assessmentName", c.Assessment.Name}} {
		if strings.TrimSpace(f.v) == "" {
			return Delivery{}, &PublishError{URL: u, Err: &ValidationError{Field: f.n, Reason: "is required"}, permanent: true}
		}
	}
	if err := c.Assessment.Result.check("assessment.result"); err != nil {
		return Delivery{}, &PublishError{URL: u, Err: err, permanent: true}
	}
	for i := range c.Assessment.Metadata {
		if err := c.Assessment.Metadata[i].check(fmt.Sprintf("assessment.metadata[%d]", i)); err != nil {
			return Delivery{}, &PublishError{URL: u, Err: err, permanent: true}
		}
	}
	return a.post(ctx, "assessment.addCompletedToCandidate", apiKey, c)
}

// post sends body to Ashby's method with Basic auth and reads Ashby's
// envelope: a 200 with success:false is a failure too.
func (a *AshbyPublisher) post(ctx context.Context, method, apiKey string, body any) (Delivery, error) {
	var d Delivery
	u, err := url.Parse(a.base + "/" + method)
	if err != nil {
		return d, &PublishError{URL: "(unparsable URL)", Err: &unsafeError{"unparsable URL"}, permanent: true}
	}
	safeURL := redactURL(u)
	fail := func(pe *PublishError) (Delivery, error) {
		pe.URL, pe.Attempts, pe.StatusCode = safeURL, d.Attempts, d.StatusCode
		if apiKey != "" {
			pe.Body = strings.ReplaceAll(pe.Body, apiKey, "[REDACTED]")
		}
		a.p.log.WarnContext(ctx, "provider: ashby update not delivered", "url", safeURL, "attempts", d.Attempts, "http_status", d.StatusCode, "permanent", pe.permanent, "error", pe.Error())
		return d, pe
	}
	if strings.TrimSpace(apiKey) == "" {
		return fail(&PublishError{Err: &ValidationError{Field: "apiKey", Reason: "the customer's Ashby API key is required"}, permanent: true})
	}
	if err := a.p.guard.checkURL(u); err != nil {
		return fail(&PublishError{Err: err, permanent: true})
	}
	if !a.p.guarded {
		if err := a.p.precheck(ctx, u); err != nil {
			return fail(&PublishError{Err: err, permanent: true})
		}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return fail(&PublishError{Err: fmt.Errorf("encoding body: %w", err), permanent: true})
	}
	ctx = context.WithValue(ctx, attemptsKey{}, &d.Attempts)
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, u.String(), data)
	if err != nil {
		return fail(&PublishError{Err: errors.New("building request failed"), permanent: true})
	}
	req.Header.Set("Authorization", ashbyBasic(apiKey))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json; version=1")
	resp, err := a.p.client.Do(req)
	if resp != nil {
		d.StatusCode = resp.StatusCode
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		snippet := strings.TrimSpace(string(raw))
		if len(snippet) > maxErrorBody {
			snippet = snippet[:maxErrorBody]
		}
		if err == nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			var env struct {
				Success   *bool `json:"success"`
				ErrorInfo struct {
					Code string `json:"code"`
				} `json:"errorInfo"`
			}
			// The response body of assessment.update is undocumented:
			// only an explicit success:false is a failure.
			if json.Unmarshal(raw, &env) == nil && env.Success != nil && !*env.Success {
				return fail(&PublishError{Body: snippet, permanent: env.ErrorInfo.Code != "rate_limit_exceeded"})
			}
			return d, nil
		}
		if err == nil {
			return fail(&PublishError{Body: snippet, permanent: !retryableStatus(resp.StatusCode)})
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fail(&PublishError{Err: err, permanent: errors.Is(err, ErrUnsafeCallback)})
}
