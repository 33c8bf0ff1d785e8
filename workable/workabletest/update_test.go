package workabletest

import "testing"

func TestUpdateCandidate(t *testing.T) {
	s := NewServer(WithoutRateLimit())
	defer s.Close()
	j := s.AddJob(Job{Title: "Backend Engineer"})
	c := s.AddCandidate(Candidate{JobShortcode: j.Shortcode, Name: "Dorothy Vaughan"})
	if err := s.UpdateCandidate(c.ID, func(c *Candidate) {
		c.Email = "dorothy@example.com"
		c.Stage = "hired" // not editable here: MoveCandidate fires the webhook
	}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Candidate(c.ID)
	if got.Email != "dorothy@example.com" || got.Stage != c.Stage {
		t.Errorf("after UpdateCandidate: email %q stage %q; want the e-mail set and the stage kept (%q)", got.Email, got.Stage, c.Stage)
	}
	if err := s.UpdateCandidate("nope", func(*Candidate) {}); err == nil {
		t.Error("UpdateCandidate of an unknown ID succeeded")
	}
}
