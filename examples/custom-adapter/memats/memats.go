// Package memats is a complete, small ats adapter for an imaginary
// in-memory ATS. It shows what writing an adapter for an ATS atskit does not
// ship involves: map the ATS's records onto the ats types, return the ats
// typed errors, stream lists page by page with iter.Seq2, and verify the
// ATS's webhook signatures. Run ats/atstest against it (see memats_test.go
// and the custom-adapter example program).
//
// The Service type stands in for the remote ATS; Adapter is the adapter.
// A real adapter would make HTTP calls where this one calls Service.
package memats

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
)

// Service is the in-memory ATS: jobs with pipelines, candidates and notes.
// It is safe for concurrent use.
type Service struct {
	mu       sync.Mutex
	token    string
	failWith int
	requests int
	nextID   int
	jobs     []*job
	cands    map[string]*cand
}

type job struct {
	id, title string
	stages    []ats.Stage
}

type cand struct {
	c     ats.Candidate
	notes []string
}

// NewService returns an empty service that accepts the given API token.
func NewService(token string) *Service {
	return &Service{token: token, cands: map[string]*cand{}}
}

// AddJob creates a job with the named stages and returns its ID and stage IDs.
func (s *Service) AddJob(title string, stageNames ...string) (string, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	j := &job{id: fmt.Sprintf("job%04d", s.nextID), title: title}
	var ids []string
	for i, n := range stageNames {
		id := strings.ToLower(strings.ReplaceAll(n, " ", "-"))
		j.stages = append(j.stages, ats.Stage{ID: id, Name: n, Kind: ats.StageOther, Position: i})
		ids = append(ids, id)
	}
	s.jobs = append(s.jobs, j)
	return j.id, ids
}

// AddCandidate creates a candidate for jobID in stageID and returns its ID.
func (s *Service) AddCandidate(jobID, stageID string, c ats.Candidate) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.job(jobID)
	if j == nil {
		return "", fmt.Errorf("memats: no job %q", jobID)
	}
	st, ok := ats.FindStage(j.stages, ats.StageRef{ID: stageID})
	if !ok {
		return "", fmt.Errorf("memats: job %s has no stage %q", jobID, stageID)
	}
	s.nextID++
	c.ID = fmt.Sprintf("cand%04d", s.nextID)
	c.JobID = jobID
	c.Stage = ats.StageRef{ID: st.ID, Name: st.Name}
	c.Emails = slices.Clone(c.Emails)
	c.Phones = slices.Clone(c.Phones)
	s.cands[c.ID] = &cand{c: c}
	return c.ID, nil
}

// Notes returns the notes recorded on a candidate, oldest first.
func (s *Service) Notes(candidateID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.cands[candidateID]; c != nil {
		return slices.Clone(c.notes)
	}
	return nil
}

// FailWith makes every call answer with status until FailWith(0).
func (s *Service) FailWith(status int) {
	s.mu.Lock()
	s.failWith = status
	s.mu.Unlock()
}

// Requests reports how many calls the service received.
func (s *Service) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func (s *Service) job(id string) *job {
	for _, j := range s.jobs {
		if j.id == id {
			return j
		}
	}
	return nil
}

// call models one API round trip: authentication, injected failures and
// context cancellation, then fn under the service lock.
func (s *Service) call(ctx context.Context, token, op string, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memats: %s: %w", op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	apiErr := func(status int, msg string) error {
		e := &ats.APIError{ATS: "memats", Op: op, StatusCode: status, Message: msg}
		switch status {
		case http.StatusTooManyRequests:
			return &ats.RateLimitError{Err: e, RetryAfter: time.Second}
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			return &ats.ValidationError{Err: e}
		}
		return e
	}
	if !hmac.Equal([]byte(token), []byte(s.token)) {
		return apiErr(http.StatusUnauthorized, "invalid API token")
	}
	if s.failWith != 0 {
		return apiErr(s.failWith, "injected failure")
	}
	if err := fn(); err != nil {
		if se, ok := err.(statusErr); ok {
			return apiErr(se.status, se.msg)
		}
		return err
	}
	return nil
}

type statusErr struct {
	status int
	msg    string
}

func (e statusErr) Error() string { return e.msg }

// Adapter is the ats adapter for Service.
type Adapter struct {
	svc   *Service
	token string
}

var (
	_ ats.Adapter         = (*Adapter)(nil)
	_ ats.CandidateLister = (*Adapter)(nil)
	_ ats.Tagger          = (*Adapter)(nil)
)

// NewAdapter returns an adapter calling svc with token.
func NewAdapter(svc *Service, token string) *Adapter { return &Adapter{svc: svc, token: token} }

// Jobs lists jobs page by page.
func (a *Adapter) Jobs(ctx context.Context, opts ats.ListJobsOptions) iter.Seq2[ats.Job, error] {
	size := opts.PageSize
	if size <= 0 {
		size = 50
	}
	return func(yield func(ats.Job, error) bool) {
		for offset := 0; ; offset += size {
			var page []ats.Job
			more := false
			err := a.svc.call(ctx, a.token, "list jobs", func() error {
				for i := offset; i < len(a.svc.jobs) && i < offset+size; i++ {
					j := a.svc.jobs[i]
					page = append(page, ats.Job{ID: j.id, Title: j.title, State: ats.JobPublished, RawState: "open"})
				}
				more = offset+size < len(a.svc.jobs)
				return nil
			})
			if err != nil {
				yield(ats.Job{}, err)
				return
			}
			for _, j := range page {
				if !yield(j, nil) {
					return
				}
			}
			if !more {
				return
			}
		}
	}
}

