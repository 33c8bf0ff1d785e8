package httpx

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/time/rate"
)

type jobsPage struct {
	Jobs []struct{ ID, Title string }
}

// BenchmarkPacingOverhead measures what Client adds to a request against
// the same httptest server, in one run:
//
//   - plain: http.Client GET + JSON decode (the baseline);
//   - unpaced: Client with pacing off (retry policy, credentials, size cap);
//   - paced: Client with a real token bucket at a limit high enough never
//     to make a request wait, so only the pacing machinery is added.
//
// The paced sub-benchmark reports x-plain and x-unpaced: its ns/op divided
// by the other two.
func BenchmarkPacingOverhead(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jobs":[{"id":"61884e2","title":"Sales Intern"}]}`)
	}))
	defer srv.Close()
	ctx := context.Background()
	auth := func(r *http.Request) error {
		r.Header.Set("Authorization", "Bearer t")
		return nil
	}
	newClient := func(limit rate.Limit) *Client {
		c, err := New(Config{BaseURL: srv.URL + "/v1", HTTPClient: srv.Client(), Limit: limit, Burst: 1 << 20, Authorize: auth})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	unpaced, paced := newClient(0), newClient(rate.Limit(1e9))
	if paced.Pacer().lim == nil || unpaced.Pacer().lim != nil {
		b.Fatal("pacing configuration is not what the benchmark compares")
	}
	plain := srv.Client()

	ns := map[string]float64{}
	run := func(name string, get func() error) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := get(); err != nil {
					b.Fatal(err)
				}
			}
			ns[name] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if name == "paced" && ns["plain"] > 0 && ns["unpaced"] > 0 {
				b.ReportMetric(ns[name]/ns["plain"], "x-plain")
				b.ReportMetric(ns[name]/ns["unpaced"], "x-unpaced")
			}
		})
	}
	run("plain", func() error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/jobs", nil)
		auth(req)
		resp, err := plain.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var out jobsPage
		return json.NewDecoder(resp.Body).Decode(&out)
	})
	run("unpaced", func() error {
		var out jobsPage
		_, err := unpaced.Do(ctx, &Request{Op: "list jobs", Path: "/jobs"}, &out)
		return err
	})
	run("paced", func() error {
		var out jobsPage
		_, err := paced.Do(ctx, &Request{Op: "list jobs", Path: "/jobs"}, &out)
		return err
	})
}
