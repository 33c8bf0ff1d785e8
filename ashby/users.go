package ashby

import (
	"context"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

// User is an Ashby user (https://developers.ashbyhq.com/reference/usersearch).
type User struct {
	ID         string `json:"id"`
	FirstName  string `json:"firstName"`
	LastName   string `json:"lastName"`
	Email      string `json:"email"`
	GlobalRole string `json:"globalRole"`
	IsEnabled  bool   `json:"isEnabled"`
}

// UserByEmail finds the user with email (user.search). Permission:
// organizationRead. It returns an error matching ats.ErrNotFound when no
// user has that address.
func (c *Client) UserByEmail(ctx context.Context, email string) (User, error) {
	us, err := call[[]User](ctx, c, "search users", "user.search", map[string]string{"email": email}, true)
	if err != nil {
		return User{}, err
	}
	for _, u := range us {
		if strings.EqualFold(u.Email, email) {
			return u, nil
		}
	}
	return User{}, &ats.APIError{ATS: "ashby", Op: "search users", StatusCode: 404, Code: "user_not_found", Message: "no Ashby user has that email address"}
}

// ActingUser returns the ID of the user the vendor acts as where Ashby
// takes one: Options.ActingUserID, or the user found by
// Options.ActingUserEmail (looked up once), or "" when neither is set (Ashby
// then uses the API key's user).
func (c *Client) ActingUser(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.actingID
	c.mu.Unlock()
	if id != "" || c.opts.ActingUserEmail == "" {
		return id, nil
	}
	u, err := c.UserByEmail(ctx, c.opts.ActingUserEmail)
	if err != nil {
		return "", errfmt.Errorf("ashby: resolving the acting user: %w", err)
	}
	c.mu.Lock()
	c.actingID = u.ID
	c.mu.Unlock()
	return u.ID, nil
}

// APIKeyInfo is what apiKey.info says about the key in use.
type APIKeyInfo struct {
	Title     string   `json:"title"`
	CreatedAt Time     `json:"createdAt"`
	Scopes    []string `json:"scopes"`
}

// APIKey reads the key's title and permissions (apiKey.info). Permission:
// apiKeysRead.
func (c *Client) APIKey(ctx context.Context) (APIKeyInfo, error) {
	return call[APIKeyInfo](ctx, c, "read API key", "apiKey.info", struct{}{}, true)
}
