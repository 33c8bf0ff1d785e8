// Package telemetryctx carries, in a context, which ATS account a call is
// made for, from the lifecycle dispatcher (which knows the effect's
// connection) to telemetry.Transport (which sees only the HTTP request), so
// a client shared by several connections still attributes its spans and
// metrics to the right one.
package telemetryctx

import "context"

type key struct{}

// Account names an ATS account: the ATS kind and the connection ID.
type Account struct {
	ATS        string
	Connection string
}

// With returns ctx carrying a.
func With(ctx context.Context, a Account) context.Context {
	return context.WithValue(ctx, key{}, a)
}

// From returns the account ctx carries, if any.
func From(ctx context.Context) (Account, bool) {
	a, ok := ctx.Value(key{}).(Account)
	return a, ok
}
