// Package internal holds plumbing shared by the atskit adapters. Its
// sub-packages are not part of the public API:
//
//   - httpx: the HTTP client every adapter uses (retries with jittered
//     backoff through go-retryablehttp, client-side pacing with a token
//     bucket, response-size caps, typed error decoding, slog logging).
//   - paging: turns page-at-a-time fetch functions into iter.Seq2 streams.
//   - fakeserver: the plumbing the fake ATS servers share (request log,
//     fault injection, webhook delivery retries and bookkeeping).
package internal
