package lifecycle

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/atskit/atskit/ats"
)

// UnableReason says why an interview could not be held.
type UnableReason string

// Reasons for StateUnableToSchedule.
const (
	ReasonNoShow              UnableReason = "no_show"
	ReasonCandidateCancelled  UnableReason = "cancelled_by_candidate"
	ReasonOrganisationCancel  UnableReason = "cancelled_by_organisation"
	ReasonInsufficientCredits UnableReason = "insufficient_credits"
	ReasonOther               UnableReason = "other"
)

// Field names a piece of candidate data the vendor may require.
type Field string

// Candidate fields a position can require before an interview is created.
const (
	FieldEmail  Field = "email"
	FieldPhone  Field = "phone"
	FieldResume Field = "resume"
)

// Callback is where an interview created through a partner contract
// (Workable's, Greenhouse's or Ashby's; see Kind) reports its result. The
// token is a secret: it is stored (sealed when
// Options.CallbackTokenSealer is set) but never logged, and the Engine's
// read APIs return Callback with Token empty.
type Callback struct {
	URL   string `json:"url"`
	Token string `json:"token"`
	// Assessment marks a callback of Workable's Assessment Provider
	// contract: results are published under "assessment" (and
	// "interview"), see provider.StatusDocument.
	Assessment bool `json:"assessment,omitempty"`
	// Kind is the partner contract the callback belongs to (see
	// CallbackKind); empty is Workable's.
	Kind CallbackKind `json:"kind,omitempty"`
	// Ref is the ATS's own reference for what the callback concerns,
	// e.g. the Greenhouse application a report is attached to.
	Ref string `json:"ref,omitempty"`
}

// InterviewKey identifies an interview uniquely: a store keeps at most one
// interview per key.
type InterviewKey struct {
	// Connection is the customer's ATS account (see Connection).
	Connection  string
	CandidateID string
	PositionID  string
	Round       int
}

