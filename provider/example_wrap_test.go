package provider_test

import (
	"net/http"

	"github.com/atskit/atskit/provider"
)

// countingTransport stands for a tracing or metrics wrapper.
type countingTransport struct {
	next http.RoundTripper
	n    int
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n++
	return t.next.RoundTrip(r)
}

// ExampleNewPublisher_wrapTransport instruments the publisher without
// weakening its SSRF guard: the wrapper receives the guarded transport, so
// every connection is still dialled through the guard. Passing the wrapper
// as HTTPClient.Transport instead is refused.
func ExampleNewPublisher_wrapTransport() {
	tracing := &countingTransport{}
	pub := provider.NewPublisher(provider.PublisherOptions{
		WrapTransport: func(guarded http.RoundTripper) http.RoundTripper {
			tracing.next = guarded
			return tracing
		},
	})
	_ = pub // pub.Publish(ctx, callbackURL, token, result)
}
