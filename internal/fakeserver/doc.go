// Package fakeserver holds the plumbing the fake ATS servers (ashbytest,
// greenhousetest, levertest, workabletest) share, so that each fake keeps
// only what is particular to its ATS (routes, auth, error bodies, rate-limit
// headers, webhook payloads and signatures):
//
//   - Log: the request log behind Requests, LastRequest, ResetRequests,
//     RequestCount and ThrottledCount.
//   - Injector and Faults: FailRequests, SetFaults and InjectedFaults, and
//     Stall for a request held by a stall fault.
//   - Pending, Retry and Post: the bookkeeping behind WaitDeliveries, the
//     retry loop of a webhook delivery and one delivery attempt.
//   - RetryGaps: the waits between a delivery's attempts, as each fake's
//     WithWebhookRetryGaps option takes them.
//
// It is internal: the fakes' exported API is their own.
package fakeserver
