package provider

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStaticTokens(t *testing.T) {
	ctx := context.Background()
	s := NewStaticTokens(map[string]Account{"a1": "acme", "a2": "acme", "g1": "globex"})
	tests := []struct {
		token string
		want  Account
		err   error
	}{
		{"a1", "acme", nil},
		{"a2", "acme", nil},
		{"g1", "globex", nil},
		{"", "", ErrInvalidToken},
		{"a", "", ErrInvalidToken},
		{"a1 ", "", ErrInvalidToken},
		{"A1", "", ErrInvalidToken},
	}
	for _, tt := range tests {
		got, err := s.ResolveToken(ctx, tt.token)
		require.True(t, errors.Is(err, tt.err), "token %q: %v", tt.token, err)
		require.Equal(t, tt.want, got)
	}

	s.Add("g1", "initech") // reassign
	got, err := s.ResolveToken(ctx, "g1")
	require.NoError(t, err)
	require.Equal(t, Account("initech"), got)
	s.Remove("g1")
	s.Remove("unknown")
	_, err = s.ResolveToken(ctx, "g1")
	require.ErrorIs(t, err, ErrInvalidToken)
	_, err = s.ResolveToken(ctx, "a1")
	require.NoError(t, err)
}

func TestAccountContext(t *testing.T) {
	_, ok := AccountFromContext(context.Background())
	require.False(t, ok)
	a, ok := AccountFromContext(WithAccount(context.Background(), "acme"))
	require.True(t, ok)
	require.Equal(t, Account("acme"), a)
}

func TestErrorIs(t *testing.T) {
	require.ErrorIs(t, &Error{Status: 404, Message: "gone"}, ErrNotFound)
	require.ErrorIs(t, &Error{Status: 409, Message: "dup"}, ErrConflict)
	require.NotErrorIs(t, &Error{Status: 422, Message: "bad"}, ErrConflict)
}
