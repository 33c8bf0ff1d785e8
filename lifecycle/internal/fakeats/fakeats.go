package fakeats

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

// Move is a recorded MoveCandidate call.
type Move struct{ CandidateID, StageID string }

// NoteCall is a recorded AddNote call.
type NoteCall struct {
	CandidateID string
	Note        ats.Note
}

// ATS is a fake adapter. The zero value is not usable; call New.
type ATS struct {
	mu         sync.Mutex
	jobs       []ats.Job
	stages     map[string][]ats.Stage
	candidates map[string]ats.Candidate
	notes      []NoteCall
	moves      []Move
	tags       map[string][]string
	feedback   map[string][]ats.Feedback
	fail       map[string][]error
	calls      map[string]int
	// AfterCall, if set, runs after every successful mutating call (op,
	// candidate ID) while no lock is held.
	AfterCall func(op, candidateID string)
}

var (
	_ ats.Adapter           = (*ATS)(nil)
	_ ats.LinkedJobLister   = (*ATS)(nil)
	_ ats.Tagger            = (*ATS)(nil)
	_ ats.FeedbackSubmitter = (*ATS)(nil)
	_ lifecycle.NoteLister  = (*ATS)(nil)
)

// New returns an empty fake ATS.
func New() *ATS {
	return &ATS{
		stages: map[string][]ats.Stage{}, candidates: map[string]ats.Candidate{},
		tags: map[string][]string{}, feedback: map[string][]ats.Feedback{},
		fail: map[string][]error{}, calls: map[string]int{},
	}
}

// AddJob adds (or replaces) a job with its pipeline.
func (f *ATS) AddJob(j ats.Job, stages ...ats.Stage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobs = slices.DeleteFunc(f.jobs, func(x ats.Job) bool { return x.ID == j.ID })
	f.jobs = append(f.jobs, j)
	f.stages[j.ID] = stages
}

// RemoveJob removes a job.
func (f *ATS) RemoveJob(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobs = slices.DeleteFunc(f.jobs, func(x ats.Job) bool { return x.ID == id })
	delete(f.stages, id)
}

// PutCandidate adds or replaces a candidate.
func (f *ATS) PutCandidate(c ats.Candidate) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.candidates[c.ID] = c
}

// DeleteCandidate removes a candidate: reading it answers 404.
func (f *ATS) DeleteCandidate(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.candidates, id)
}

// Fail makes the next calls of op ("AddNote", "MoveCandidate", "AddTags",
// "SubmitFeedback", "Candidate", "Notes", "Stages", "LinkedJobs") fail with
// errs, one per call.
func (f *ATS) Fail(op string, errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[op] = append(f.fail[op], errs...)
}

func (f *ATS) call(op string) error {
	f.calls[op]++
	if q := f.fail[op]; len(q) > 0 {
		f.fail[op] = q[1:]
		return q[0]
	}
	return nil
}

// Calls returns how often op was called (including failed calls).
func (f *ATS) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// Jobs implements ats.JobLister.
func (f *ATS) Jobs(ctx context.Context, _ ats.ListJobsOptions) iter.Seq2[ats.Job, error] {
	f.mu.Lock()
	jobs := slices.Clone(f.jobs)
	f.mu.Unlock()
	return func(yield func(ats.Job, error) bool) {
		for _, j := range jobs {
			if !yield(j, nil) {
				return
			}
		}
	}
}

// LinkedJobs implements ats.LinkedJobLister.
func (f *ATS) LinkedJobs(ctx context.Context) iter.Seq2[ats.Job, error] {
	f.mu.Lock()
	err := f.call("LinkedJobs")
	var jobs []ats.Job
	for _, j := range f.jobs {
		if j.Link.Linked {
			jobs = append(jobs, j)
		}
	}
	f.mu.Unlock()
	return func(yield func(ats.Job, error) bool) {
		if err != nil {
			yield(ats.Job{}, err)
			return
		}
		for _, j := range jobs {
			if !yield(j, nil) {
				return
			}
		}
	}
}

