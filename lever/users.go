package lever

import (
	"context"
	"iter"
	"net/url"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/internal/paging"
)

// User is a Lever user: a perform_as target for writes.
type User struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Username      string `json:"username,omitempty"`
	Email         string `json:"email"`
	AccessRole    string `json:"accessRole,omitempty"`
	DeactivatedAt Millis `json:"deactivatedAt,omitempty"`
}

// MentionName returns what follows "@" to mention u in a note: the
// username, or, when Lever sent none, the local part of the e-mail address
// it is "extracted from"
// (https://hire.lever.co/developer/documentation#users).
func (u User) MentionName() string {
	if u.Username != "" {
		return u.Username
	}
	local, _, _ := strings.Cut(u.Email, "@")
	return local
}

// ListUsers lists users (GET /users); email, when set, filters by address.
//
// https://hire.lever.co/developer/documentation#list-all-users
func (c *Client) ListUsers(ctx context.Context, email string) iter.Seq2[User, error] {
	q := url.Values{}
	if email != "" {
		q.Set("email", email)
	}
	return paging.Seq(ctx, func(ctx context.Context, cursor string) ([]User, string, error) {
		return fetchPage[User](ctx, c, "list users", "/users", q, 100, cursor)
	})
}

// GetUser reads one user (GET /users/:id).
func (c *Client) GetUser(ctx context.Context, id string) (User, error) {
	return getOne[User](ctx, c, "get user "+short(id), "/users/"+url.PathEscape(id), nil)
}

// UserByEmail finds the active user with the given email. It returns an
// error matching ats.ErrNotFound when there is none.
func (c *Client) UserByEmail(ctx context.Context, email string) (User, error) {
	for u, err := range c.ListUsers(ctx, email) {
		if err != nil {
			return User{}, err
		}
		if strings.EqualFold(u.Email, email) && u.DeactivatedAt == 0 {
			return u, nil
		}
	}
	return User{}, errfmt.Errorf("lever: no active user with email %q: %w", email, ats.ErrNotFound)
}
