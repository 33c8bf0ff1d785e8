package levertest

import "testing"

func TestUpdateOpportunity(t *testing.T) {
	s := NewServer()
	defer s.Close()
	o := s.AddOpportunity(Opportunity{Name: "Dorothy Vaughan"})
	if err := s.UpdateOpportunity(o.ID, func(o *Opportunity) {
		o.Emails = append(o.Emails, "dorothy@example.com")
		o.StageID = "ignored"
	}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Opportunity(o.ID)
	if len(got.Emails) != 1 || got.Emails[0] != "dorothy@example.com" || got.StageID != o.StageID {
		t.Errorf("after UpdateOpportunity: emails %q stage %q; want the e-mail added and the stage kept (%q)", got.Emails, got.StageID, o.StageID)
	}
	if err := s.UpdateOpportunity("nope", func(*Opportunity) {}); err == nil {
		t.Error("UpdateOpportunity of an unknown ID succeeded")
	}
	// Re-adding with the same ID replaces rather than duplicates.
	s.AddOpportunity(Opportunity{ID: o.ID, Name: "Dorothy J. Vaughan"})
	n := 0
	for _, x := range s.opps {
		if x.ID == o.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("opportunity %s is listed %d times after re-adding it", o.ID, n)
	}
}