// Stages implements ats.StageLister.
func (f *ATS) Stages(_ context.Context, jobID string) ([]ats.Stage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Stages"); err != nil {
		return nil, err
	}
	s, ok := f.stages[jobID]
	if !ok {
		return nil, &ats.APIError{ATS: "fake", Op: "stages of job " + jobID, StatusCode: 404}
	}
	return slices.Clone(s), nil
}

// Candidate implements ats.CandidateGetter.
func (f *ATS) Candidate(_ context.Context, id string) (ats.Candidate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Candidate"); err != nil {
		return ats.Candidate{}, err
	}
	c, ok := f.candidates[id]
	if !ok {
		return ats.Candidate{}, &ats.APIError{ATS: "fake", Op: "get candidate " + id, StatusCode: 404}
	}
	c.Emails, c.Phones, c.Tags = slices.Clone(c.Emails), slices.Clone(c.Phones), slices.Clone(f.tags[id])
	return c, nil
}

// Candidates implements ats.CandidateLister: the candidates of
// filter.JobID in filter.StageID (empty fields do not filter), by ID.
func (f *ATS) Candidates(_ context.Context, filter ats.CandidateFilter) iter.Seq2[ats.Candidate, error] {
	return func(yield func(ats.Candidate, error) bool) {
		f.mu.Lock()
		err := f.call("Candidates")
		var out []ats.Candidate
		for _, c := range f.candidates {
			if (filter.JobID == "" || c.JobID == filter.JobID) && (filter.StageID == "" || c.Stage.ID == filter.StageID) {
				out = append(out, c)
			}
		}
		f.mu.Unlock()
		if err != nil {
			yield(ats.Candidate{}, err)
			return
		}
		slices.SortFunc(out, func(a, b ats.Candidate) int { return strings.Compare(a.ID, b.ID) })
		for _, c := range out {
			if !yield(c, nil) {
				return
			}
		}
	}
}

// MoveCandidate implements ats.CandidateMover.
func (f *ATS) MoveCandidate(_ context.Context, candidateID, stageID string) error {
	f.mu.Lock()
	if err := f.call("MoveCandidate"); err != nil {
		f.mu.Unlock()
		return err
	}
	f.moves = append(f.moves, Move{candidateID, stageID})
	if c, ok := f.candidates[candidateID]; ok {
		c.Stage = ats.StageRef{ID: stageID}
		f.candidates[candidateID] = c
	}
	hook := f.AfterCall
	f.mu.Unlock()
	if hook != nil {
		hook("MoveCandidate", candidateID)
	}
	return nil
}

// AddNote implements ats.Noter.
func (f *ATS) AddNote(_ context.Context, candidateID string, n ats.Note) error {
	f.mu.Lock()
	if err := f.call("AddNote"); err != nil {
		f.mu.Unlock()
		return err
	}
	f.notes = append(f.notes, NoteCall{candidateID, n})
	hook := f.AfterCall
	f.mu.Unlock()
	if hook != nil {
		hook("AddNote", candidateID)
	}
	return nil
}

// Notes implements lifecycle.NoteLister.
func (f *ATS) Notes(_ context.Context, candidateID string) ([]ats.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Notes"); err != nil {
		return nil, err
	}
	var out []ats.Note
	for _, n := range f.notes {
		if n.CandidateID == candidateID {
			out = append(out, n.Note)
		}
	}
	return out, nil
}

// AddTags implements ats.Tagger.
func (f *ATS) AddTags(_ context.Context, candidateID string, tags ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("AddTags"); err != nil {
		return err
	}
	for _, t := range tags {
		if !slices.Contains(f.tags[candidateID], t) {
			f.tags[candidateID] = append(f.tags[candidateID], t)
		}
	}
	return nil
}

// RemoveTags implements ats.Tagger.
func (f *ATS) RemoveTags(_ context.Context, candidateID string, tags ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("RemoveTags"); err != nil {
		return err
	}
	f.tags[candidateID] = slices.DeleteFunc(f.tags[candidateID], func(t string) bool { return slices.Contains(tags, t) })
	return nil
}

