// Package memats is a complete, small ats adapter for an imaginary
// in-memory ATS. It shows what writing an adapter for an ATS atskit does not
// ship involves, one step per file:
//
//   - service.go: Service stands in for the remote ATS. A real adapter
//     makes HTTP calls where this one calls Service; call shows where a
//     response's status becomes an ats typed error (*ats.APIError,
//     *ats.RateLimitError, *ats.ValidationError).
//   - adapter.go: Adapter maps the ATS's records onto the ats types,
//     streams lists page by page with iter.Seq2, and implements the
//     optional ats.CandidateLister and ats.Tagger capabilities.
//   - webhook.go: Verifier checks the ATS's webhook signatures over the
//     raw body and turns deliveries into ats.Events (ats.WebhookVerifier).
//   - backend.go: Backend connects ats/atstest to the adapter and the
//     service; memats_test.go runs atstest.Run with it.
//
// The custom-adapter example program (../main.go) uses the adapter through
// the ats interfaces.
package memats
