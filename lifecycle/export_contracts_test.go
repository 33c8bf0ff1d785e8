package lifecycle

import "context"

// WithCallbackInterviewForTest is what the dispatcher puts in the context
// of PublishResult, for tests of publishers outside it.
func WithCallbackInterviewForTest(ctx context.Context, interviewID, connection string) context.Context {
	return withCallbackEffect(ctx, Effect{InterviewID: interviewID, Connection: connection})
}

// ReconcileAllForTest runs one periodic reconcile pass of Engine.Run.
func (e *Engine) ReconcileAllForTest(ctx context.Context) { e.reconcileAll(ctx) }
