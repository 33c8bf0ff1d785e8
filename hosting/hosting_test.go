package hosting_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/examples/custom-adapter/memats"
	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/provider"
	"github.com/atskit/atskit/workable"
)

var ctx = context.Background()

// linked is a memats adapter whose jobs are all linked through stage
// "interview".
type linked struct{ *memats.Adapter }

func (l linked) LinkedJobs(ctx context.Context) iter.Seq2[ats.Job, error] {
	return func(yield func(ats.Job, error) bool) {
		for j, err := range l.Jobs(ctx, ats.ListJobsOptions{}) {
			j.Link = ats.JobLink{Linked: true, StageID: "interview"}
			if !yield(j, err) {
				return
			}
		}
	}
}

// secretVerifier verifies Workable-signed deliveries with one secret.
type secretVerifier string

func (s secretVerifier) VerifyWebhook(body []byte, h http.Header) ([]ats.Event, error) {
	return workable.VerifyWebhook(body, h, string(s))
}

type vendor struct{}

func (vendor) CreateInterview(_ context.Context, r lifecycle.VendorRequest) (string, error) {
	return "v-" + r.IdempotencyKey, nil
}
func (vendor) CancelInterview(context.Context, string) error { return nil }

type providerVendor struct{}

func (providerVendor) InterviewTemplates(_ context.Context, conn string) ([]provider.InterviewTemplate, error) {
	return []provider.InterviewTemplate{{ID: "tpl", Name: "Screening for " + conn}}, nil
}
func (providerVendor) CallbackToken(_ context.Context, conn string) (string, error) {
	return "cb-token-" + conn, nil
}

type tenant struct {
	svc          *memats.Service
	job, cand    string
	secret, bear string
}

type rig struct {
	conns   *lifecycle.MemoryConnector
	engine  *lifecycle.Engine
	store   *memstore.Store
	srv     *httptest.Server
	tenants map[string]*tenant
	links   *hosting.RetriggerLinks
	disp    *lifecycle.Dispatcher
}

// newRig serves two customers, acme and globex, whose Workable-like
// accounts have the same job and candidate IDs, each with its own webhook
// secret and provider token.
func newRig(t *testing.T) *rig {
	t.Helper()
	conns := &lifecycle.MemoryConnector{}
	verifiers := &hosting.MemoryVerifiers{}
	links := &hosting.RetriggerLinks{Secret: bytes.Repeat([]byte("k"), 32)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := memstore.New()
	engine := lifecycle.NewEngine(store, lifecycle.Options{Connector: conns, Vendor: vendor{}, RetriggerURL: links.URL, Logger: log})
	tokens := provider.NewStaticTokens(nil)
	r := &rig{conns: conns, engine: engine, store: store, tenants: map[string]*tenant{}, links: links,
		disp: engine.Dispatcher(lifecycle.DispatcherOptions{})}
	for _, id := range []string{"acme", "globex"} {
		tn := &tenant{svc: memats.NewService("tok"), secret: "secret-" + id, bear: "bearer-" + id}
		tn.job, _ = tn.svc.AddJob("Backend", "Applied", "Interview", "Offer")
		var err error
		tn.cand, err = tn.svc.AddCandidate(tn.job, "applied", ats.Candidate{Name: "Person of " + id, Emails: []string{"p@" + id + ".example"}})
		require.NoError(t, err)
		conns.Set(id, linked{memats.NewAdapter(tn.svc, "tok")})
		verifiers.Set("workable", id, secretVerifier(tn.secret))
		tokens.Add(tn.bear, provider.Account(id))
		_, err = engine.Connect(ctx, lifecycle.ConnectOptions{ID: id, Kind: "workable"})
		require.NoError(t, err)
		_, err = engine.RefreshPositions(ctx, id)
		require.NoError(t, err)
		pos := lifecycle.PositionID(id, tn.job)
		_, err = engine.ConfigurePosition(ctx, pos, lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "Tech"}},
			Require: []lifecycle.Field{lifecycle.FieldPhone}})
		require.NoError(t, err)
		_, err = engine.ActivatePosition(ctx, pos)
		require.NoError(t, err)
		r.tenants[id] = tn
	}
	require.Equal(t, r.tenants["acme"].cand, r.tenants["globex"].cand, "the rig needs colliding candidate IDs")
	h, err := hosting.NewHandler(hosting.Options{Engine: engine, Webhooks: verifiers, Links: links,
		ProviderTokens: tokens, ProviderVendor: providerVendor{}, Connector: conns, Logger: log})
	require.NoError(t, err)
	r.srv = httptest.NewServer(h)
	t.Cleanup(r.srv.Close)
	links.BaseURL = r.srv.URL
	return r
}