// Stages returns the job's pipeline.
func (a *Adapter) Stages(ctx context.Context, jobID string) ([]ats.Stage, error) {
	var out []ats.Stage
	err := a.svc.call(ctx, a.token, "list stages of job "+jobID, func() error {
		j := a.svc.job(jobID)
		if j == nil {
			return statusErr{http.StatusNotFound, "job not found"}
		}
		out = slices.Clone(j.stages)
		return nil
	})
	return out, err
}

// Candidate reads one candidate.
func (a *Adapter) Candidate(ctx context.Context, id string) (ats.Candidate, error) {
	var out ats.Candidate
	err := a.svc.call(ctx, a.token, "get candidate "+id, func() error {
		c := a.svc.cands[id]
		if c == nil {
			return statusErr{http.StatusNotFound, "candidate not found"}
		}
		out = c.c
		out.Emails, out.Phones, out.Tags = slices.Clone(c.c.Emails), slices.Clone(c.c.Phones), slices.Clone(c.c.Tags)
		return nil
	})
	return out, err
}

// Candidates lists candidates matching filter, page by page, in ID order.
func (a *Adapter) Candidates(ctx context.Context, f ats.CandidateFilter) iter.Seq2[ats.Candidate, error] {
	size := f.PageSize
	if size <= 0 {
		size = 50
	}
	return func(yield func(ats.Candidate, error) bool) {
		after := ""
		for {
			var page []ats.Candidate
			err := a.svc.call(ctx, a.token, "list candidates", func() error {
				ids := make([]string, 0, len(a.svc.cands))
				for id, c := range a.svc.cands {
					if id > after && (f.JobID == "" || c.c.JobID == f.JobID) && (f.StageID == "" || c.c.Stage.ID == f.StageID) {
						ids = append(ids, id)
					}
				}
				sort.Strings(ids)
				for _, id := range ids[:min(size, len(ids))] {
					page = append(page, a.svc.cands[id].c)
				}
				return nil
			})
			if err != nil {
				yield(ats.Candidate{}, err)
				return
			}
			for _, c := range page {
				if !yield(c, nil) {
					return
				}
			}
			if len(page) < size {
				return
			}
			after = page[len(page)-1].ID
		}
	}
}

// MoveCandidate moves a candidate to a stage of its job.
func (a *Adapter) MoveCandidate(ctx context.Context, candidateID, stageID string) error {
	return a.svc.call(ctx, a.token, "move candidate "+candidateID, func() error {
		c := a.svc.cands[candidateID]
		if c == nil {
			return statusErr{http.StatusNotFound, "candidate not found"}
		}
		st, ok := ats.FindStage(a.svc.job(c.c.JobID).stages, ats.StageRef{ID: stageID})
		if !ok {
			return statusErr{http.StatusUnprocessableEntity, fmt.Sprintf("%q is not a stage of job %s", stageID, c.c.JobID)}
		}
		c.c.Stage = ats.StageRef{ID: st.ID, Name: st.Name}
		return nil
	})
}

// AddNote records a note on a candidate.
func (a *Adapter) AddNote(ctx context.Context, candidateID string, n ats.Note) error {
	return a.svc.call(ctx, a.token, "add note to candidate "+candidateID, func() error {
		c := a.svc.cands[candidateID]
		if c == nil {
			return statusErr{http.StatusNotFound, "candidate not found"}
		}
		if strings.TrimSpace(n.Body) == "" {
			return statusErr{http.StatusUnprocessableEntity, "note body is empty"}
		}
		c.notes = append(c.notes, n.Body)
		return nil
	})
}

// AddTags adds tags to a candidate.
func (a *Adapter) AddTags(ctx context.Context, candidateID string, tags ...string) error {
	return a.editTags(ctx, candidateID, tags, true)
}

// RemoveTags removes tags from a candidate.
func (a *Adapter) RemoveTags(ctx context.Context, candidateID string, tags ...string) error {
	return a.editTags(ctx, candidateID, tags, false)
}

func (a *Adapter) editTags(ctx context.Context, candidateID string, tags []string, add bool) error {
	return a.svc.call(ctx, a.token, "edit tags of candidate "+candidateID, func() error {
		c := a.svc.cands[candidateID]
		if c == nil {
			return statusErr{http.StatusNotFound, "candidate not found"}
		}
		for _, t := range tags {
			has := c.c.HasTag(t)
			switch {
			case add && !has:
				c.c.Tags = append(c.c.Tags, t)
			case !add && has:
				c.c.Tags = slices.DeleteFunc(c.c.Tags, func(x string) bool { return strings.EqualFold(x, t) })
			}
		}
		return nil
	})
}

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
type Verifier struct {
	Secret    string
	Tolerance time.Duration    // zero means five minutes
	Now       func() time.Time // nil means time.Now
}

// VerifyWebhook checks the signature and age of a delivery and decodes it.
func (v Verifier) VerifyWebhook(body []byte, h http.Header) ([]ats.Event, error) {
	sig, ts := h.Get(SignatureHeader), h.Get(TimestampHeader)
	if sig == "" || ts == "" {
		return nil, fmt.Errorf("memats: %w: %s and %s headers are required", ats.ErrSignatureMissing, SignatureHeader, TimestampHeader)
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(v.Secret, ts, body)) {
		return nil, fmt.Errorf("memats: %w", ats.ErrSignatureInvalid)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("memats: %w: timestamp %q is not a Unix time", ats.ErrMalformedWebhook, ts)
	}
	now, tol := time.Now, v.Tolerance
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

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
