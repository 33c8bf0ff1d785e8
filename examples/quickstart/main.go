// Command quickstart runs atskit's whole interview-vendor flow in one
// process, on loopback, in a few seconds: fake Workable, Lever, Greenhouse
// and Ashby accounts (workabletest, levertest, greenhousetest, ashbytest),
// a host server with the webhook endpoints and the Workable, Greenhouse and
// Ashby partner contracts mounted, and the lifecycle engine on an embedded
// SQLite database (or PostgreSQL with -db postgres://…).
//
// It links a job on each ATS, configures and activates the positions,
// subscribes to webhooks, moves candidates into the vendor's stage and
// follows their interviews from request to result; one candidate lacks an
// e-mail and is re-triggered once fixed, one is moved out of the stage and
// cancelled, and Workable requests one interview directly through the
// provider contract and receives the result on its callback URL. On Lever
// the scheduled interview is put on the candidate's profile, moved on
// reschedule and removed on cancellation, the scorecard is filed under it
// and the vendor's PDF report is uploaded to the candidate's files. On
// Greenhouse and Ashby a candidate moved into the vendor's stage is
// interviewed through the adapter, and a test sent through each ATS's
// partner contract comes back as Greenhouse's PATCH (with the report
// attached through Harvest) and Ashby's assessment.update. It prints
// a timeline and a summary of what was observed on the fakes, and exits 0
// only if every expected effect was there.
//
//	go run ./examples/quickstart [-db path|postgres://…] [-v] [-quiet]
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
