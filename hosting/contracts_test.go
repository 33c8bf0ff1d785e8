package hosting_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/provider"
)

// contractVendor offers one test per connection, named after it, and
// publishes with the key of each connection's contract.
type contractVendor map[string]string // connection → publishing key

func (contractVendor) Offerings(_ context.Context, conn string, kind lifecycle.CallbackKind) ([]provider.Offering, error) {
	return []provider.Offering{{ID: "7", Name: "Go test for " + conn + " on " + string(kind)}}, nil
}

func (v contractVendor) ContractKey(_ context.Context, conn string, _ lifecycle.CallbackKind) (string, error) {
	k, ok := v[conn]
	if !ok {
		return "", fmt.Errorf("no key for %s", conn)
	}
	return k, nil
}

// contractRig serves two Greenhouse customers (acme-gh, globex-gh), each
// in its own greenhousetest account so their application IDs collide, and
// two Ashby customers (acme-ab, globex-ab) of one ashbytest account. Only
// acme-gh has Harvest credentials.
type contractRig struct {
	engine *lifecycle.Engine
	disp   *lifecycle.Dispatcher
	srv    *httptest.Server
	gh     map[string]*greenhousetest.Server
	ghApp  map[string]int64
	ghKey  map[string]string
	ab     *ashbytest.Server
	abApps []string
}

func newContractRig(t *testing.T) *contractRig {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := &contractRig{gh: map[string]*greenhousetest.Server{}, ghApp: map[string]int64{}, ghKey: map[string]string{}}
	conns := &lifecycle.MemoryConnector{}
	ghKeys, abKeys := provider.NewStaticTokens(nil), provider.NewStaticTokens(nil)
	vendorKeys := contractVendor{}
	for _, id := range []string{"acme-gh", "globex-gh"} {
		s := greenhousetest.NewServer()
		t.Cleanup(s.Close)
		job := s.AddJob(greenhousetest.Job{Name: "Backend", Stages: []greenhousetest.Stage{{Name: "Application Review"}, {Name: "Take Home Test", SchedulingType: "take_home_test"}}})
		// The candidate waits in the take-home-test stage, so Greenhouse
		// has the outstanding test a take_home_test attachment needs.
		c := s.AddCandidate(greenhousetest.Candidate{JobID: job.ID, StageID: job.Stages[1].ID, FirstName: "Ada", LastName: "Lovelace", Emails: []string{"ada@" + id + ".example"}})
		r.gh[id], r.ghApp[id], r.ghKey[id] = s, c.ApplicationID, "gh-key-"+id
		ghKeys.Add(r.ghKey[id], provider.Account(id))
		vendorKeys[id] = r.ghKey[id]
	}
	require.Equal(t, r.ghApp["acme-gh"], r.ghApp["globex-gh"], "the rig needs colliding application IDs")
	harvest, err := greenhouse.NewClient(greenhouse.Options{ClientID: greenhousetest.DefaultClientID, ClientSecret: greenhousetest.DefaultClientSecret,
		UserID: strconv.FormatInt(r.gh["acme-gh"].AdminUserID(), 10), TokenURL: r.gh["acme-gh"].TokenURL(), BaseURL: r.gh["acme-gh"].URL, Logger: log})
	require.NoError(t, err)
	conns.Set("acme-gh", harvest)

	r.ab = ashbytest.NewServer()
	t.Cleanup(r.ab.Close)
	job := r.ab.AddJob(ashbytest.Job{Title: "Engineer", Stages: []ashbytest.Stage{{Title: "Applied"}}})
	for i := range 3 {
		p := r.ab.AddCandidate(ashbytest.Candidate{Name: fmt.Sprintf("Grace Hopper%d", i), Emails: []string{fmt.Sprintf("grace%d@example.com", i)}})
		r.abApps = append(r.abApps, r.ab.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: job.ID}).ID)
	}
	for _, id := range []string{"acme-ab", "globex-ab"} {
		abKeys.Add("ab-key-"+id, provider.Account(id))
		vendorKeys[id] = ashbytest.DefaultAPIKey
	}

	loop := provider.PublisherOptions{AllowLoopback: true, AllowInsecureHTTP: true, MaxRetries: -1, Logger: log}
	pub := lifecycle.ContractPublisher{
		Greenhouse: provider.NewGreenhousePublisher(loop),
		Ashby:      provider.NewAshbyPublisher(provider.AshbyPublisherOptions{PublisherOptions: loop, BaseURL: r.ab.URL}),
		Reports:    conns,
	}
	r.engine = lifecycle.NewEngine(memstore.New(), lifecycle.Options{Connector: conns, Vendor: vendor{}, Publisher: pub, Logger: log})
	// Only acme-gh has an adapter to connect; the others use the partner
	// contracts alone, which need none.
	_, err = r.engine.Connect(ctx, lifecycle.ConnectOptions{ID: "acme-gh", Kind: "greenhouse", SkipSetupCheck: true})
	require.NoError(t, err)
	r.disp = r.engine.Dispatcher(lifecycle.DispatcherOptions{})
	h, err := hosting.NewHandler(hosting.Options{Engine: r.engine, GreenhouseKeys: ghKeys, AshbyKeys: abKeys, ContractVendor: vendorKeys, Logger: log})
	require.NoError(t, err)
	r.srv = httptest.NewServer(h)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *contractRig) partner(t *testing.T, conn string) *greenhousetest.Partner {
	t.Helper()
	p, err := r.gh[conn].NewPartner(greenhousetest.PartnerConfig{Key: r.ghKey[conn],
		ListTestsURL: r.srv.URL + "/greenhouse/list_tests", SendTestURL: r.srv.URL + "/greenhouse/send_test",
		TestStatusURL: r.srv.URL + "/greenhouse/test_status", ResponseErrorURL: r.srv.URL + "/greenhouse/response_error"})
	require.NoError(t, err)
	return p
}

