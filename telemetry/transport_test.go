package telemetry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/telemetryctx"
	"github.com/atskit/atskit/telemetry"
	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"golang.org/x/time/rate"
)

const (
	secretToken = "tok-Sup3rSecret"
	secretEmail = "jane.doe@example.com"
)

type rig struct {
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
	client *httpx.Client
	srv    *httptest.Server
	seen   chan *http.Request
}

func newRig(t *testing.T, status int, limit rate.Limit) *rig {
	t.Helper()
	r := &rig{spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader(), seen: make(chan *http.Request, 16)}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(r.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.seen <- req
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(r.srv.Close)
	c, err := httpx.New(httpx.Config{
		ATS: "workable", BaseURL: r.srv.URL + "/spi/v3", MaxRetries: -1, Limit: limit, Burst: 1,
		HTTPClient: &http.Client{Transport: telemetry.Transport(nil, telemetry.TransportOptions{
			ATS: "workable", Connection: "acme", TracerProvider: tp, MeterProvider: mp,
		})},
		Authorize: func(req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+secretToken)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.client = c
	return r
}

// TestTransportRedacts sends a request carrying a token in the query, the
// Authorization header and an e-mail filter, and checks that the request
// reached the server unchanged while no span attribute, status or metric
// attribute contains any of them.
func TestTransportRedacts(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		query map[string][]string
	}{
		{name: "token and email in query", path: "/candidates", query: map[string][]string{"token": {secretToken}, "email": {secretEmail}}},
		{name: "absolute next-page link with query", path: "", query: map[string][]string{"access_token": {secretToken}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, http.StatusOK, 0)
			path := tt.path
			if path == "" {
				path = r.srv.URL + "/spi/v3/candidates?since_id=" + secretEmail
			}
			if _, err := r.client.Do(context.Background(), &httpx.Request{Op: "list", Path: path, Query: tt.query}, nil); err != nil {
				t.Fatal(err)
			}
			got := <-r.seen
			if got.Header.Get("Authorization") != "Bearer "+secretToken || !strings.Contains(got.URL.RawQuery, "=") {
				t.Fatalf("request reached the server changed: auth %q, query %q", got.Header.Get("Authorization"), got.URL.RawQuery)
			}
			spans := r.spans.GetSpans()
			if len(spans) != 1 {
				t.Fatalf("got %d spans, want 1", len(spans))
			}
			var texts []string
			for _, kv := range spans[0].Attributes {
				texts = append(texts, string(kv.Key)+"="+kv.Value.Emit())
			}
			texts = append(texts, spans[0].Name, spans[0].Status.Description)
			var rm metricdata.ResourceMetrics
			if err := r.reader.Collect(context.Background(), &rm); err != nil {
				t.Fatal(err)
			}
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					texts = append(texts, metricAttrTexts(m)...)
				}
			}
			for _, s := range texts {
				for _, secret := range []string{secretToken, secretEmail, "Bearer"} {
					if strings.Contains(s, secret) {
						t.Errorf("telemetry leaks %q in %q", secret, s)
					}
				}
			}
			attrs := attribute.NewSet(spans[0].Attributes...)
			want := map[attribute.Key]string{"url.full": r.srv.URL + "/spi/v3/candidates", "atskit.ats": "workable", "atskit.connection": "acme"}
			for k, v := range want {
				if got, _ := attrs.Value(k); got.Emit() != v {
					t.Errorf("span attribute %s = %q, want %q", k, got.Emit(), v)
				}
			}
		})
	}
}

// TestTransportMetrics checks the 429 counter and the pacer-wait
// histogram the adapters' client reports through the transport.
func TestTransportMetrics(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		requests    int
		wantLimited int64
	}{
		{name: "two 429s", status: http.StatusTooManyRequests, requests: 2, wantLimited: 2},
		{name: "no 429", status: http.StatusOK, requests: 2, wantLimited: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// 5 requests a second, burst 1: the second request waits
			// about 200 ms for its turn, less however long the first
			// one took.
			r := newRig(t, tt.status, 5)
			for range tt.requests {
				_, _ = r.client.Do(context.Background(), &httpx.Request{Op: "get", Path: "/jobs"}, nil)
			}
			var rm metricdata.ResourceMetrics
			if err := r.reader.Collect(context.Background(), &rm); err != nil {
				t.Fatal(err)
			}
			var limited int64
			var waits uint64
			var waitSum float64
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					switch m.Name {
					case telemetry.MetricRateLimited:
						for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
							limited += dp.Value
						}
					case telemetry.MetricPacerWait:
						for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
							waits += dp.Count
							waitSum += dp.Sum
						}
					}
				}
			}
			if diff := cmp.Diff(tt.wantLimited, limited); diff != "" {
				t.Errorf("%s (-want +got):\n%s", telemetry.MetricRateLimited, diff)
			}
			if waits != uint64(tt.requests) {
				t.Errorf("%s recorded %d waits, want %d", telemetry.MetricPacerWait, waits, tt.requests)
			}
			if min := (100 * time.Millisecond).Seconds(); waitSum < min {
				t.Errorf("%s sum = %.4fs, want at least %.3fs (the second request waits for the bucket)", telemetry.MetricPacerWait, waitSum, min)
			}
		})
	}
}

func metricAttrTexts(m metricdata.Metrics) []string {
	var sets []attribute.Set
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	case metricdata.Sum[float64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	case metricdata.Histogram[int64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	}
	var out []string
	for _, s := range sets {
		for _, kv := range s.ToSlice() {
			out = append(out, m.Name+" "+string(kv.Key)+"="+kv.Value.Emit())
		}
	}
	return out
}

// TestTransportSharedClient checks that a transport shared by connections
// (no ATS or Connection in its options) attributes each call to the
// account the lifecycle dispatcher names in the request's context.
func TestTransportSharedClient(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	reader := sdkmetric.NewManualReader()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	hc := &http.Client{Transport: telemetry.Transport(nil, telemetry.TransportOptions{
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)),
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
	})}
	accounts := []telemetryctx.Account{{ATS: "lever", Connection: "globex"}, {ATS: "workable", Connection: "acme"}, {ATS: "workable", Connection: "acme"}}
	for _, a := range accounts {
		req, _ := http.NewRequestWithContext(telemetryctx.With(context.Background(), a), http.MethodGet, srv.URL+"/x", nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var gotSpans []string
	for _, s := range spans.GetSpans() {
		set := attribute.NewSet(s.Attributes...)
		k, _ := set.Value(telemetry.AttrATS)
		c, _ := set.Value(telemetry.AttrConnection)
		gotSpans = append(gotSpans, k.AsString()+"/"+c.AsString())
	}
	if diff := cmp.Diff([]string{"lever/globex", "workable/acme", "workable/acme"}, gotSpans); diff != "" {
		t.Errorf("client span accounts (-want +got):\n%s", diff)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != telemetry.MetricRateLimited {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				k, _ := dp.Attributes.Value(telemetry.AttrATS)
				c, _ := dp.Attributes.Value(telemetry.AttrConnection)
				got[k.AsString()+"/"+c.AsString()] += dp.Value
			}
		}
	}
	if diff := cmp.Diff(map[string]int64{"lever/globex": 1, "workable/acme": 2}, got); diff != "" {
		t.Errorf("%s by account (-want +got):\n%s", telemetry.MetricRateLimited, diff)
	}
}
