package atstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
)

// seq makes seeded names unique across subtests and repeated runs against
// one backing service.
var seq atomic.Int64

func unique(prefix string) string {
	return fmt.Sprintf("%s %d-%d", prefix, time.Now().UnixNano()%1e6, seq.Add(1))
}

// Run runs the conformance suite against b. Failures are reported through
// t, one subtest per property.
func Run(t *testing.T, b Backend) {
	t.Helper()
	run(stdT{t}, b)
}

func run(t tester, b Backend) {
	s := &suite{b: b}
	t.Run("Jobs", s.testJobs)
	t.Run("JobsPagination", s.testJobsPagination)
	t.Run("Stages", s.testStages)
	t.Run("Candidate", s.testCandidate)
	t.Run("MoveCandidate", s.testMove)
	t.Run("AddNote", s.testNote)
	t.Run("ErrorNotFound", s.testNotFound)
	t.Run("ErrorUnauthorized", s.testUnauthorized)
	t.Run("ErrorRateLimited", s.testRateLimited)
	t.Run("ErrorServer", s.testServerError)
	t.Run("ContextCancelled", s.testCancelled)
	t.Run("EarlyStop", s.testEarlyStop)
	if _, ok := b.Adapter().(ats.CandidateLister); ok {
		t.Run("CandidatesPagination", s.testCandidatesPagination)
	}
	if _, ok := b.Adapter().(ats.Tagger); ok {
		t.Run("Tags", s.testTags)
	}
	if _, ok := b.Adapter().(ats.Disqualifier); ok {
		t.Run("Disqualify", s.testDisqualify)
	}
	if w := b.Webhooks(); w != nil {
		t.Run("Webhooks", func(t tester) { s.testWebhooks(t, w) })
	}
}

type suite struct{ b Backend }

type fixture struct {
	jobID    string
	stageIDs []string
	stages   []string
	candID   string
	cand     ats.Candidate
}

// seed creates a job with three stages and one candidate in the first.
func (s *suite) seed(t tester) fixture {
	t.Helper()
	names := []string{"Applied", "Phone Screen", "Vendor Interview"}
	jobID, stageIDs := s.b.SeedJob(t, unique("atstest job"), names)
	if len(stageIDs) != len(names) {
		t.Fatalf("SeedJob returned %d stage IDs for %d stages", len(stageIDs), len(names))
	}
	n := seq.Add(1)
	c := ats.Candidate{
		Name:      fmt.Sprintf("Ada Lovelace%d", n),
		FirstName: "Ada",
		LastName:  fmt.Sprintf("Lovelace%d", n),
		Emails:    []string{fmt.Sprintf("ada%d@example.com", n)},
		Phones:    []string{"+44 20 7946 0000"},
	}
	id := s.b.SeedCandidate(t, jobID, stageIDs[0], c)
	if id == "" {
		t.Fatal("SeedCandidate returned an empty ID")
	}
	return fixture{jobID: jobID, stageIDs: stageIDs, stages: names, candID: id, cand: c}
}

func ctxFor(t tester) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (s *suite) testJobs(t tester) {
	title := unique("atstest listed job")
	jobID, _ := s.b.SeedJob(t, title, []string{"Applied", "Interview"})
	var found *ats.Job
	for j, err := range s.b.Adapter().Jobs(ctxFor(t), ats.ListJobsOptions{}) {
		if err != nil {
			t.Fatalf("Jobs: %v", err)
		}
		if j.ID == jobID {
			found = &j
			break // stopping early must be allowed
		}
	}
	if found == nil {
		t.Fatalf("Jobs did not list seeded job %q", jobID)
	}
	if found.Title != title {
		t.Errorf("Jobs: job %s has Title %q, want %q", jobID, found.Title, title)
	}
}

