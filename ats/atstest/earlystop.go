package atstest

import (
	"iter"

	"github.com/atskit/atskit/ats"
)

// testEarlyStop checks that every list the adapter offers stops calling
// yield once the consumer returned false. A for-range loop that breaks out
// of such an iterator panics in the caller's code ("range function
// continued iteration after function for loop body returned false"), so
// the suite drives the iterators by hand and counts the calls instead.
func (s *suite) testEarlyStop(t tester) {
	f := s.seed(t)
	// A second job and candidate, so every list has more than one item.
	jobID2, stageIDs2 := s.b.SeedJob(t, unique("atstest early-stop job"), []string{"Applied"})
	s.b.SeedCandidate(t, jobID2, stageIDs2[0], f.cand)
	a := s.b.Adapter()
	ctx := ctxFor(t)
	lists := []struct {
		name string
		seq  iter.Seq2[any, error]
	}{
		{"Jobs", erase(a.Jobs(ctx, ats.ListJobsOptions{PageSize: 1}))},
	}
	if cl, ok := a.(ats.CandidateLister); ok {
		lists = append(lists, struct {
			name string
			seq  iter.Seq2[any, error]
		}{"Candidates", erase(cl.Candidates(ctx, ats.CandidateFilter{PageSize: 1}))})
	}
	if ll, ok := a.(ats.LinkedJobLister); ok {
		lists = append(lists, struct {
			name string
			seq  iter.Seq2[any, error]
		}{"LinkedJobs", erase(ll.LinkedJobs(ctx))})
	}
	for _, l := range lists {
		calls, after := 0, 0
		stopped := false
		l.seq(func(_ any, err error) bool {
			calls++
			if stopped {
				after++
			}
			stopped = true
			return false
		})
		if after > 0 {
			t.Errorf("%s: the iterator called yield %d more times after the consumer returned false; "+
				"it must return as soon as yield returns false (a for-range loop with break panics otherwise)", l.name, after)
		}
		if calls == 0 && l.name == "Jobs" {
			t.Errorf("%s: the iterator yielded nothing although jobs were seeded", l.name)
		}
	}
}

func erase[T any](seq iter.Seq2[T, error]) iter.Seq2[any, error] {
	return func(yield func(any, error) bool) {
		seq(func(v T, err error) bool { return yield(v, err) })
	}
}
