package provider

import (
	"bytes"
	"io"
	"net/http"
)

// readLimited reads body into buf, as
// buf.ReadFrom(http.MaxBytesReader(w, body, limit)) does — the same bytes
// read from body (at most limit+1), the same errors — without allocating
// the limiting reader on every request. Past the limit it hands the bytes
// read to http.MaxBytesReader over w, so that the error is the same
// *http.MaxBytesError and the server is told, as MaxBytesReader tells it,
// to close the connection after the answer.
func readLimited(w http.ResponseWriter, buf *bytes.Buffer, body io.Reader, limit int64) error {
	for {
		if buf.Available() < bytes.MinRead {
			buf.Grow(bytes.MinRead)
		}
		p := buf.AvailableBuffer()
		p = p[:cap(p)]
		if room := limit + 1 - int64(buf.Len()); int64(len(p)) > room {
			p = p[:room]
		}
		n, err := body.Read(p)
		if n < 0 || n > len(p) {
			panic("provider: reader returned an invalid count")
		}
		buf.Write(p[:n]) // in place: p is buf's spare capacity
		if int64(buf.Len()) > limit {
			_, err = io.Copy(io.Discard, http.MaxBytesReader(w, io.NopCloser(bytes.NewReader(buf.Bytes())), limit))
			return err
		}
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
	}
}