func (s *suite) testJobsPagination(t tester) {
	const pageSize, n = 2, 5
	want := map[string]bool{}
	for i := 0; i < n; i++ {
		id, _ := s.b.SeedJob(t, unique("atstest page job"), []string{"Applied"})
		want[id] = true
	}
	before := s.requests()
	seen := map[string]int{}
	for j, err := range s.b.Adapter().Jobs(ctxFor(t), ats.ListJobsOptions{PageSize: pageSize}) {
		if err != nil {
			t.Fatalf("Jobs(PageSize=%d): %v", pageSize, err)
		}
		seen[j.ID]++
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("Jobs(PageSize=%d) listed seeded job %s %d times, want once", pageSize, id, seen[id])
		}
	}
	for id, c := range seen {
		if c > 1 {
			t.Errorf("Jobs(PageSize=%d) listed job %s %d times (duplicate across pages)", pageSize, id, c)
		}
	}
	if before >= 0 {
		if got := s.requests() - before; got < (n+pageSize-1)/pageSize {
			t.Errorf("Jobs(PageSize=%d) over %d+ jobs made %d requests; the adapter is not paginating", pageSize, n, got)
		}
	}
}

func (s *suite) requests() int {
	if rc, ok := s.b.(RequestCounter); ok {
		return rc.RequestCount()
	}
	return -1
}

func (s *suite) testStages(t tester) {
	f := s.seed(t)
	stages, err := s.b.Adapter().Stages(ctxFor(t), f.jobID)
	if err != nil {
		t.Fatalf("Stages(%s): %v", f.jobID, err)
	}
	// Account-wide pipelines (Lever) may hold more stages; the seeded ones
	// must all be present, in order.
	last := -1
	for i, id := range f.stageIDs {
		idx := slices.IndexFunc(stages, func(st ats.Stage) bool { return st.ID == id })
		if idx < 0 {
			t.Fatalf("Stages(%s) lacks seeded stage %s (%q); got %+v", f.jobID, id, f.stages[i], stages)
		}
		if stages[idx].Name != f.stages[i] {
			t.Errorf("stage %s: Name %q, want %q", id, stages[idx].Name, f.stages[i])
		}
		if idx < last {
			t.Errorf("Stages(%s) out of pipeline order at %q", f.jobID, f.stages[i])
		}
		last = idx
	}
}

func (s *suite) testCandidate(t tester) {
	f := s.seed(t)
	got, err := s.b.Adapter().Candidate(ctxFor(t), f.candID)
	if err != nil {
		t.Fatalf("Candidate(%s): %v", f.candID, err)
	}
	check := func(field, got, want string) {
		if got != want {
			t.Errorf("Candidate(%s).%s = %q, want %q", f.candID, field, got, want)
		}
	}
	check("ID", got.ID, f.candID)
	check("JobID", got.JobID, f.jobID)
	check("FirstName", got.FirstName, f.cand.FirstName)
	check("LastName", got.LastName, f.cand.LastName)
	check("Email()", got.Email(), f.cand.Email())
	check("Phone()", got.Phone(), f.cand.Phone())
	check("Stage.ID", got.Stage.ID, f.stageIDs[0])
	check("Stage.Name", got.Stage.Name, f.stages[0])
}

func (s *suite) testMove(t tester) {
	f := s.seed(t)
	a := s.b.Adapter()
	ctx := ctxFor(t)
	if err := a.MoveCandidate(ctx, f.candID, f.stageIDs[2]); err != nil {
		t.Fatalf("MoveCandidate(%s, %s): %v", f.candID, f.stageIDs[2], err)
	}
	got, err := a.Candidate(ctx, f.candID)
	if err != nil {
		t.Fatalf("Candidate after move: %v", err)
	}
	if got.Stage.ID != f.stageIDs[2] || got.Stage.Name != f.stages[2] {
		t.Errorf("after MoveCandidate the stage is %+v, want {%s %s}", got.Stage, f.stageIDs[2], f.stages[2])
	}
	// Moving again to the same stage is not an error callers must handle.
	if err := a.MoveCandidate(ctx, f.candID, f.stageIDs[2]); err != nil {
		t.Errorf("repeating MoveCandidate to the current stage: %v", err)
	}
	err = a.MoveCandidate(ctx, f.candID, "atstest-no-such-stage")
	if err == nil {
		t.Fatal("MoveCandidate to an unknown stage succeeded")
	}
	if !errors.Is(err, ats.ErrValidation) && !errors.Is(err, ats.ErrNotFound) {
		t.Errorf("MoveCandidate to an unknown stage: %v; want an error matching ats.ErrValidation or ats.ErrNotFound", err)
	}
}

