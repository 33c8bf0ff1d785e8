package memats

import (
	"context"
	"crypto/hmac"
	"fmt"
	"net/http"
	"slices"
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
