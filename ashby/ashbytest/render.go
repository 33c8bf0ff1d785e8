package ashbytest

import (
	"strings"
	"time"
)

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func (s *Server) stageJSON(st *Stage) map[string]any {
	return map[string]any{
		"id": st.ID, "title": st.Title, "type": st.Type, "orderInInterviewPlan": st.Order,
		"interviewStageGroupId": nil, "interviewPlanId": st.PlanID,
	}
}

func (s *Server) jobJSON(j *Job) map[string]any {
	return map[string]any{
		"id": j.ID, "title": j.Title, "confidential": j.Confidential, "status": j.Status,
		"employmentType": "FullTime", "defaultInterviewPlanId": j.PlanID, "interviewPlanIds": []string{j.PlanID},
		"customFields": []any{}, "jobPostingIds": []string{}, "hiringTeam": []any{},
		"createdAt": ts(j.CreatedAt), "updatedAt": ts(j.UpdatedAt),
	}
}

func contact(v, typ string) map[string]any {
	return map[string]any{"value": v, "type": typ, "isPrimary": true}
}

func (s *Server) appJSON(a *Application) map[string]any {
	c := s.d.candByID[a.CandidateID]
	j := s.d.jobByID[a.JobID]
	cand := map[string]any{"id": c.ID, "name": c.Name}
	if len(c.Emails) > 0 {
		cand["primaryEmailAddress"] = contact(c.Emails[0], "Personal")
	}
	if len(c.Phones) > 0 {
		cand["primaryPhoneNumber"] = contact(c.Phones[0], "Mobile")
	}
	out := map[string]any{
		"id": a.ID, "createdAt": ts(a.CreatedAt), "updatedAt": ts(a.UpdatedAt), "status": a.Status,
		"customFields": []any{}, "candidate": cand,
		"currentInterviewStage": s.stageJSON(s.d.stageByID[a.StageID]),
		"job":                   map[string]any{"id": j.ID, "title": j.Title},
		"hiringTeam":            []any{}, "archivedAt": ts(a.ArchivedAt),
	}
	if a.ArchiveReasonID != "" {
		for _, r := range s.d.reasons {
			if r.ID == a.ArchiveReasonID {
				out["archiveReason"] = reasonJSON(r)
			}
		}
	}
	return out
}

func reasonJSON(r *ArchiveReason) map[string]any {
	return map[string]any{"id": r.ID, "text": r.Text, "reasonType": r.ReasonType, "isArchived": r.IsArchived}
}

func tagJSON(t *Tag) map[string]any {
	return map[string]any{"id": t.ID, "title": t.Title, "isArchived": t.IsArchived}
}

func (s *Server) candJSON(c *Candidate) map[string]any {
	var emails, phones []any
	for i, e := range c.Emails {
		emails = append(emails, map[string]any{"value": e, "type": "Personal", "isPrimary": i == 0})
	}
	for i, p := range c.Phones {
		phones = append(phones, map[string]any{"value": p, "type": "Mobile", "isPrimary": i == 0})
	}
	tags := []any{}
	for _, title := range c.Tags {
		for _, t := range s.d.tags {
			if strings.EqualFold(t.Title, title) {
				tags = append(tags, tagJSON(t))
			}
		}
	}
	var appIDs []string
	for _, a := range s.d.apps {
		if a.CandidateID == c.ID {
			appIDs = append(appIDs, a.ID)
		}
	}
	files := []any{}
	for _, h := range c.FileHandles {
		if f := s.d.files[h]; f != nil {
			files = append(files, map[string]any{"id": h, "name": f.Name, "handle": h})
		}
	}
	out := map[string]any{
		"id": c.ID, "createdAt": ts(c.CreatedAt), "updatedAt": ts(c.UpdatedAt), "name": c.Name,
		"emailAddresses": emails, "phoneNumbers": phones, "socialLinks": []any{}, "tags": tags,
		"applicationIds": appIDs, "fileHandles": files, "customFields": []any{},
		"profileUrl": s.root + "/candidates/" + c.ID,
	}
	if len(c.Emails) > 0 {
		out["primaryEmailAddress"] = contact(c.Emails[0], "Personal")
	}
	if len(c.Phones) > 0 {
		out["primaryPhoneNumber"] = contact(c.Phones[0], "Mobile")
	}
	return out
}

func userJSON(u *User) map[string]any {
	return map[string]any{"id": u.ID, "firstName": u.FirstName, "lastName": u.LastName, "email": u.Email,
		"globalRole": u.GlobalRole, "isEnabled": !u.Disabled}
}