func (s *suite) testNote(t tester) {
	f := s.seed(t)
	body := unique("atstest note ✓ interview scheduled")
	if err := s.b.Adapter().AddNote(ctxFor(t), f.candID, ats.Note{Body: body}); err != nil {
		t.Fatalf("AddNote: %v", err)
	}
	notes := s.b.Notes(t, f.candID)
	n := 0
	for _, got := range notes {
		if got == body {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the service recorded the note %d times, want exactly once; notes: %q", n, notes)
	}
	err := s.b.Adapter().AddNote(ctxFor(t), "atstest-missing-candidate", ats.Note{Body: "x"})
	if !errors.Is(err, ats.ErrNotFound) {
		t.Errorf("AddNote on a missing candidate: %v; want ats.ErrNotFound", err)
	}
}

func (s *suite) testNotFound(t tester) {
	_, err := s.b.Adapter().Candidate(ctxFor(t), "atstest-missing-candidate")
	if !errors.Is(err, ats.ErrNotFound) {
		t.Fatalf("Candidate(missing): %v; want an error matching ats.ErrNotFound", err)
	}
	var ae *ats.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("Candidate(missing): %T is not an *ats.APIError", err)
	}
	if ae.StatusCode != http.StatusNotFound {
		t.Errorf("APIError.StatusCode = %d, want 404", ae.StatusCode)
	}
	if ats.IsPermanent(err) != true {
		t.Errorf("IsPermanent(404) = false, want true")
	}
}

func (s *suite) testUnauthorized(t tester) {
	var err error
	for _, e := range s.b.BadCredentials().Jobs(ctxFor(t), ats.ListJobsOptions{}) {
		err = e
		break
	}
	if !errors.Is(err, ats.ErrUnauthorized) {
		t.Fatalf("Jobs with bad credentials: %v; want an error matching ats.ErrUnauthorized", err)
	}
	s.noSecretLeak(t, err)
}

// noSecretLeak checks that an error does not echo an Authorization value.
func (s *suite) noSecretLeak(t tester, err error) {
	if err == nil {
		return
	}
	msg := err.Error()
	for _, bad := range []string{"Bearer ", "Basic "} {
		if bytes.Contains([]byte(msg), []byte(bad)) {
			t.Errorf("error %q contains an Authorization value", msg)
		}
	}
}

func (s *suite) testRateLimited(t tester) {
	f := s.seed(t)
	restore := s.b.FailRequests(http.StatusTooManyRequests)
	_, err := s.b.Adapter().Candidate(ctxFor(t), f.candID)
	restore()
	if !errors.Is(err, ats.ErrRateLimited) {
		t.Fatalf("Candidate while the service answers 429: %v; want ats.ErrRateLimited", err)
	}
	var rl *ats.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("%T is not an *ats.RateLimitError", err)
	}
	if ats.IsPermanent(err) {
		t.Error("IsPermanent(429) = true, want false")
	}
	if _, err := s.b.Adapter().Candidate(ctxFor(t), f.candID); err != nil {
		t.Errorf("Candidate after the service recovered: %v", err)
	}
}

func (s *suite) testServerError(t tester) {
	f := s.seed(t)
	restore := s.b.FailRequests(http.StatusServiceUnavailable)
	_, err := s.b.Adapter().Candidate(ctxFor(t), f.candID)
	restore()
	var ae *ats.APIError
	if !errors.As(err, &ae) || ae.StatusCode < 500 {
		t.Fatalf("Candidate while the service answers 503: %v; want an *ats.APIError with a 5xx status", err)
	}
	if ats.IsPermanent(err) {
		t.Error("IsPermanent(503) = true, want false")
	}
}

