// Command fakeworkable runs a fake Workable account (workabletest) for the
// README's host, so the usage can be tried without a Workable account:
//
//	go run github.com/atskit/atskit/examples/fakeworkable   # terminal 1
//	eval "$(go run github.com/atskit/atskit/examples/fakeworkable -print-env)" && go run .   # terminal 2, the host
//
// It seeds what the host needs (the acting member
// integrations@vendor.example, a job whose pipeline has the vendor's stage,
// a candidate), prints the environment variables to export for the host,
// waits for the host's webhook subscription, and then moves the candidate
// into the vendor's stage when you press Enter (or by itself after
// -move-after), so Workable's signed webhook reaches the host, which
// creates an interview. It reports each webhook delivery and the notes the
// host writes on the candidate. Stop it with Ctrl-C.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/atskit/atskit/workable/workabletest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "where the fake Workable API listens")
	vendor := flag.String("vendor", "YourProduct", "the vendor's stage in the job's pipeline (the host's VENDOR_NAME)")
	member := flag.String("member", "integrations@vendor.example", "the acting member's email (the host's ActingMemberEmail)")
	moveAfter := flag.Duration("move-after", 0, "move the candidate this long after the host subscribed to webhooks (0: when you press Enter)")
	rateLimited := flag.Bool("rate-limit", false, "enforce Workable's 10 requests per 10 s (the host then waits about 10 s at startup)")
	printEnv := flag.Bool("print-env", false, "only print the host's environment variables and exit")
	flag.Parse()

	opts := []workabletest.Option{workabletest.WithAddr(*addr)}
	if !*rateLimited {
		opts = append(opts, workabletest.WithoutRateLimit())
	}
	if *printEnv {
		fmt.Print(env("http://"+*addr+"/spi/v3", "acme", *vendor, *rateLimited))
		return
	}
	fake := workabletest.NewServer(opts...)
	defer fake.Close()
	demo := fake.SeedDemo(*vendor, *member)

	fmt.Printf("fake Workable account %q at %s\n", fake.Subdomain(), fake.URL)
	fmt.Printf("seeded: member %s, job %s %q (stages Applied, %s, Interview, Offer), candidate %s %s\n\n",
		*member, demo.Job.Shortcode, demo.Job.Title, *vendor, demo.Candidate.ID, demo.Candidate.Name)
	fmt.Println("In another terminal, export these and start the host:")
	fmt.Println()
	fmt.Print(env(fake.URL, fake.Subdomain(), *vendor, *rateLimited))
	fmt.Println()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Println("waiting for the host to subscribe to webhooks…")
	if !waitFor(ctx, func() bool { return len(fake.Subscriptions()) > 0 }) {
		return
	}
	for _, s := range fake.Subscriptions() {
		fmt.Printf("the host subscribed: %s events to %s\n", s.Event, s.Target)
	}

	move := make(chan struct{}, 1)
	if *moveAfter > 0 {
		fmt.Printf("moving %s into %s in %s…\n", demo.Candidate.Name, *vendor, *moveAfter)
		time.AfterFunc(*moveAfter, func() { move <- struct{}{} })
	} else {
		fmt.Printf("press Enter (once the host logs \"customer set up\") to move %s into %s\n", demo.Candidate.Name, *vendor)
		go func() {
			sc := bufio.NewScanner(os.Stdin)
			for sc.Scan() {
				move <- struct{}{}
			}
		}()
	}
	select {
	case <-ctx.Done():
		return
	case <-move:
	}
	if err := fake.MoveToVendorStage(demo); err != nil {
		log.Fatal(err)
	}
	if err := fake.WaitDeliveries(ctx); err != nil {
		return
	}
	for _, d := range fake.Deliveries() {
		if d.CandidateID != demo.Candidate.ID || d.Event != "candidate_moved" {
			continue
		}
		if d.Delivered {
			fmt.Printf("delivered %s (%s) to %s: HTTP %d\n", d.Event, d.ID, d.Target, d.Status)
		} else {
			fmt.Printf("FAILED to deliver %s (%s) to %s after %d attempts (last HTTP status %d): is the host running and ATSKIT_PUBLIC_URL reachable?\n",
				d.Event, d.ID, d.Target, d.Attempts, d.Status)
		}
	}

	// Report the notes the host writes on the candidate until Ctrl-C.
	fmt.Println("watching the candidate's comments (Ctrl-C to stop)…")
	var seen []string
	waitFor(ctx, func() bool {
		for _, c := range fake.CommentsOn(demo.Candidate.ID) {
			if !slices.Contains(seen, c) {
				seen = append(seen, c)
				fmt.Printf("comment on %s: %s\n", demo.Candidate.Name, c)
			}
		}
		return false
	})
}

// env returns the host's environment variables for the fake.
func env(url, subdomain, vendor string, rateLimited bool) string {
	s := fmt.Sprintf(`export ACME_WORKABLE_URL=%s
export ACME_WORKABLE_SUBDOMAIN=%s
export ACME_WORKABLE_TOKEN=%s
export ACME_PROVIDER_TOKEN=local-provider-token
export ACME_CALLBACK_TOKEN=%s
export LINK_SECRET=local-link-secret-at-least-32-bytes
export VENDOR_NAME=%s
export ATSKIT_ADDR=127.0.0.1:8080
export ATSKIT_PUBLIC_URL=http://127.0.0.1:8080/atskit
`, url, subdomain, workabletest.DefaultAPIKey, workabletest.CallbackToken, vendor)
	if !rateLimited {
		s += "export WORKABLE_RATE_LIMIT=-1\n"
	}
	return s
}

// waitFor polls cond until it holds (true) or ctx ends (false).
func waitFor(ctx context.Context, cond func() bool) bool {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return true
}