func (r *contractRig) complete(t *testing.T, id string) {
	t.Helper()
	_, err := r.engine.Report(ctx, id, lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Score: "81", Grade: ats.GradePassed,
		ReportURL: "https://vendor.example/r/" + id, Attachments: []ats.Attachment{{Description: "Report", URL: "https://vendor.example/r/" + id + ".pdf"}}}})
	require.NoError(t, err)
	_, err = r.disp.Drain(ctx)
	require.NoError(t, err)
}

// TestGreenhouseContractPerConnection: a send_test is an interview of the
// key's connection; test_status reads it; its completion PATCHes
// Greenhouse, which reads the result; the report is attached through
// Harvest only for the connection with credentials; two connections with
// colliding application IDs never see each other's tests.
func TestGreenhouseContractPerConnection(t *testing.T) {
	r := newContractRig(t)
	ids := map[string]string{}
	for _, conn := range []string{"acme-gh", "globex-gh"} {
		p := r.partner(t, conn)
		tests, err := p.ListTests(ctx)
		require.NoError(t, err)
		require.Equal(t, []greenhousetest.PartnerTest{{ID: "7", Name: "Go test for " + conn + " on greenhouse"}}, tests)
		ids[conn], err = p.SendTest(ctx, r.ghApp[conn], "7", "recruiter@example.com")
		require.NoError(t, err)
		iv, err := r.engine.Interview(ctx, ids[conn])
		require.NoError(t, err, "the partner_interview_id is the lifecycle interview's ID")
		require.Equal(t, conn, iv.Connection)
		require.Equal(t, lifecycle.CallbackGreenhouse, iv.Callback.Kind)
		st, err := p.TestStatus(ctx, ids[conn])
		require.NoError(t, err)
		require.Equal(t, "pending", st.Status)
	}
	require.NotEqual(t, ids["acme-gh"], ids["globex-gh"])

	t.Run("a key of one connection cannot read another's test", func(t *testing.T) {
		_, err := r.partner(t, "acme-gh").TestStatus(ctx, ids["globex-gh"])
		var pe *greenhousetest.PartnerError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, http.StatusNotFound, pe.StatusCode)
	})

	for _, conn := range []string{"acme-gh", "globex-gh"} {
		r.complete(t, ids[conn])
		require.NoError(t, r.gh[conn].WaitDeliveries(ctx))
	}
	tests := []struct {
		conn        string
		attachments []string
	}{
		{"acme-gh", []string{"take_home_test:Report.pdf"}},
		{"globex-gh", nil}, // no Harvest credentials: no attachment
	}
	for _, tc := range tests {
		t.Run(tc.conn, func(t *testing.T) {
			th := r.gh[tc.conn].TakeHomeTests()
			require.Len(t, th, 1)
			score := 81.0
			want := greenhousetest.TakeHomeTest{ID: th[0].ID, ApplicationID: r.ghApp[tc.conn], PartnerTestID: "7", PartnerInterviewID: ids[tc.conn],
				Status: "complete", ProfileURL: "https://vendor.example/r/" + ids[tc.conn], Score: &score, Metadata: map[string]any{"grade": "passed"}, Patches: 1}
			if diff := cmp.Diff(want, th[0], cmp.AllowUnexported(greenhousetest.TakeHomeTest{}), cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".partner" }, cmp.Ignore())); diff != "" {
				t.Errorf("take-home test (-want +got):\n%s", diff)
			}
			var got []string
			for _, a := range r.gh[tc.conn].Attachments(r.ghApp[tc.conn]) {
				if a.Type != "resume" {
					got = append(got, a.Type+":"+a.Filename)
				}
			}
			if diff := cmp.Diff(tc.attachments, got); diff != "" {
				t.Errorf("attachments (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGreenhouseSendTestIdempotentPerConnection: Greenhouse's repeat of a
// send_test gets the first partner_interview_id; the same body under
// another connection's key is that connection's own test.
func TestGreenhouseSendTestIdempotentPerConnection(t *testing.T) {
	r := newContractRig(t)
	body := `{"partner_test_id":"7","candidate":{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"},
"url":"https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1"}`
	send := func(key string) (int, string) {
		req, _ := http.NewRequest("POST", r.srv.URL+"/greenhouse/send_test", strings.NewReader(body))
		req.SetBasicAuth(key, "")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		name, key string
		wantCode  int
	}{
		{"acme", r.ghKey["acme-gh"], 200},
		{"acme again", r.ghKey["acme-gh"], 200},
		{"globex, same body", r.ghKey["globex-gh"], 200},
		{"unknown key", "gh-key-initech", 401},
	}
	got := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, b := send(tc.key)
			require.Equal(t, tc.wantCode, code, b)
			got[tc.name] = b
		})
	}
	require.Equal(t, got["acme"], got["acme again"])
	require.NotEqual(t, got["acme"], got["globex, same body"])
	for _, conn := range []string{"acme-gh", "globex-gh"} {
		ivs, err := r.engine.Interviews(ctx, lifecycle.InterviewFilter{Connection: conn})
		require.NoError(t, err)
		require.Len(t, ivs, 1, conn)
	}
}

