package lifecycle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

// Fingerprint summarises a job's link and pipeline; RefreshPositions puts an
// active position back to pending when it changes.
func Fingerprint(link ats.JobLink, stages []ats.Stage) string {
	h := sha256.New()
	fmt.Fprintf(h, "link\x00%s\x00%s\n", link.Marker, link.StageID)
	for _, s := range stages {
		fmt.Fprintf(h, "%s\x00%s\x00%s\n", s.ID, s.Name, s.Kind)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// RefreshPositions reads the jobs linked to the vendor from the adapter of
// connection (which must implement ats.LinkedJobLister) and updates the
// connection's positions: new jobs appear as pending, active jobs whose
// pipeline changed go back to pending, and jobs no longer linked become
// inactive. It returns the connection's positions afterwards.
func (e *Engine) RefreshPositions(ctx context.Context, connection string) ([]Position, error) {
	a, err := e.adapter(ctx, connection)
	if err != nil {
		return nil, err
	}
	// The ATS kind: the connection's, or for a default connection its
	// own name.
	source := connection
	if c, err := e.store.Connection(ctx, connection); err == nil && c.Kind != "" {
		source = c.Kind
	}
	lister, ok := a.(ats.LinkedJobLister)
	if !ok {
		return nil, fmt.Errorf("lifecycle: refresh %s positions: adapter does not list linked jobs (ats.LinkedJobLister)", source)
	}
	linked := map[string]bool{}
	for job, err := range lister.LinkedJobs(ctx) {
		if err != nil {
			return nil, errfmt.Errorf("lifecycle: refresh %s positions: %w", source, err)
		}
		if !job.Link.Linked {
			continue
		}
		stages, err := a.Stages(ctx, job.ID)
		if err != nil {
			return nil, errfmt.Errorf("lifecycle: refresh %s positions: stages of job %s: %w", source, job.ID, err)
		}
		id := PositionID(connection, job.ID)
		linked[id] = true
		err = e.savePosition(ctx, id, func(p *Position, exists bool) bool {
			fp := Fingerprint(job.Link, stages)
			changed := !exists || p.Title != job.Title || p.Fingerprint != fp || p.Link != job.Link
			if !exists {
				*p = Position{ID: id, Connection: connection, Source: source, JobID: job.ID, Status: PositionPending, PendingReason: "new", CreatedAt: e.now()}
			}
			p.Title, p.Link, p.Stages, p.Fingerprint = job.Title, job.Link, stages, fp
			switch {
			case p.Status == PositionInactive:
				p.Status, p.PendingReason, changed = PositionPending, "linked again", true
			case p.Status == PositionActive && p.ActiveFingerprint != fp:
				p.Status, p.PendingReason, changed = PositionPending, "pipeline changed", true
			}
			return changed
		})
		if err != nil {
			return nil, err
		}
	}
	existing, err := e.store.Positions(ctx, PositionFilter{Connection: connection})
	if err != nil {
		return nil, err
	}
	for _, p := range existing {
		if linked[p.ID] || p.Status == PositionInactive {
			continue
		}
		err := e.savePosition(ctx, p.ID, func(p *Position, _ bool) bool {
			if p.Status == PositionInactive {
				return false
			}
			p.Status, p.PendingReason = PositionInactive, ""
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	return e.store.Positions(ctx, PositionFilter{Connection: connection})
}

// savePosition loads, modifies and saves a position, retrying on conflicts.
// fn reports whether it changed anything.
func (e *Engine) savePosition(ctx context.Context, id string, fn func(p *Position, exists bool) bool) error {
	_, err := e.modifyPosition(ctx, id, func(p *Position, exists bool) (bool, error) { return fn(p, exists), nil })
	return err
}

func (e *Engine) modifyPosition(ctx context.Context, id string, fn func(p *Position, exists bool) (bool, error)) (Position, error) {
	for attempt := 0; ; attempt++ {
		p, err := e.store.Position(ctx, id)
		exists := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Position{}, err
		}
		changed, err := fn(&p, exists)
		if err != nil || !changed {
			return p, err
		}
		p.UpdatedAt = e.now()
		saved, err := e.store.SavePosition(ctx, p)
		if err == nil {
			e.log.Info("lifecycle: position saved", "position", id, "status", saved.Status)
			return saved, nil
		}
		if !errors.Is(err, ErrVersionConflict) || attempt >= e.opts.MaxConflictRetries {
			return Position{}, errfmt.Errorf("lifecycle: save position %s: %w", id, err)
		}
	}
}

// Positions lists positions.
func (e *Engine) Positions(ctx context.Context, f PositionFilter) ([]Position, error) {
	return e.store.Positions(ctx, f)
}

// Position returns one position.
func (e *Engine) Position(ctx context.Context, id string) (Position, error) {
	return e.store.Position(ctx, id)
}

// ConfigurePosition sets a position's configuration after validating it
// (at least one round, stages of the job's pipeline, parseable note
// templates). The status is unchanged: a pending position still needs
// ActivatePosition.
func (e *Engine) ConfigurePosition(ctx context.Context, id string, cfg PositionConfig) (Position, error) {
	return e.modifyPosition(ctx, id, func(p *Position, exists bool) (bool, error) {
		if !exists {
			return false, errfmt.Errorf("lifecycle: configure position %s: %w", id, ErrNotFound)
		}
		if err := e.validateConfig(p, cfg); err != nil {
			return false, errfmt.Errorf("lifecycle: configure position %s: %w", id, err)
		}
		p.Config, p.Configured = cfg, true
		*p = p.Clone()
		return true, nil
	})
}

func (e *Engine) validateConfig(p *Position, cfg PositionConfig) error {
	if len(cfg.Rounds) == 0 {
		return errors.New("at least one round is required")
	}
	for i, r := range cfg.Rounds {
		if r.Name == "" {
			return fmt.Errorf("round %d has no name", i+1)
		}
	}
	for _, f := range cfg.Require {
		if !slices.Contains([]Field{FieldEmail, FieldPhone, FieldResume}, f) {
			return fmt.Errorf("unknown required field %q", f)
		}
	}
	m := cfg.Stages
	for _, st := range []struct{ name, id string }{
		{"trigger", m.Trigger}, {"scheduled", m.Scheduled}, {"passed", m.Passed},
		{"failed", m.Failed}, {"unable to schedule", m.UnableToSchedule},
	} {
		if st.id == "" || len(p.Stages) == 0 {
			continue
		}
		if !slices.ContainsFunc(p.Stages, func(s ats.Stage) bool { return s.ID == st.id }) {
			return fmt.Errorf("%s stage %q is not a stage of job %s", st.name, st.id, p.JobID)
		}
	}
	if m.Trigger != "" && slices.Contains([]string{m.Scheduled, m.Passed, m.Failed, m.UnableToSchedule}, m.Trigger) {
		return errors.New("the trigger stage cannot also be an outcome stage")
	}
	return e.validateNotes(cfg.Notes)
}

// ActivatePosition activates a configured position: from now on candidates
// entering its trigger stage get interviews, and those already in it get
// theirs at once (see Reconcile; with a store that implements Inbox they
// are queued for the dispatchers). The configuration is checked
// against the job's current pipeline again; a mapped stage that no longer
// exists refuses activation with ErrPositionNotReady until the host
// reconfigures the position.
func (e *Engine) ActivatePosition(ctx context.Context, id string) (Position, error) {
	p, err := e.activatePosition(ctx, id)
	if err == nil && p.Status == PositionActive {
		// Candidates already in the trigger stage get their
		// interviews now; a failure here does not undo the activation
		// (Run's periodic Reconcile catches up).
		var res ReconcileResult
		if rerr := e.reconcilePosition(ctx, &p, &res); rerr != nil && !errors.Is(rerr, ErrCannotList) {
			e.log.Warn("lifecycle: reconcile on activation", "position", id, "err", rerr)
		}
	}
	return p, err
}

func (e *Engine) activatePosition(ctx context.Context, id string) (Position, error) {
	return e.modifyPosition(ctx, id, func(p *Position, exists bool) (bool, error) {
		switch {
		case !exists:
			return false, errfmt.Errorf("lifecycle: activate position %s: %w", id, ErrNotFound)
		case p.Status == PositionInactive:
			return false, errfmt.Errorf("lifecycle: activate position %s: %w: the job is no longer linked to the vendor (link it in the ATS, then RefreshPositions)", id, ErrPositionNotReady)
		case !p.Configured:
			return false, errfmt.Errorf("lifecycle: activate position %s: %w: not configured (call ConfigurePosition first)", id, ErrPositionNotReady)
		case p.TriggerStage() == "":
			return false, errfmt.Errorf("lifecycle: activate position %s: %w: no trigger stage (set PositionConfig.Stages.Trigger, or link the job through the vendor's stage)", id, ErrPositionNotReady)
		}
		// The pipeline may have changed since the configuration was
		// made (that is why the position went back to pending): mapped
		// stages must still exist.
		if err := e.validateConfig(p, p.Config); err != nil {
			return false, errfmt.Errorf("lifecycle: activate position %s: %w: %w", id, ErrPositionNotReady, err)
		}
		if p.Status == PositionActive && p.ActiveFingerprint == p.Fingerprint {
			return false, nil
		}
		p.Status, p.ActiveFingerprint, p.PendingReason = PositionActive, p.Fingerprint, ""
		return true, nil
	})
}

// DeactivatePosition puts a position back to pending: no new interviews
// are requested for it; live ones continue.
func (e *Engine) DeactivatePosition(ctx context.Context, id string) (Position, error) {
	return e.modifyPosition(ctx, id, func(p *Position, exists bool) (bool, error) {
		if !exists {
			return false, errfmt.Errorf("lifecycle: deactivate position %s: %w", id, ErrNotFound)
		}
		if p.Status != PositionActive {
			return false, nil
		}
		p.Status, p.PendingReason = PositionPending, "deactivated by host"
		return true, nil
	})
}