func (s *suite) testCancelled(t tester) {
	f := s.seed(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := s.b.Adapter()
	if _, err := a.Candidate(ctx, f.candID); !errors.Is(err, context.Canceled) {
		t.Errorf("Candidate with a cancelled context: %v; want context.Canceled", err)
	}
	if err := a.AddNote(ctx, f.candID, ats.Note{Body: "must not be sent"}); !errors.Is(err, context.Canceled) {
		t.Errorf("AddNote with a cancelled context: %v; want context.Canceled", err)
	}
	if notes := s.b.Notes(t, f.candID); slices.Contains(notes, "must not be sent") {
		t.Error("AddNote with a cancelled context still recorded the note")
	}
	var err error
	for _, e := range a.Jobs(ctx, ats.ListJobsOptions{}) {
		err = e
		if e != nil {
			break
		}
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Jobs with a cancelled context yielded %v; want context.Canceled", err)
	}
}

func (s *suite) testCandidatesPagination(t tester) {
	f := s.seed(t)
	want := map[string]bool{f.candID: true}
	for i := 0; i < 4; i++ {
		id := s.b.SeedCandidate(t, f.jobID, f.stageIDs[0], ats.Candidate{
			Name: fmt.Sprintf("Grace Hopper%d", i), FirstName: "Grace", LastName: fmt.Sprintf("Hopper%d", i),
			Emails: []string{fmt.Sprintf("grace%d-%d@example.com", i, seq.Add(1))}, Phones: []string{"+1 555 0100"},
		})
		want[id] = true
	}
	cl := s.b.Adapter().(ats.CandidateLister)
	seen := map[string]int{}
	for c, err := range cl.Candidates(ctxFor(t), ats.CandidateFilter{JobID: f.jobID, PageSize: 2}) {
		if err != nil {
			t.Fatalf("Candidates(PageSize=2): %v", err)
		}
		if c.JobID != "" && c.JobID != f.jobID {
			t.Errorf("Candidates(JobID=%s) yielded candidate %s of job %s", f.jobID, c.ID, c.JobID)
		}
		seen[c.ID]++
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("Candidates listed seeded candidate %s %d times, want once", id, seen[id])
		}
	}
}

