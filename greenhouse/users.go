package greenhouse

import (
	"context"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

// User is a Greenhouse user
// (https://harvestdocs.greenhouse.io/reference/get_v3-users).
type User struct {
	ID           ID       `json:"id"`
	Name         string   `json:"name"`
	FirstName    string   `json:"first_name"`
	LastName     string   `json:"last_name"`
	PrimaryEmail string   `json:"primary_email"`
	Emails       []string `json:"emails"`
	Deactivated  bool     `json:"deactivated"`
	SiteAdmin    bool     `json:"site_admin"`
}

// UserByEmail finds an active user by primary email (GET
// /v3/users?primary_email=) or, failing that, by a secondary address
// (GET /v3/user_emails?email=). No match is ats.ErrNotFound.
func (c *Client) UserByEmail(ctx context.Context, email string) (User, error) {
	op := "find user by email"
	email = strings.TrimSpace(email)
	if email == "" {
		return User{}, invalid(op, ats.FieldError{Field: "email", Message: "is empty"})
	}
	users, err := all[User](ctx, c, op, "/users", query("primary_email", email, "per_page", "50"))
	if err != nil {
		return User{}, err
	}
	for _, u := range users {
		if strings.EqualFold(u.PrimaryEmail, email) && !u.Deactivated {
			return u, nil
		}
	}
	type userEmail struct {
		UserID ID     `json:"user_id"`
		Email  string `json:"email"`
	}
	ues, err := all[userEmail](ctx, c, op, "/user_emails", query("email", email, "per_page", "50"))
	if err != nil {
		return User{}, err
	}
	for _, ue := range ues {
		if strings.EqualFold(ue.Email, email) && ue.UserID != 0 {
			us, err := all[User](ctx, c, op, "/users", query("ids", ue.UserID.String(), "per_page", "50"))
			if err != nil {
				return User{}, err
			}
			for _, u := range us {
				if u.ID == ue.UserID && !u.Deactivated {
					return u, nil
				}
			}
		}
	}
	return User{}, notFound(op, "no active Greenhouse user has this email address")
}

// ActingUser returns the ID of the user writes are attributed to:
// Options.UserID, else the user found by Options.UserEmail (looked up
// once), else "" (Greenhouse then records the token's user).
func (c *Client) ActingUser(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.userID
	c.mu.Unlock()
	if id != "" || c.opts.UserEmail == "" {
		return id, nil
	}
	u, err := c.UserByEmail(ctx, c.opts.UserEmail)
	if err != nil {
		return "", errfmt.Errorf("greenhouse: resolving the acting user from Options.UserEmail: %w", err)
	}
	c.mu.Lock()
	c.userID = u.ID.String()
	c.mu.Unlock()
	return u.ID.String(), nil
}