// TestAshbyContractPerConnection: assessment.start is an interview of the
// key's connection answered with a first "Started" update; its completion
// is an assessment.update with the result; assessment.cancel cancels it;
// a key of one connection cannot cancel another's assessment.
func TestAshbyContractPerConnection(t *testing.T) {
	r := newContractRig(t)
	acme, globex := r.ab.Partner(r.srv.URL+"/ashby", "ab-key-acme-ab"), r.ab.Partner(r.srv.URL+"/ashby", "ab-key-globex-ab")
	types, err := acme.ListAssessments(ctx)
	require.NoError(t, err)
	require.Equal(t, []ashbytest.PartnerAssessmentType{{ID: "7", Name: "Go test for acme-ab on ashby"}}, types)

	done, err := acme.StartAssessment(ctx, r.abApps[0], "7", nil)
	require.NoError(t, err)
	require.True(t, done.Updated, "start answers with a first update")
	again, err := acme.StartAssessment(ctx, r.abApps[0], "7", nil)
	require.NoError(t, err)
	require.Equal(t, done.AssessmentID, again.AssessmentID, "Ashby's retry gets the same assessment")
	cancelled, err := acme.StartAssessment(ctx, r.abApps[1], "7", nil)
	require.NoError(t, err)
	other, err := globex.StartAssessment(ctx, r.abApps[2], "7", nil)
	require.NoError(t, err)
	iv, err := r.engine.Interview(ctx, other.AssessmentID)
	require.NoError(t, err)
	require.Equal(t, "globex-ab", iv.Connection)

	r.complete(t, done.AssessmentID)
	a, ok := r.ab.Assessment(done.AssessmentID)
	require.True(t, ok)
	require.True(t, a.Complete())
	require.Equal(t, 81.0, a.Result.Value)
	require.Equal(t, "https://vendor.example/r/"+done.AssessmentID, a.ProfileURL.Value)

	tests := []struct {
		name    string
		p       *ashbytest.Partner
		id      string
		wantErr int
	}{
		{"another connection's assessment is not found", globex, cancelled.AssessmentID, http.StatusNotFound},
		{"an unknown assessment is not found", acme, "iv_nope", http.StatusNotFound},
		{"the connection cancels its own", acme, cancelled.AssessmentID, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.CancelAssessment(ctx, tc.id)
			if tc.wantErr == 0 {
				require.NoError(t, err)
				return
			}
			var pe *ashbytest.PartnerError
			require.True(t, errors.As(err, &pe), "%v", err)
			require.Equal(t, tc.wantErr, pe.Status)
		})
	}
	iv, err = r.engine.Interview(ctx, cancelled.AssessmentID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.StateCancelled, iv.State)
}

// TestContractOptionsGoTogether: keys without a vendor are refused.
func TestContractOptionsGoTogether(t *testing.T) {
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{})
	_, err := hosting.NewHandler(hosting.Options{Engine: engine, GreenhouseKeys: provider.NewStaticTokens(nil)})
	require.ErrorContains(t, err, "ContractVendor")
	_, err = hosting.NewHandler(hosting.Options{Engine: engine, ContractVendor: contractVendor{}})
	require.ErrorContains(t, err, "ContractVendor")
}
