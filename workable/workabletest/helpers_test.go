package workabletest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func newTarget(t *testing.T, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}
