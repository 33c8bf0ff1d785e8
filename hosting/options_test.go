package hosting_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
)

func TestRetriggerSecretLength(t *testing.T) {
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{})
	for _, tc := range []struct {
		name string
		n    int
		ok   bool
	}{
		{"empty", 0, false},
		{"16 bytes", 16, false},
		{"31 bytes", 31, false},
		{"32 bytes", 32, true},
		{"64 bytes", 64, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := hosting.NewHandler(hosting.Options{Engine: engine, Links: &hosting.RetriggerLinks{Secret: bytes.Repeat([]byte("k"), tc.n)}})
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, "at least 32 random bytes")
		})
	}
}

// TestWebhookReadTimeout: a sender that stops sending half-way through the
// body is answered 408 once WebhookReadTimeout has passed, instead of
// holding the request open.
func TestWebhookReadTimeout(t *testing.T) {
	r := newRig(t)
	verifiers := &hosting.MemoryVerifiers{}
	verifiers.Set("workable", "acme", secretVerifier(r.tenants["acme"].secret))
	h, err := hosting.NewHandler(hosting.Options{Engine: r.engine, Webhooks: verifiers, WebhookReadTimeout: 50 * time.Millisecond})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	// Announce 100 bytes, send 10, then stall: only the read deadline can
	// end the request.
	_, err = io.WriteString(conn, "POST /hooks/workable/acme HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\":\"1\",")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second))) // below the 10 s default
	resp, err := http.ReadResponse(bufioReader(conn), nil)
	require.NoError(t, err, "the server must answer while the sender stalls")
	defer resp.Body.Close()
	require.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
}

func bufioReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }
