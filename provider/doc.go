// Package provider implements Workable's partner-side contracts for
// interview and assessment vendors: the endpoints Workable calls on the
// vendor, as an http.Handler, and the callback through which the vendor
// reports results, as a Publisher.
//
// # Where it sits in the flow
//
// A Workable customer picks the vendor's interview (or assessment) for a
// job inside Workable. Workable then calls the vendor directly:
//
//	Workable ──GET  /interview-templates──▶ Handler ──▶ InterviewBackend.InterviewTemplates
//	Workable ──POST /interviews──────────▶ Handler ──▶ InterviewBackend.CreateInterview
//	candidate takes the interview on the vendor's product
//	vendor ──Publisher.Publish: PUT callback_url──▶ Workable
//
// Workable may also poll GET /interviews/{id} for the same status document,
// and fetch GET /interviews/{id}/shared-link when the backend implements
// SharedLinker. The vendor mounts the Handler in the server it already runs
// and implements InterviewBackend (and/or AssessmentBackend) over its own
// product; package lifecycle drives the Publisher and persists each
// Delivery.
//
//	tokens := provider.NewStaticTokens(map[string]provider.Account{"tok-acme": "acme"})
//	h, err := provider.NewHandler(backend, provider.HandlerOptions{Tokens: tokens})
//	if err != nil { // backend implements neither contract, or no tokens
//		return err
//	}
//	mux.Handle("/workable/", http.StripPrefix("/workable", h))
//
// # One backend for every contract
//
// Greenhouse's Assessment Partner API (GreenhouseHandler) and Ashby's
// Assessments Partner API (AshbyHandler) have the same shape as Workable's
// contracts: a catalogue, an order, its status and result, a cancel. A
// vendor implements Backend once and serves every ATS through small
// adapters (WorkableFrom, GreenhouseFrom, AshbyFrom); tenant resolution
// (TokenResolver), per-account idempotency, result validation and the
// publishers' SSRF guard are shared around it. Package hosting bridges
// these contracts to lifecycle for many connections.
//
// # Authentication and tenancy
//
// Workable sends "Authorization: Bearer <token>", a token the vendor issued
// to the customer. A TokenResolver maps it to the Account (tenant) it was
// issued to, so one deployment serves many Workable customers; the Account
// is passed to every backend method and stored in the request context
// (AccountFromContext). StaticTokens compares in constant time and supports
// rotation. Results go back with the token Workable issued for the
// integration, which the vendor stores per account.
//
// # Errors
//
// Errors follow the contract's table, as {"status": N, "message": "…"}:
// 401 "Missing Token" / "Invalid Token", 400 "Invalid JSON" / "Invalid
// field: candidate.email should be a string", 422 "Missing field:
// job_title should be provided", 409 when a backend returns ErrConflict,
// 404 for ErrNotFound and unknown paths, plus 405 (with Allow), 408 (body
// not received within HandlerOptions.ReadTimeout), 413 (body over
// HandlerOptions.MaxBodyBytes), 415 (not JSON) and 500 (backend error or
// panic, logged with log/slog; the message is generic). Backends choose
// another status and message by returning an *Error. Authentication comes
// first: a request without a valid token gets 401 whatever its path or
// method, so anonymous callers cannot tell what the deployment serves.
//
// # Idempotency
//
// Workable may retry a POST. Within HandlerOptions.IdempotencyWindow, a
// create request with the same account, template (or test), candidate and
// callback URL answers 201 with the first request's id — also when the
// requests race, in which case the backend is called once. Records are
// kept per tenant (the account the token resolves to), in the handler's
// memory by default; several replicas share them through an
// IdempotencyStore (HandlerOptions.IdempotencyStore, and the same option
// for Greenhouse and Ashby), such as lifecycle/sqlstore's Store, so that a
// retry reaching another replica gets the same id and the backend is
// still called once.
//
// # Results
//
// Publisher validates a StatusDocument (StatusDocument.Validate: statuses, grades,
// results_url on completion, details at most two levels deep without
// arrays, ISO 8601 dates) and PUTs it with retries and backoff
// (go-retryablehttp): connection errors, 408, 429 and 5xx are retried, other
// 4xx stop; a 409 ("Entity is already updated", in the contract's error
// table) means an earlier PUT landed and counts as delivered. It guards
// against SSRF: callback URLs must be https, on an allow-listed host
// (default *.workable.com and the sandbox *.workablesandbox.com), and
// resolve to public
// addresses, checked when dialling so DNS rebinding cannot get through.
//
// # What is documented and what is assumed
//
// The Video Interview Provider contract is documented by Workable
// (https://workable.readme.io/page/video-interview-providers): endpoints,
// payloads, statuses, grades, the error table and the shared link. This
// package follows it, liberal in what it accepts and conservative in what
// it sends. Where the page is ambiguous it picks the reading with the
// stronger evidence and makes the other one option away:
//   - a declined interview is sent as "rejected" (DefaultDeclinedStatus;
//     "declined" with PublisherOptions.DeclinedStatus), both are accepted;
//   - grade is sent both top-level and in "interview";
//   - identifiers (interview_template_id, job_id, test_id) are accepted as
//     strings or numbers, and only the template (or test) and callback_url
//     are required: the contract marks no candidate field required, so a
//     candidate without a name or e-mail reaches the backend, which can ask
//     for the data (Candidate.Missing) instead of losing the invitation.
//
// For the Assessment Provider contract
// (https://workable.readme.io/page/assessment-providers) only the paths
// (GET /tests, POST /assessments) and the tests list are public; its test
// ids are integers in Workable's example, so Test.ID is an ID that keeps
// whichever JSON form the backend uses. Everything else follows the video
// interview contract by assumption: POST /assessments takes the interview
// payload with "test_id" (string or number) instead of
// "interview_template_id" and names the job "job_shortcode" or "job_id"
// (both accepted), answers 201 {"assessment_id": "…"}, results are the same
// status document published the same way, with the results under both
// "assessment" (the one third-party reading of the page) and "interview",
// and GET /assessments/{id} and /assessments/{id}/shared-link mirror the
// interview endpoints.
//
// # Greenhouse
//
// GreenhouseHandler serves Greenhouse's Assessment Partner API
// (https://developers.greenhouse.io/assessment.html): list_tests,
// send_test, test_status and response_error, authenticated with HTTP Basic
// carrying the key the vendor issued to the customer (any TokenResolver,
// such as StaticTokens, maps it to the Account). GreenhouseFromAssessments
// serves it from the same AssessmentBackend as Workable's assessment
// contract, and GreenhousePublisher sends the body-less PATCH that tells
// Greenhouse a status changed, through the same SSRF guard as Publisher.
package provider
