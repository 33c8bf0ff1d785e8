// Package safehttptest attacks handlers the way a slowloris client does,
// for tests that check a handler bounds the time an anonymous caller can
// hold a connection.
package safehttptest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Trickle describes one slow-body attack.
type Trickle struct {
	// Conns is how many connections trickle at once.
	Conns int
	// Method, Path and Header form each request; the body is announced
	// with a Content-Length of BodyBytes and sent one byte per Every.
	Method, Path string
	Header       http.Header
	BodyBytes    int
	Every        time.Duration
	// GiveUp is how long the attacker keeps trickling before it stops;
	// a connection still held then counts as held.
	GiveUp time.Duration
}

// Outcome is what happened to one connection.
type Outcome struct {
	// Status is the status the server answered, 0 if it closed the
	// connection without an answer or the attacker gave up first.
	Status int
	// Held is true when the attacker gave up before the server answered
	// or closed the connection.
	Held bool
	// After is how long the server took to answer or close.
	After time.Duration
}

// Run performs the attack against addr (host:port) and returns one
// Outcome per connection.
func (a Trickle) Run(ctx context.Context, addr string) ([]Outcome, error) {
	out := make([]Outcome, a.Conns)
	errs := make(chan error, a.Conns)
	for i := range a.Conns {
		go func() { errs <- a.one(ctx, addr, &out[i]) }()
	}
	var first error
	for range a.Conns {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return out, first
}

func (a Trickle) one(ctx context.Context, addr string, o *Outcome) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", a.Method, a.Path, addr, a.BodyBytes)
	for k, vs := range a.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	start := time.Now()
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return fmt.Errorf("writing headers: %w", err)
	}
	answered := make(chan int, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	tick := time.NewTicker(a.Every)
	defer tick.Stop()
	giveUp := time.NewTimer(a.GiveUp)
	defer giveUp.Stop()
	for sent := 0; ; {
		select {
		case st := <-answered:
			o.Status, o.After = st, time.Since(start)
			return nil
		case <-giveUp.C:
			o.Held, o.After = true, time.Since(start)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if sent < a.BodyBytes-1 { // never complete the body
				if _, err := conn.Write([]byte{'x'}); err == nil {
					sent++
				}
			}
		}
	}
}
