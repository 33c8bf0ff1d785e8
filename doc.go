// Package atskit is an embeddable Go library for interview and assessment
// vendors that integrate with applicant tracking systems (ATS).
//
// It automates the flow vendors such as InterviewVector, Intervue.io and
// Harver run against Workable and Lever:
//
//  1. A job is linked to the vendor (a dedicated stage in a Workable
//     pipeline, a tag on a Lever posting). The vendor lists linked jobs,
//     maps each to an interview configuration once, and puts a job back to
//     pending when its rounds change.
//  2. A recruiter moves a candidate into the vendor's stage; the ATS fires a
//     signed webhook that atskit verifies and turns into an ats.Event.
//  3. An interview is created per configured round. Missing candidate data
//     is reported back as a note with a re-trigger link, never dropped.
//  4. Invitation, scheduling, rescheduling, cancellation, no-show, expiry
//     and completion are reported back as notes, results and stage moves.
//  5. Workable can also call the vendor directly through its provider
//     contracts; package provider serves them as an http.Handler.
//
// Where to start:
//
//   - ats: the ATS-neutral model and the interfaces an adapter implements;
//     ats/atstest checks an adapter for conformance.
//   - workable, lever: API clients implementing ats, with in-process fakes
//     (workable/workabletest, lever/levertest) for your own tests.
//   - provider: Workable's video-interview and assessment provider contracts
//     and the result publisher.
//   - lifecycle: the interview state machine with durable side effects over
//     a pluggable Store (lifecycle/memstore, lifecycle/sqlstore).
//   - examples: runnable programs, starting with examples/quickstart.
//
// This package itself holds no code; it documents the module.
package atskit
