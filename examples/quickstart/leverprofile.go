package main

import (
	"fmt"
	"time"
)

// showLeverProfile prints what changed on the Lever candidates' profiles
// since the last call: the interview the engine put there as an
// externally managed panel (created, moved, removed), the feedback forms
// (under that interview when they are tied to it) and uploaded files.
// Caller holds s.mu.
func (s *scenario) showLeverProfile() {
	if s.seenPanels == nil {
		s.seenPanels = map[string]string{}
		s.seenFeedback = map[string]int{}
	}
	for _, o := range s.leverOpps() {
		who := s.tl.who(s.lvConn, o.ID)
		now := ""
		for _, p := range s.lv.Panels(o.ID) {
			iv := p.Interviews[0]
			now = fmt.Sprintf("%s at %s for %d min, link %s", iv.Subject, iv.Date.In(time.UTC).Format("Mon 2 Jan 15:04 MST"), iv.Duration, p.ExternalURL)
		}
		switch before := s.seenPanels[o.ID]; {
		case before == "" && now != "":
			s.tl.printf(s.lvConn, "← interview on %s's profile: %s", who, now)
		case before != "" && now == "":
			s.tl.printf(s.lvConn, "← interview removed from %s's profile", who)
		case before != now:
			s.tl.printf(s.lvConn, "← interview on %s's profile moved: %s", who, now)
		}
		s.seenPanels[o.ID] = now
		fbs := s.lv.Feedback(o.ID)
		for _, fb := range fbs[s.seenFeedback[o.ID]:] {
			where := "as a free-standing form"
			if fb.Interview != "" {
				where = "under the interview on the profile"
			}
			s.tl.printf(s.lvConn, "← feedback form on %s, %s (%d answers)", who, where, len(fb.FieldValues))
		}
		s.seenFeedback[o.ID] = len(fbs)
	}
}
