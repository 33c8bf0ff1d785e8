// Package lifecycletest helps hosts test their own code against atskit's
// lifecycle engine: a fake Vendor that records the interviews the engine
// creates and cancels (and fails on request), and functions that wait for
// an interview to reach a state or for the outbox to deliver its effects,
// without sleeping a guessed time.
//
// A host test typically runs its real wiring (store, engine, dispatcher,
// hosting.Handler) against the ATS fakes (workabletest, levertest) with a
// Vendor in place of its interview platform:
//
//	vendor := lifecycletest.NewVendor()
//	engine := lifecycle.NewEngine(store, lifecycle.Options{Vendor: vendor, ...})
//	go engine.Dispatcher(lifecycle.DispatcherOptions{}).Run(ctx)
//	fake.MoveCandidate(id, "interviewvector")                  // fires a webhook
//	created, err := vendor.WaitCreated(ctx, 1)                 // the engine asked for an interview
//	iv, err := lifecycletest.WaitInterview(ctx, store, lifecycle.InterviewFilter{CandidateID: id},
//		lifecycletest.InState(lifecycle.StateRequested))
//	effects, err := lifecycletest.WaitEffects(ctx, store, lifecycle.EffectFilter{InterviewID: iv.ID})
//
// Every wait ends when its condition holds or when ctx is done; give ctx a
// deadline (t.Context() with context.WithTimeout). A wait that times out
// says what it saw last, so a failing test explains itself.
package lifecycletest
