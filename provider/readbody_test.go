package provider

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// TestReadLimitedAgrees checks that readLimited reads what
// buf.ReadFrom(http.MaxBytesReader(w, body, limit)) reads and fails as it
// does, for bodies around the limit and readers that split their data or
// fail.
func TestReadLimitedAgrees(t *testing.T) {
	const limit = 1000
	errBroken := errors.New("broken")
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"plain", func(r io.Reader) io.Reader { return r }},
		{"one byte at a time", iotest.OneByteReader},
		{"half reads", iotest.HalfReader},
		{"error with the last data", iotest.DataErrReader},
		{"timeout on the second read", iotest.TimeoutReader},
		{"broken after the data", func(r io.Reader) io.Reader { return io.MultiReader(r, iotest.ErrReader(errBroken)) }},
	}
	for _, size := range []int{0, 1, 511, 512, 513, limit - 1, limit, limit + 1, 2*limit + 7, 40 * limit} {
		for _, rd := range readers {
			t.Run(rd.name+"/"+strconv.Itoa(size), func(t *testing.T) {
				body := bytes.Repeat([]byte("abcdefghij"), size/10+1)[:size]
				type outcome struct {
					Data    string
					Err     string
					TooBig  bool
					Limit   int64
					Remains int // bytes left unread in the body
				}
				run := func(read func(w http.ResponseWriter, buf *bytes.Buffer, r io.Reader) error) outcome {
					src := bytes.NewReader(body)
					var buf bytes.Buffer
					err := read(httptest.NewRecorder(), &buf, rd.wrap(src))
					o := outcome{Remains: src.Len()}
					var tooBig *http.MaxBytesError
					switch {
					case errors.As(err, &tooBig):
						o.TooBig, o.Limit = true, tooBig.Limit
					case err != nil:
						o.Err = err.Error()
						o.Data = buf.String()
					default:
						o.Data = buf.String()
					}
					return o
				}
				want := run(func(w http.ResponseWriter, buf *bytes.Buffer, r io.Reader) error {
					_, err := buf.ReadFrom(http.MaxBytesReader(w, io.NopCloser(r), limit))
					return err
				})
				got := run(func(w http.ResponseWriter, buf *bytes.Buffer, r io.Reader) error {
					return readLimited(w, buf, r, limit)
				})
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-MaxBytesReader +readLimited):\n%s", diff)
				}
			})
		}
	}
}

// TestReadLimitedClosesConnection checks that a body over the limit makes
// the server close the connection after the 413, as MaxBytesReader does.
func TestReadLimitedClosesConnection(t *testing.T) {
	h := newTestHandler(t, newMemory(), func(o *HandlerOptions) { o.MaxBodyBytes = 64 })
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/interviews", strings.NewReader(strings.Repeat(" ", 1000)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tokenAcme)
	req.ContentLength = -1 // chunked: the size is found only by reading
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", resp.StatusCode)
	}
	if !resp.Close {
		t.Error("the server keeps the connection open after a body over the limit")
	}
}