// Interview is one interview of one candidate for one round of a position.
type Interview struct {
	ID string `json:"id"`
	// Connection is the customer's ATS account the interview belongs to.
	Connection string `json:"connection"`
	// Source is the ATS kind ("workable", "lever").
	Source      string `json:"source"`
	CandidateID string `json:"candidate_id"`
	JobID       string `json:"job_id"`
	PositionID  string `json:"position_id"`
	// Round is the zero-based index into PositionConfig.Rounds.
	Round     int    `json:"round"`
	RoundName string `json:"round_name,omitempty"`
	// Template is the vendor's interview template for the round.
	Template string `json:"template,omitempty"`

	State  State        `json:"state"`
	Reason UnableReason `json:"reason,omitempty"`
	// Detail is free text explaining the last transition (cancel reason,
	// vendor error).
	Detail string `json:"detail,omitempty"`
	// LeftStage reports an interview cancelled because its candidate left
	// the position's trigger stage (moved on, disqualified, archived,
	// hired or deleted), as opposed to one the host cancelled or that
	// expired, was declined or could not be scheduled. Engine.Reconcile
	// restarts such an interview when it finds the candidate back in the
	// trigger stage, as the webhook of that move would have; a restart
	// clears it.
	LeftStage bool `json:"left_stage,omitempty"`
	// Missing lists the fields that put the interview in needs-info.
	Missing []Field `json:"missing,omitempty"`
	// Attempt counts how often the interview was (re)requested from the
	// vendor; the vendor idempotency key includes it.
	Attempt int `json:"attempt"`

	// Candidate is the candidate as last read from the ATS.
	Candidate ats.Candidate `json:"candidate"`

	// VendorRef is the vendor's interview ID for attempt VendorAttempt.
	VendorRef     string `json:"vendor_ref,omitempty"`
	VendorAttempt int    `json:"vendor_attempt,omitempty"`
	// InviteURL is the candidate's scheduling link.
	InviteURL string `json:"invite_url,omitempty"`
	// ExpiresAt is when the invitation expires (zero: never).
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// ScheduledAt is the interview's date and time.
	ScheduledAt time.Time   `json:"scheduled_at,omitzero"`
	Result      *ats.Result `json:"result,omitempty"`
	// Callback is set for interviews created through the Workable
	// provider contract.
	Callback *Callback `json:"callback,omitempty"`
	// Detached reports a provider-contract interview whose request named no
	// ATS candidate (Workable's POST /interviews carries none): it is keyed
	// by its callback URL, and notes, stage moves, tags and feedback are
	// skipped because there is no timeline to write them to. Results reach
	// Workable through the callback only.
	Detached bool `json:"detached,omitempty"`
	// ATSScheduled is the interview as put on the candidate's ATS profile
	// (an ats.InterviewScheduler's result), nil when there is none.
	ATSScheduled *ats.ScheduledInterview `json:"ats_scheduled,omitempty"`

	// LastEventAt is the ATS time (ats.Event.Time) of the latest event
	// that changed the interview; an event older than it is ignored.
	LastEventAt time.Time `json:"last_event_at,omitzero"`

	// Version increases with every stored change (optimistic concurrency).
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Key returns the interview's unique key.
func (iv Interview) Key() InterviewKey {
	return InterviewKey{Connection: iv.Connection, CandidateID: iv.CandidateID, PositionID: iv.PositionID, Round: iv.Round}
}

// Clone returns a deep copy of iv, so stores never share memory with callers.
func (iv Interview) Clone() Interview {
	iv.Missing = slices.Clone(iv.Missing)
	iv.Candidate = cloneCandidate(iv.Candidate)
	if iv.Result != nil {
		r := *iv.Result
		r.Attachments = slices.Clone(r.Attachments)
		r.Details = slices.Clone(r.Details)
		iv.Result = &r
	}
	if iv.Callback != nil {
		c := *iv.Callback
		iv.Callback = &c
	}
	return iv
}

func cloneCandidate(c ats.Candidate) ats.Candidate {
	c.Emails = slices.Clone(c.Emails)
	c.Phones = slices.Clone(c.Phones)
	c.Tags = slices.Clone(c.Tags)
	return c
}

// PositionStatus is the configuration status of a linked job.
type PositionStatus string

// Position statuses.
const (
	// PositionPending: linked in the ATS but not (or no longer) configured.
	PositionPending PositionStatus = "pending"
	// PositionActive: configured; candidates entering the trigger stage
	// get interviews.
	PositionActive PositionStatus = "active"
	// PositionInactive: the job is no longer linked (stage or tag removed).
	PositionInactive PositionStatus = "inactive"
)

// Round is one interview round of a position.
type Round struct {
	// Name is shown in notes, e.g. "Technical round".
	Name string `json:"name"`
	// Template is the vendor's interview template (guide, assessment ID).
	Template string `json:"template"`
}

// StageMapping maps interview outcomes to ATS stage IDs, as Intervue.io does
// on Lever. Every field but Trigger is optional; an empty field means "do not
// move the candidate".
type StageMapping struct {
	// Trigger is the "to be scheduled" stage: entering it requests the
	// interviews. Empty uses the linking stage (Workable).
	Trigger string `json:"trigger,omitempty"`
	// Scheduled, Passed, Failed and UnableToSchedule are the stages to move
	// the candidate to on those outcomes.
	Scheduled        string `json:"scheduled,omitempty"`
	Passed           string `json:"passed,omitempty"`
	Failed           string `json:"failed,omitempty"`
	UnableToSchedule string `json:"unable_to_schedule,omitempty"`
}

// PositionConfig is what a host configures once per position.
type PositionConfig struct {
	// Rounds lists the interview rounds; one interview is requested per
	// round.
	Rounds []Round `json:"rounds"`
	// Stages maps outcomes to stages.
	Stages StageMapping `json:"stages"`
	// Require lists candidate data the vendor needs. Missing data puts the
	// interview in needs-info.
	Require []Field `json:"require,omitempty"`
	// Notes overrides note templates (text/template) for this position.
	Notes map[NoteKind]string `json:"notes,omitempty"`
	// Tags are added to the candidate when an interview is requested,
	// where the adapter implements ats.Tagger.
	Tags []string `json:"tags,omitempty"`
	// InvitationTTL expires invitations that were not scheduled in time,
	// unless the vendor reported its own expiry. Zero never expires.
	// Expiry is applied by Engine.Run (every Options.ExpiryInterval) or by
	// the host calling Engine.ExpireDue: without either, nothing expires.
	InvitationTTL time.Duration `json:"invitation_ttl,omitempty"`
	// Feedback submits the result as a feedback form where the adapter
	// implements ats.FeedbackSubmitter.
	Feedback bool `json:"feedback,omitempty"`
}

// Position is a job linked to the vendor in an ATS.
type Position struct {
	// ID is PositionID(Connection, JobID).
	ID string `json:"id"`
	// Connection is the customer's ATS account the job belongs to.
	Connection string `json:"connection"`
	// Source is the ATS kind ("workable", "lever").
	Source string         `json:"source"`
	JobID  string         `json:"job_id"`
	Title  string         `json:"title"`
	Status PositionStatus `json:"status"`
	// Link is how the job is linked (stage or tag).
	Link ats.JobLink `json:"link"`
	// Stages is the job's pipeline as last refreshed.
	Stages []ats.Stage `json:"stages"`
	// Fingerprint summarises Stages; a change puts an active position back
	// to pending.
	Fingerprint string `json:"fingerprint"`
	// ActiveFingerprint is Fingerprint at activation.
	ActiveFingerprint string `json:"active_fingerprint,omitempty"`
	// Config is the host's configuration; Configured is false until the
	// host set it.
	Config     PositionConfig `json:"config"`
	Configured bool           `json:"configured"`
	// PendingReason says why the position is pending, e.g. "pipeline changed".
	PendingReason string `json:"pending_reason,omitempty"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PositionID returns the ID of the position for a job of a connection:
// connection + ":" + jobID. For the default connection of an ATS (whose ID
// is the ATS's name) this is "workable:" + jobID, the ID positions had
// before connections existed.
func PositionID(connection, jobID string) string { return connection + ":" + jobID }

// TriggerStage returns the stage ID that triggers interviews.
func (p Position) TriggerStage() string {
	if p.Config.Stages.Trigger != "" {
		return p.Config.Stages.Trigger
	}
	return p.Link.StageID
}

// Clone returns a deep copy of p.
func (p Position) Clone() Position {
	p.Stages = slices.Clone(p.Stages)
	p.Config.Rounds = slices.Clone(p.Config.Rounds)
	p.Config.Require = slices.Clone(p.Config.Require)
	p.Config.Tags = slices.Clone(p.Config.Tags)
	if p.Config.Notes != nil {
		m := make(map[NoteKind]string, len(p.Config.Notes))
		for k, v := range p.Config.Notes {
			m[k] = v
		}
		p.Config.Notes = m
	}
	return p
}

// PositionFilter selects positions. Empty fields do not filter.
type PositionFilter struct {
	Connection string
	Source     string
	Status     PositionStatus
	// AfterID keeps positions whose ID sorts after it: the cursor of the
	// next page (the last ID of the previous one).
	AfterID string
	// Limit caps the number returned; zero means no limit.
	Limit int
}

// InterviewFilter selects interviews. Empty fields do not filter.
type InterviewFilter struct {
	Connection  string
	Source      string
	CandidateID string
	PositionID  string
	// States keeps interviews in any of these states.
	States []State
	// ExpiresBefore keeps interviews whose invitation expires at or before
	// this time (and has an expiry).
	ExpiresBefore time.Time
	// Limit caps the number returned; zero means no limit.
	Limit int
	// After keeps interviews listed after this cursor in the listing
	// order (CreatedAt, then ID): the cursor of the next page is
	// CursorOf the last interview of the previous one. Zero starts at
	// the beginning.
	After InterviewCursor
}

// Match reports whether iv passes the filter. Stores may use it.
func (f InterviewFilter) Match(iv Interview) bool {
	if !f.After.IsZero() && !f.After.Before(iv) {
		return false
	}
	if f.Connection != "" && iv.Connection != f.Connection {
		return false
	}
	if f.Source != "" && iv.Source != f.Source {
		return false
	}
	if f.CandidateID != "" && iv.CandidateID != f.CandidateID {
		return false
	}
	if f.PositionID != "" && iv.PositionID != f.PositionID {
		return false
	}
	if len(f.States) > 0 && !slices.Contains(f.States, iv.State) {
		return false
	}
	if !f.ExpiresBefore.IsZero() && (iv.ExpiresAt.IsZero() || iv.ExpiresAt.After(f.ExpiresBefore)) {
		return false
	}
	return true
}

// EffectKind is the kind of a side effect in the outbox.
type EffectKind string

// Effect kinds.
const (
	EffectNote         EffectKind = "note"
	EffectMove         EffectKind = "move"
	EffectTag          EffectKind = "tag"
	EffectFeedback     EffectKind = "feedback"
	EffectVendorCreate EffectKind = "vendor_create"
	EffectVendorCancel EffectKind = "vendor_cancel"
	EffectCallback     EffectKind = "callback"
	EffectMarkReported EffectKind = "mark_reported"
)

// EffectState is the delivery state of an outbox effect.
type EffectState string

// Effect states.
const (
	EffectPending EffectState = "pending"
	EffectDone    EffectState = "done"
	EffectFailed  EffectState = "failed"
	// EffectParked: the effect failed for a reason only an operator can
	// cure — the ATS refused the connection's credentials (401, 403) or
	// the host's configuration is missing (ErrConfiguration). It waits,
	// visible through Engine.Effects, until Engine.RequeueEffect or
	// Engine.RequeueConnection (called by EnableConnection) puts it back
	// in the queue. A parked effect does not hold back the candidate's
	// later effects, but an interview whose result effects are parked is
	// not moved to reported. After parking an effect for refused
	// credentials (401) the dispatcher reads its candidate once more: if
	// the ATS accepts the credentials by then, they were fixed while the
	// refused call was in flight, and the effect is requeued at once.
	EffectParked EffectState = "parked"
)

// Effect is a side effect waiting in (or delivered from) the outbox. It is
// written in the same transaction as the transition that caused it and
// delivered at least once by a Dispatcher.
type Effect struct {
	// Seq orders effects; stores assign it on commit.
	Seq int64
	// ID is unique and doubles as the idempotency key.
	ID          string
	Kind        EffectKind
	InterviewID string
	// OrderKey serialises delivery: an effect is only claimed once every
	// earlier pending effect with the same OrderKey is done or failed.
	OrderKey string
	// Connection is the ATS account the effect writes to (or, for vendor
	// and callback effects, on whose behalf).
	Connection  string
	Source      string
	CandidateID string
	// Payload is the kind-specific content (JSON). When the effect was
	// enqueued under a recording OpenTelemetry span it also carries that
	// span's W3C "traceparent", so its delivery continues the trace.
	Payload json.RawMessage

	State    EffectState
	Attempts int
	// Unacked is true while an attempt was started (BeginAttempt) but its
	// outcome was never recorded: the call may or may not have reached
	// the ATS.
	Unacked       bool
	NextAttemptAt time.Time
	ClaimedBy     string
	LeaseUntil    time.Time
	LastError     string
	CreatedAt     time.Time
	DoneAt        time.Time
}

// Clone returns a deep copy of e.
func (e Effect) Clone() Effect {
	e.Payload = slices.Clone(e.Payload)
	return e
}

// EffectFilter selects outbox effects. Empty fields do not filter.
type EffectFilter struct {
	Connection  string
	InterviewID string
	Kind        EffectKind
	State       EffectState
	// AfterSeq keeps effects whose Seq is greater: the cursor of the next
	// page (the last Seq of the previous one).
	AfterSeq int64
	// Limit caps the number returned; zero means no limit.
	Limit int
}

// Match reports whether e passes the filter. Stores may use it.
func (f EffectFilter) Match(e Effect) bool {
	return e.Seq > f.AfterSeq &&
		(f.Connection == "" || e.Connection == f.Connection) &&
		(f.InterviewID == "" || e.InterviewID == f.InterviewID) &&
		(f.Kind == "" || e.Kind == f.Kind) &&
		(f.State == "" || e.State == f.State)
}