// deliver posts a candidate_moved delivery for tenant of's candidate to
// connection conn's route, signed with secret, then lets the dispatcher
// process what the webhook accepted: afterwards no event is pending.
func (r *rig) deliver(t *testing.T, conn string, of *tenant, secret, id string) int {
	t.Helper()
	status := r.post(t, conn, of, secret, id)
	_, err := r.disp.Drain(ctx)
	require.NoError(t, err)
	pending, err := r.engine.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxPending})
	require.NoError(t, err)
	require.Empty(t, pending, "events left unprocessed")
	return status
}

// post posts a delivery like deliver and returns the status without
// processing anything.
func (r *rig) post(t *testing.T, conn string, of *tenant, secret, id string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"id": id, "event_type": "candidate_moved", "fired_at": time.Now().UTC().Format(time.RFC3339),
		"resource_type": "candidate", "data": map[string]any{"id": of.cand, "job": map[string]any{"shortcode": of.job}, "stage": "interview"}})
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/hooks/workable/"+conn, bytes.NewReader(body))
	req.Header.Set(workable.SignatureHeader, workable.Sign(body, secret))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func (r *rig) interviews(t *testing.T, conn string) []lifecycle.Interview {
	ivs, err := r.engine.Interviews(ctx, lifecycle.InterviewFilter{Connection: conn})
	require.NoError(t, err)
	return ivs
}

func TestWebhooksPerConnection(t *testing.T) {
	r := newRig(t)
	for _, id := range []string{"acme", "globex"} {
		tn := r.tenants[id]
		require.NoError(t, memats.NewAdapter(tn.svc, "tok").MoveCandidate(ctx, tn.cand, "interview"))
	}
	acme, globex := r.tenants["acme"], r.tenants["globex"]
	tests := []struct {
		name       string
		conn       string
		of         *tenant
		secret     string
		wantStatus int
		// wantAcme and wantGlobex are the interviews each connection has after.
		wantAcme, wantGlobex int
	}{
		{"acme's delivery on acme's route", "acme", acme, acme.secret, http.StatusOK, 1, 0},
		{"signed with acme's secret on globex's route", "globex", acme, acme.secret, http.StatusUnauthorized, 1, 0},
		{"globex's delivery on globex's route", "globex", globex, globex.secret, http.StatusOK, 1, 1},
		{"unknown connection is acknowledged and dropped", "initech", acme, acme.secret, http.StatusOK, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The same delivery ID every time: de-duplication is per connection.
			got := r.deliver(t, tc.conn, tc.of, tc.secret, "delivery-1")
			require.Equal(t, tc.wantStatus, got)
			require.Len(t, r.interviews(t, "acme"), tc.wantAcme)
			require.Len(t, r.interviews(t, "globex"), tc.wantGlobex)
		})
	}
	a, g := r.interviews(t, "acme")[0], r.interviews(t, "globex")[0]
	require.Equal(t, "Person of acme", a.Candidate.Name)
	require.Equal(t, "Person of globex", g.Candidate.Name)

	t.Run("disabled connection is acknowledged and starts nothing", func(t *testing.T) {
		_, err := r.engine.DisableConnection(ctx, "acme", "customer switched the integration off")
		require.NoError(t, err)
		second, err := acme.svc.AddCandidate(acme.job, "interview", ats.Candidate{Name: "Late applicant", Emails: []string{"l@acme.example"}})
		require.NoError(t, err)
		body := &tenant{svc: acme.svc, job: acme.job, cand: second}
		require.Equal(t, http.StatusOK, r.deliver(t, "acme", body, acme.secret, "delivery-3"))
		require.Len(t, r.interviews(t, "acme"), 1)
	})

	t.Run("disabled connection without credentials is acknowledged", func(t *testing.T) {
		// The host dropped the switched-off account's credentials: the
		// engine cannot read the candidate, and the ATS must still stop
		// retrying.
		r.conns.Delete("acme")
		defer r.conns.Set("acme", linked{memats.NewAdapter(acme.svc, "tok")})
		require.Equal(t, http.StatusOK, r.deliver(t, "acme", acme, acme.secret, "delivery-4"))
		require.Len(t, r.interviews(t, "acme"), 1)
	})

	t.Run("removed connection is acknowledged and dropped", func(t *testing.T) {
		_, err := r.engine.RemoveConnection(ctx, "globex", "access revoked")
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r.deliver(t, "globex", globex, globex.secret, "delivery-2"))
	})
}