// SubmitFeedback implements ats.FeedbackSubmitter.
func (f *ATS) SubmitFeedback(_ context.Context, candidateID string, fb ats.Feedback) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("SubmitFeedback"); err != nil {
		return err
	}
	f.feedback[candidateID] = append(f.feedback[candidateID], fb)
	return nil
}

// NoteCalls returns every note added, in order.
func (f *ATS) NoteCalls() []NoteCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.notes)
}

// NotesOf returns the bodies of the notes on a candidate, in order.
func (f *ATS) NotesOf(candidateID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range f.notes {
		if n.CandidateID == candidateID {
			out = append(out, n.Note.Body)
		}
	}
	return out
}

// Moves returns every stage move, in order.
func (f *ATS) Moves() []Move {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.moves)
}

// Tags returns a candidate's tags.
func (f *ATS) Tags(candidateID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.tags[candidateID])
}

// Feedback returns the feedback forms submitted for a candidate.
func (f *ATS) Feedback(candidateID string) []ats.Feedback {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.feedback[candidateID])
}

// Minimal returns a view of f with only the required ats.Adapter methods,
// hiding every optional capability.
func (f *ATS) Minimal() ats.Adapter { return minimal{f} }

type minimal struct{ ats.Adapter }

// Vendor is a fake interview platform honouring idempotency keys.
type Vendor struct {
	mu        sync.Mutex
	byKey     map[string]string
	requests  []lifecycle.VendorRequest
	cancelled []string
	fail      map[string][]error
	seq       int
}

// NewVendor returns a fake vendor.
func NewVendor() *Vendor { return &Vendor{byKey: map[string]string{}, fail: map[string][]error{}} }

// Fail makes the next calls of op ("CreateInterview", "CancelInterview")
// fail with errs, one per call.
func (v *Vendor) Fail(op string, errs ...error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.fail[op] = append(v.fail[op], errs...)
}

func (v *Vendor) failure(op string) error {
	if q := v.fail[op]; len(q) > 0 {
		v.fail[op] = q[1:]
		return q[0]
	}
	return nil
}

// CreateInterview implements lifecycle.Vendor.
func (v *Vendor) CreateInterview(_ context.Context, r lifecycle.VendorRequest) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.requests = append(v.requests, r)
	if err := v.failure("CreateInterview"); err != nil {
		return "", err
	}
	if ref, ok := v.byKey[r.IdempotencyKey]; ok {
		return ref, nil
	}
	v.seq++
	ref := fmt.Sprintf("vend-%d", v.seq)
	v.byKey[r.IdempotencyKey] = ref
	return ref, nil
}

// CancelInterview implements lifecycle.Vendor.
func (v *Vendor) CancelInterview(_ context.Context, ref string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.failure("CancelInterview"); err != nil {
		return err
	}
	v.cancelled = append(v.cancelled, ref)
	return nil
}

// Created returns the number of distinct interviews created.
func (v *Vendor) Created() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.byKey)
}

// Requests returns every CreateInterview request, including retries.
func (v *Vendor) Requests() []lifecycle.VendorRequest {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.requests)
}

// Cancelled returns the cancelled vendor references.
func (v *Vendor) Cancelled() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.cancelled)
}

// Publisher is a fake lifecycle.CallbackPublisher.
type Publisher struct {
	mu        sync.Mutex
	published []Published
	fail      []error
}

// Published is a recorded PublishResult call.
type Published struct {
	Callback lifecycle.Callback
	Result   lifecycle.CallbackResult
}

// Fail makes the next calls fail with errs.
func (p *Publisher) Fail(errs ...error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = append(p.fail, errs...)
}

// PublishResult implements lifecycle.CallbackPublisher.
func (p *Publisher) PublishResult(_ context.Context, cb lifecycle.Callback, r lifecycle.CallbackResult) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.fail) > 0 {
		err := p.fail[0]
		p.fail = p.fail[1:]
		return err
	}
	r.Details = maps.Clone(r.Details)
	p.published = append(p.published, Published{cb, r})
	return nil
}

// Published returns the delivered results.
func (p *Publisher) Published() []Published {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.published)
}
