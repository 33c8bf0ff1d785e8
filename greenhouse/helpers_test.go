package greenhouse_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/oauth2"

	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
)

// newServer starts a fake without a rate limit unless opts set one.
func newServer(t testing.TB, opts ...greenhousetest.Option) *greenhousetest.Server {
	t.Helper()
	srv := greenhousetest.NewServer(append([]greenhousetest.Option{greenhousetest.WithRateLimit(0, 0)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// newClient returns a client of srv with the default credentials, acting
// as the fake's admin, retrying once with short waits.
func newClient(t testing.TB, srv *greenhousetest.Server, mod ...func(*greenhouse.Options)) *greenhouse.Client {
	t.Helper()
	o := greenhouse.Options{
		ClientID: greenhousetest.DefaultClientID, ClientSecret: greenhousetest.DefaultClientSecret,
		UserID:   strconv.FormatInt(srv.AdminUserID(), 10),
		TokenURL: srv.TokenURL(), BaseURL: srv.URL, RateLimit: -1,
		MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond,
		VendorStage: "InterviewVector", // the vendor of these tests
	}
	for _, m := range mod {
		m(&o)
	}
	c, err := greenhouse.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// seed adds a job with the default plan and one candidate in its first
// stage.
func seed(t testing.TB, srv *greenhousetest.Server) (greenhousetest.Job, greenhousetest.Candidate) {
	t.Helper()
	j := srv.AddJob(greenhousetest.Job{Name: "Backend Engineer"})
	c := srv.AddCandidate(greenhousetest.Candidate{JobID: j.ID, FirstName: "Ada", LastName: "Lovelace",
		Emails: []string{"ada@example.com"}, Phones: []string{"+44 20 7946 0000"}})
	return j, c
}

func strconvParse(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

// cmpIgnoreTimes ignores the timestamps the fake sets from its clock.
var cmpIgnoreTimes = cmpopts.IgnoreFields(ats.Candidate{}, "CreatedAt", "UpdatedAt")

func staticToken(tok string) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok})
}