func TestRetriggerLinksPerConnection(t *testing.T) {
	r := newRig(t)
	for _, id := range []string{"acme", "globex"} {
		tn := r.tenants[id]
		require.NoError(t, memats.NewAdapter(tn.svc, "tok").MoveCandidate(ctx, tn.cand, "interview"))
		require.Equal(t, http.StatusOK, r.deliver(t, id, tn, tn.secret, "d-"+id))
	}
	a := r.interviews(t, "acme")[0]
	g := r.interviews(t, "globex")[0]
	require.Equal(t, lifecycle.StateNeedsInfo, a.State, "the rig requires a phone number nobody has")

	post := func(link string) int {
		resp, err := http.Post(link, "", nil)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	acmeLink := r.links.URL("acme", a.ID)
	u, _ := url.Parse(acmeLink)
	sig := u.Query().Get("sig")
	tests := []struct {
		name string
		link string
		want int
	}{
		{"acme's link with globex's interview", strings.Replace(acmeLink, a.ID, g.ID, 1), http.StatusForbidden},
		{"acme's signature on globex's route", r.srv.URL + "/retrigger/globex/" + a.ID + "?sig=" + sig, http.StatusForbidden},
		{"no signature", r.srv.URL + "/retrigger/acme/" + a.ID, http.StatusForbidden},
		{"acme's link", acmeLink, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, post(tc.link))
		})
	}
	got, err := r.engine.Interview(ctx, g.ID)
	require.NoError(t, err)
	require.Equal(t, g.Version, got.Version, "globex's interview was touched")

	t.Run("GET only confirms", func(t *testing.T) {
		resp, err := http.Get(acmeLink)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(body), "<form method=\"post\"")
		after, err := r.engine.Interview(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, lifecycle.StateNeedsInfo, after.State)
	})
}

func TestProviderContractPerConnection(t *testing.T) {
	r := newRig(t)
	create := func(bearer string, tn *tenant) (int, string) {
		body, _ := json.Marshal(map[string]any{"interview_template_id": "tpl", "job_id": tn.job, "job_title": "Backend",
			"callback_url": "https://workable.example/cb/1", "candidate": map[string]any{"first_name": "P", "last_name": "Q", "email": "p@acme.example"}})
		req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/provider/interviews", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+bearer)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out struct {
			ID string `json:"interview_id"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out.ID
	}
	get := func(bearer, id string) int {
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/provider/interviews/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	acme, globex := r.tenants["acme"], r.tenants["globex"]
	// The same job ID, candidate e-mail (acme's candidate: globex has no
	// such candidate, so its interview is detached) and callback URL from both tenants.
	st, aid := create(acme.bear, acme)
	require.Equal(t, http.StatusCreated, st)
	st, gid := create(globex.bear, globex)
	require.Equal(t, http.StatusCreated, st)
	require.NotEqual(t, aid, gid, "the second tenant was handed the first tenant's interview")

	// The engine's read APIs never return callback tokens: read what
	// the store holds for each tenant's interview.
	ai, err := r.store.Interview(ctx, aid)
	require.NoError(t, err)
	gi, err := r.store.Interview(ctx, gid)
	require.NoError(t, err)
	got := []string{ai.Connection, ai.Callback.Token, ai.RoundName, ai.CandidateID, gi.Connection, gi.Callback.Token, gi.RoundName, fmt.Sprint(gi.Detached)}
	want := []string{"acme", "cb-token-acme", "Screening for acme", acme.cand, "globex", "cb-token-globex", "Screening for globex", "true"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("provider interviews (-want +got):\n%s", d)
	}
	require.Equal(t, http.StatusOK, get(acme.bear, aid))
	require.Equal(t, http.StatusNotFound, get(globex.bear, aid), "globex read acme's interview")
}

// gated is an adapter whose candidate reads wait until gate is closed: an
// ATS that is slow or throttled.
type gated struct {
	linked
	gate <-chan struct{}
}

func (g gated) Candidate(ctx context.Context, id string) (ats.Candidate, error) {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ats.Candidate{}, ctx.Err()
	}
	return g.linked.Candidate(ctx, id)
}

// TestWebhookAnsweredBeforeTheATSIsRead: a delivery is stored in the
// engine's inbox and answered without waiting for the ATS, and the
// dispatcher processes it once the ATS answers.
func TestWebhookAnsweredBeforeTheATSIsRead(t *testing.T) {
	r := newRig(t)
	acme := r.tenants["acme"]
	require.NoError(t, memats.NewAdapter(acme.svc, "tok").MoveCandidate(ctx, acme.cand, "interview"))
	gate := make(chan struct{})
	r.conns.Set("acme", gated{linked{memats.NewAdapter(acme.svc, "tok")}, gate})

	require.Equal(t, http.StatusOK, r.post(t, "acme", acme, acme.secret, "delivery-1"), "answered while the ATS hangs")
	require.Equal(t, http.StatusOK, r.post(t, "acme", acme, acme.secret, "delivery-1"), "a redelivery is answered too")
	pending, err := r.engine.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxPending})
	require.NoError(t, err)
	require.Len(t, pending, 1, "the redelivery is stored once")
	require.Equal(t, "delivery-1", pending[0].EventID)
	require.Empty(t, r.interviews(t, "acme"), "nothing decided yet")

	close(gate)
	_, err = r.disp.Drain(ctx)
	require.NoError(t, err)
	require.Len(t, r.interviews(t, "acme"), 1)
	done, err := r.engine.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxProcessed})
	require.NoError(t, err)
	require.Len(t, done, 1)
}
