package workabletest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/atskit/atskit/workable/workabletest"
	"github.com/google/go-cmp/cmp"
)

func TestCallbacks(t *testing.T) {
	type step struct {
		path, token, body string
		code              int
		msg               string
	}
	const ok = `{"status":"completed","results_url":"https://v.example/r/1","grade":"passed","interview":{"score":"78","grade":"passed"}}`
	for _, tt := range []struct {
		name     string
		statuses []string
		steps    []step
	}{
		{"documented results, then a repeat is 409", nil, []step{
			{"/interviews/1", workabletest.CallbackToken, `{"status":"pending"}`, 200, ""},
			{"/interviews/1", workabletest.CallbackToken, ok, 200, ""},
			{"/interviews/1", workabletest.CallbackToken, ok, 409, "Entity is already updated"},
			{"/interviews/1", workabletest.CallbackToken, `{"status":"expired"}`, 409, "Entity is already updated"},
		}},
		{"rejected accepted by default, declined refused", nil, []step{
			{"/interviews/2", workabletest.CallbackToken, `{"status":"declined"}`, 400, "Invalid field: status"},
			{"/interviews/2", workabletest.CallbackToken, `{"status":"rejected"}`, 200, ""},
		}},
		{"other reading configured", []string{"pending", "completed", "declined", "expired"}, []step{
			{"/interviews/3", workabletest.CallbackToken, `{"status":"rejected"}`, 400, "Invalid field: status"},
			{"/interviews/3", workabletest.CallbackToken, `{"status":"declined"}`, 200, ""},
		}},
		{"contract errors", nil, []step{
			{"/interviews/4", "", ok, 401, "Missing Token"},
			{"/interviews/4", "wrong", ok, 401, "Invalid Token"},
			{"/interviews/4", workabletest.CallbackToken, `{"status":`, 400, "Invalid JSON"},
			{"/interviews/4", workabletest.CallbackToken, `[]`, 400, "Invalid JSON"},
			{"/interviews/4", workabletest.CallbackToken, `{}`, 422, "Missing field: status"},
			{"/interviews/4", workabletest.CallbackToken, `{"status":"completed"}`, 422, "Missing field: results_url"},
			{"/interviews/4", workabletest.CallbackToken, `{"status":"completed","results_url":"https://v/r","grade":"great"}`, 400, "Invalid field: grade"},
			{"/assessments/4", workabletest.CallbackToken, `{"status":"completed","results_url":"https://v/r","assessment":{"grade":"A"}}`, 400, "Invalid field: assessment.grade"},
			{"/interviews/4", workabletest.CallbackToken, `{"status":"completed","results_url":"https://v/r","attachments":[{"description":"x"}]}`, 422, "Missing field: attachments.url"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var opts []workabletest.Option
			if tt.statuses != nil {
				opts = append(opts, workabletest.WithCallbackStatuses(tt.statuses...))
			}
			srv := workabletest.NewServer(append(opts, workabletest.WithoutRateLimit())...)
			defer srv.Close()
			for i, st := range tt.steps {
				req, _ := http.NewRequest(http.MethodPut, strings.TrimSuffix(srv.URL, "/spi/v3")+st.path, strings.NewReader(st.body))
				if st.token != "" {
					req.Header.Set("Authorization", "Bearer "+st.token)
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				buf := make([]byte, 512)
				n, _ := resp.Body.Read(buf)
				b.Write(buf[:n])
				resp.Body.Close()
				if resp.StatusCode != st.code || !strings.Contains(b.String(), st.msg) {
					t.Errorf("step %d: %d %s, want %d %q", i, resp.StatusCode, b.String(), st.code, st.msg)
				}
			}
			puts := srv.Callbacks().Puts()
			if len(puts) != len(tt.steps) {
				t.Errorf("recorded %d PUTs, want %d", len(puts), len(tt.steps))
			}
		})
	}
}

func TestCallbackURL(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithoutRateLimit())
	defer srv.Close()
	got := srv.CallbackURL("interviews", "8823119")
	// The callback lives on the account's host, outside the API's base path.
	if d := cmp.Diff(strings.TrimSuffix(srv.URL, "/spi/v3")+"/interviews/8823119", got); d != "" {
		t.Error(d)
	}
}
