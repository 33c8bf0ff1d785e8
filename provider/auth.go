package provider

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"sync"
)

// Account identifies the tenant — the vendor's customer — a bearer token
// was issued to. One deployment of the handler serves many Workable
// customers; each configures its own token in its Workable account and the
// handler passes the resolved Account to every backend call.
type Account string

// TokenResolver maps the bearer token of a request from Workable to the
// account it was issued to. It returns ErrInvalidToken (possibly wrapped)
// for an unknown token; any other error makes the handler answer 500.
//
// Implementations must compare tokens in constant time and should accept
// several tokens per account so that tokens can be rotated without downtime.
type TokenResolver interface {
	// ResolveToken returns the account token was issued to.
	ResolveToken(ctx context.Context, token string) (Account, error)
}

// TokenResolverFunc adapts a function to a TokenResolver.
type TokenResolverFunc func(ctx context.Context, token string) (Account, error)

// ResolveToken calls f(ctx, token).
func (f TokenResolverFunc) ResolveToken(ctx context.Context, token string) (Account, error) {
	return f(ctx, token)
}

// StaticTokens is an in-memory TokenResolver, safe for concurrent use. It
// stores SHA-256 digests of the tokens, never the tokens, and compares a
// presented token's digest with every configured digest using
// crypto/subtle, so the time taken does not reveal which token matched or
// how much of it did.
//
// Rotation: Add the new token for the account, let the customer update it in
// Workable, then Remove the old one; both are valid in between.
type StaticTokens struct {
	mu      sync.RWMutex
	entries []tokenEntry
}

type tokenEntry struct {
	digest  [sha256.Size]byte
	account Account
}

// NewStaticTokens returns a StaticTokens holding tokens, a map from token to
// the account it was issued to. Several tokens may map to one account.
func NewStaticTokens(tokens map[string]Account) *StaticTokens {
	s := &StaticTokens{}
	for tok, acct := range tokens {
		s.Add(tok, acct)
	}
	return s
}

// Add makes token valid for account, replacing any account it had.
func (s *StaticTokens) Add(token string, account Account) {
	d := sha256.Sum256([]byte(token))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.entries {
		if s.entries[i].digest == d {
			s.entries[i].account = account
			return
		}
	}
	s.entries = append(s.entries, tokenEntry{digest: d, account: account})
}

// Remove revokes token. Removing an unknown token does nothing.
func (s *StaticTokens) Remove(token string) {
	d := sha256.Sum256([]byte(token))
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.entries[:0]
	for _, e := range s.entries {
		if e.digest != d {
			kept = append(kept, e)
		}
	}
	clear(s.entries[len(kept):])
	s.entries = kept
}

// ResolveToken implements TokenResolver. It examines every configured token
// whatever the outcome.
func (s *StaticTokens) ResolveToken(_ context.Context, token string) (Account, error) {
	d := sha256.Sum256([]byte(token))
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx, matched := 0, 0
	for i := range s.entries {
		eq := subtle.ConstantTimeCompare(s.entries[i].digest[:], d[:])
		idx = subtle.ConstantTimeSelect(eq, i, idx)
		matched |= eq
	}
	if matched == 0 {
		return "", ErrInvalidToken
	}
	return s.entries[idx].account, nil
}

type accountKey struct{}

// WithAccount returns a copy of ctx carrying account. The handler does this
// for every authenticated request before calling the backend.
func WithAccount(ctx context.Context, account Account) context.Context {
	return &accountCtx{ctx, account}
}

// accountCtx is context.WithValue(ctx, accountKey{}, account) in one
// allocation instead of two (the value needs no boxing).
type accountCtx struct {
	context.Context
	account Account
}

// Value implements context.Context.
func (c *accountCtx) Value(key any) any {
	if key == (accountKey{}) {
		return c.account
	}
	return c.Context.Value(key)
}

// String names the context as context.WithValue's do, without the account.
func (c *accountCtx) String() string {
	return fmt.Sprint(c.Context) + ".WithValue(provider.accountKey)"
}

// AccountFromContext returns the account stored by WithAccount.
func AccountFromContext(ctx context.Context) (Account, bool) {
	a, ok := ctx.Value(accountKey{}).(Account)
	return a, ok
}