func (s *suite) testTags(t tester) {
	f := s.seed(t)
	a := s.b.Adapter()
	tg := a.(ats.Tagger)
	ctx := ctxFor(t)
	if err := tg.AddTags(ctx, f.candID, "atstest-vendor"); err != nil {
		t.Fatalf("AddTags: %v", err)
	}
	if err := tg.AddTags(ctx, f.candID, "atstest-vendor"); err != nil {
		t.Fatalf("AddTags of a tag already present: %v", err)
	}
	c, err := a.Candidate(ctx, f.candID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.HasTag("atstest-vendor") {
		t.Fatalf("after AddTags the candidate has tags %q", c.Tags)
	}
	if err := tg.RemoveTags(ctx, f.candID, "atstest-vendor"); err != nil {
		t.Fatalf("RemoveTags: %v", err)
	}
	if c, err = a.Candidate(ctx, f.candID); err != nil {
		t.Fatal(err)
	}
	if c.HasTag("atstest-vendor") {
		t.Errorf("after RemoveTags the candidate still has tags %q", c.Tags)
	}
}

func (s *suite) testDisqualify(t tester) {
	f := s.seed(t)
	a := s.b.Adapter()
	if err := a.(ats.Disqualifier).Disqualify(ctxFor(t), f.candID, "Unable to schedule"); err != nil {
		t.Fatalf("Disqualify: %v", err)
	}
	c, err := a.Candidate(ctxFor(t), f.candID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Disqualified {
		t.Error("after Disqualify the candidate is not Disqualified")
	}
}

func (s *suite) testWebhooks(t tester, w *Webhooks) {
	if w.Verifier == nil || w.Sign == nil {
		t.Fatal("Webhooks needs Verifier and Sign")
	}
	d := Delivery{
		EventID:     fmt.Sprintf("atstest-event-%d", seq.Add(1)),
		CandidateID: "cand0001",
		JobID:       "job00001",
		FromStageID: "stage-from",
		ToStageID:   "stage-to",
		Time:        time.Now(),
	}
	t.Run("Valid", func(t tester) {
		body, h := w.Sign(d, w.Secret)
		evs, err := w.Verifier.VerifyWebhook(body, h)
		if err != nil {
			t.Fatalf("VerifyWebhook(valid delivery): %v", err)
		}
		if len(evs) == 0 {
			t.Fatal("VerifyWebhook(valid delivery) returned no events")
		}
		ev := evs[0]
		if ev.Kind != ats.EventStageChanged {
			t.Errorf("Kind = %q, want %q", ev.Kind, ats.EventStageChanged)
		}
		if ev.CandidateID != d.CandidateID {
			t.Errorf("CandidateID = %q, want %q", ev.CandidateID, d.CandidateID)
		}
		if ev.ID == "" {
			t.Error("event ID is empty: deliveries cannot be de-duplicated")
		}
		if ev.Source == "" {
			t.Error("event Source is empty")
		}
		if len(ev.Raw) == 0 {
			t.Error("event Raw is empty")
		}
		// A verifier with a replay rule may refuse the second
		// presentation outright; otherwise it must give the same ID.
		again, err := w.Verifier.VerifyWebhook(body, h)
		if !errors.Is(err, ats.ErrWebhookReplayed) && (err != nil || len(again) == 0 || again[0].ID != ev.ID) {
			t.Errorf("verifying the same delivery twice gave a different event ID (%v): redeliveries cannot be de-duplicated", err)
		}
	})
	t.Run("DistinctIDs", func(t tester) {
		// Two different deliveries must get different event IDs, or
		// the engine's de-duplication drops all but the first.
		ids := map[string]int{}
		for i := range 3 {
			di := d
			di.EventID = fmt.Sprintf("atstest-distinct-%d", seq.Add(1))
			di.CandidateID = fmt.Sprintf("cand%04d", 100+i)
			di.Time = d.Time.Add(time.Duration(i+1) * time.Second)
			body, h := w.Sign(di, w.Secret)
			evs, err := w.Verifier.VerifyWebhook(body, h)
			if err != nil || len(evs) == 0 {
				t.Fatalf("VerifyWebhook(delivery %d): %d events, %v", i, len(evs), err)
			}
			ids[evs[0].ID]++
		}
		if len(ids) != 3 {
			t.Errorf("three different deliveries gave event IDs %v; want three distinct IDs", ids)
		}
	})
	t.Run("Tampered", func(t tester) {
		body, h := w.Sign(d, w.Secret)
		tamper := w.Tamper
		if tamper == nil {
			tamper = func(b []byte, h http.Header) ([]byte, http.Header) {
				return bytes.ReplaceAll(b, []byte(d.CandidateID), []byte("cand9999")), h
			}
		}
		tb, th := tamper(bytes.Clone(body), h.Clone())
		if bytes.Equal(tb, body) && fmt.Sprint(th) == fmt.Sprint(h) {
			t.Fatal("Tamper did not change the delivery")
		}
		_, err := w.Verifier.VerifyWebhook(tb, th)
		if !errors.Is(err, ats.ErrSignatureInvalid) {
			t.Errorf("VerifyWebhook(tampered delivery): %v; want ats.ErrSignatureInvalid", err)
		}
	})
	t.Run("WrongSecret", func(t tester) {
		body, h := w.Sign(d, w.Secret+"-wrong")
		_, err := w.Verifier.VerifyWebhook(body, h)
		if !errors.Is(err, ats.ErrSignatureInvalid) {
			t.Errorf("VerifyWebhook(signed with another secret): %v; want ats.ErrSignatureInvalid", err)
		}
		if err != nil && bytes.Contains([]byte(err.Error()), []byte(w.Secret)) {
			t.Errorf("error %q contains the secret", err)
		}
	})
	t.Run("Malformed", func(t tester) {
		for _, body := range [][]byte{nil, []byte("{"), []byte(`"just a string"`), bytes.Repeat([]byte{0xff}, 64)} {
			evs, err := w.Verifier.VerifyWebhook(body, http.Header{})
			if err == nil {
				t.Errorf("VerifyWebhook(%q) accepted an unsigned, malformed delivery: %+v", body, evs)
			}
		}
	})
	if w.Timestamps {
		t.Run("Expired", func(t tester) {
			old := d
			old.Time = time.Now().Add(-2 * time.Hour)
			body, h := w.Sign(old, w.Secret)
			_, err := w.Verifier.VerifyWebhook(body, h)
			if !errors.Is(err, ats.ErrWebhookExpired) {
				t.Errorf("VerifyWebhook(two-hour-old delivery): %v; want ats.ErrWebhookExpired", err)
			}
		})
	}
}
