package workable

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// Member is a member of the Workable account: the user write calls are
// attributed to.
type Member struct {
	ID    string
	Name  string
	Email string
	// Roles lists the member's roles: the newest "roles" array (e.g.
	// "ats.admin"), or the older single "role" (https://workable.readme.io/reference/members).
	Roles  []string
	Active bool
}

type wireMember struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Email  string   `json:"email"`
	Role   string   `json:"role"`
	Roles  []string `json:"roles"`
	Active *bool    `json:"active"`
}

// MemberFilter filters Members.
type MemberFilter struct {
	// Email matches one member's email.
	Email string
	// Status is "active" (Workable's default), "inactive" or "all".
	Status string
}

// Members lists the account's members (GET /members; scope r_jobs),
// following paging.next.
// https://workable.readme.io/reference/members
func (c *Client) Members(ctx context.Context, f MemberFilter) iter.Seq2[Member, error] {
	// 50 per page, the documented default: Workable states no maximum for
	// members (https://workable.readme.io/reference/members), so the client
	// asks for no more than it knows the server serves.
	q := url.Values{"limit": {"50"}}
	if f.Email != "" {
		q.Set("email", f.Email)
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	return paging.Seq(ctx, func(ctx context.Context, cursor string) ([]Member, string, error) {
		req := &httpx.Request{Op: "list members", Path: "/members", Query: q}
		if cursor != "" {
			req = &httpx.Request{Op: "list members", Path: cursor}
		}
		var page struct {
			Members []wireMember `json:"members"`
			Paging  *paging_     `json:"paging"`
		}
		resp, err := c.do(ctx, req, &page)
		if err != nil {
			return nil, "", err
		}
		out := make([]Member, len(page.Members))
		for i, m := range page.Members {
			roles := m.Roles
			if len(roles) == 0 && m.Role != "" {
				roles = []string{m.Role}
			}
			out[i] = Member{ID: m.ID, Name: m.Name, Email: m.Email, Roles: roles, Active: m.Active == nil || *m.Active}
		}
		next, err := c.nextLink(resp, req.Op, page.Paging.next())
		if err != nil {
			return nil, "", err
		}
		return out, next, nil
	})
}

// MemberByEmail finds the active member with the given email
// (case-insensitively); none is an error matching ats.ErrNotFound.
func (c *Client) MemberByEmail(ctx context.Context, email string) (Member, error) {
	for m, err := range c.Members(ctx, MemberFilter{Email: email}) {
		if err != nil {
			return Member{}, err
		}
		if strings.EqualFold(m.Email, email) {
			return m, nil
		}
	}
	return Member{}, notFound("find member by email", "no active member has email %s", email)
}

// errNoMember is returned by write calls when no acting member is
// configured.
var errNoMember = errors.New("workable: write calls need an acting member: set Options.MemberID or Options.ActingMemberEmail")

// ActingMemberID returns the member write calls are attributed to:
// Options.MemberID, or the member found by Options.ActingMemberEmail (looked
// up once and cached; a failed lookup is retried on the next call).
//
// GET /members is documented as "accessible with account tokens and user
// tokens" (https://workable.readme.io/reference/members); partner tokens
// are not mentioned. A partner-token client should therefore be given
// Options.MemberID; when it relies on ActingMemberEmail and the look-up is
// refused, the error says so.
func (c *Client) ActingMemberID(ctx context.Context) (string, error) {
	c.memberMu.Lock()
	defer c.memberMu.Unlock()
	if c.memberID != "" {
		return c.memberID, nil
	}
	if c.opts.ActingMemberEmail == "" {
		return "", &ats.ValidationError{Op: "workable: resolve acting member", Fields: []ats.FieldError{{Field: "member_id", Message: errNoMember.Error()}}}
	}
	m, err := c.MemberByEmail(ctx, c.opts.ActingMemberEmail)
	if err != nil {
		if c.kind == PartnerToken && (errors.Is(err, ats.ErrForbidden) || errors.Is(err, ats.ErrUnauthorized)) {
			return "", fmt.Errorf("%w (GET /members is documented for account and user tokens only; with a partner token set Options.MemberID to the acting member's ID instead of Options.ActingMemberEmail)", err)
		}
		return "", err
	}
	c.memberID = m.ID
	return m.ID, nil
}
