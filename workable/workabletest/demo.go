package workabletest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
)

// WithAddr makes the server listen on addr (e.g. "127.0.0.1:8081", or
// "127.0.0.1:0" for a free port) instead of a free loopback port, so a
// program can print a URL that stays the same from run to run. NewServer
// panics if addr cannot be listened on, as httptest.NewServer does.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// start starts the HTTP server on the configured address.
func (s *Server) start() *httptest.Server {
	if s.cfg.addr == "" {
		return httptest.NewServer(http.HandlerFunc(s.serve))
	}
	ln, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		panic(fmt.Sprintf("workabletest: WithAddr(%q): %v (is another fake still running? choose another address)", s.cfg.addr, err))
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	return ts
}

// Demo is what SeedDemo added to the account.
type Demo struct {
	// Member is the acting member a host's client writes as.
	Member Member
	// Job is linked: its pipeline has the vendor's stage.
	Job Job
	// Candidate applied to Job and sits in its first stage.
	Candidate Candidate
	// VendorStage is the slug of the vendor's stage; MoveToVendorStage
	// moves Candidate there.
	VendorStage string
}

// SeedDemo seeds what a host's first run needs: an active admin member
// with memberEmail (the host's workable.Options.ActingMemberEmail), the
// job "Backend Engineer" whose pipeline Applied, vendorStage, Interview,
// Offer links it to the vendor named vendorStage (the host's
// workable.Options.VendorStage), and the candidate Ada Lovelace
// (ada@example.com) in Applied.
func (s *Server) SeedDemo(vendorStage, memberEmail string) Demo {
	d := Demo{VendorStage: Slugify(vendorStage)}
	d.Member = s.AddMember(Member{Name: "Integrations", Email: memberEmail, Roles: []string{"ats.admin"}})
	d.Job = s.AddJob(Job{Title: "Backend Engineer", Stages: StagesNamed("Applied", vendorStage, "Interview", "Offer")})
	d.Candidate = s.AddCandidate(Candidate{JobShortcode: d.Job.Shortcode, Stage: d.Job.Stages[0].Slug,
		Name: "Ada Lovelace", Email: "ada@example.com"})
	return d
}

// MoveToVendorStage moves the demo's candidate into the vendor's stage, as
// a recruiter would, which fires candidate_moved to the subscriptions.
func (s *Server) MoveToVendorStage(d Demo) error {
	return s.MoveCandidate(d.Candidate.ID, d.VendorStage)
}
