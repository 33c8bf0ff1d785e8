package ashby_test

import (
	"context"
	"testing"
	"time"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
)

// fixture is an account with one job (Applied, Vendor Interview, Offer,
// Hired, Archived) and one application in Applied.
type fixture struct {
	srv    *ashbytest.Server
	c      *ashby.Client
	job    ashbytest.Job
	person ashbytest.Candidate
	app    ashbytest.Application
	reason ashbytest.ArchiveReason
}

func newFixture(t *testing.T, mod func(*ashby.Options), opts ...ashbytest.Option) *fixture {
	t.Helper()
	srv := ashbytest.NewServer(append([]ashbytest.Option{ashbytest.WithRateLimit(1000, 100)}, opts...)...)
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv}
	f.reason = srv.AddArchiveReason("Underqualified")
	srv.AddUser(ashbytest.User{FirstName: "Vendor", LastName: "Bot", Email: "bot@vendor.test"})
	f.job = srv.AddJob(ashbytest.Job{Title: "Backend Engineer", Stages: []ashbytest.Stage{
		{Title: "Applied"}, {Title: "Vendor Interview"}, {Title: "Offer", Type: "Offer"}, {Title: "Hired", Type: "Hired"}, {Title: "Archived", Type: "Archived"},
	}})
	f.person = srv.AddCandidate(ashbytest.Candidate{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}, Phones: []string{"+44 20 7946 0000"}})
	f.app = srv.AddApplication(ashbytest.Application{CandidateID: f.person.ID, JobID: f.job.ID})
	f.c = newClient(t, srv, ashbytest.DefaultAPIKey, mod)
	return f
}

func (f *fixture) stage(title string) string {
	for _, s := range f.job.Stages {
		if s.Title == title {
			return s.ID
		}
	}
	panic("no stage " + title)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}
