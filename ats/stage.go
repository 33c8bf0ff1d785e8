package ats

// StageKind classifies a pipeline stage independently of its name.
type StageKind string

// Stage kinds. Adapters map their ATS's classification onto these and leave
// StageOther when there is none.
const (
	StageSourced     StageKind = "sourced"
	StageApplied     StageKind = "applied"
	StageShortlisted StageKind = "shortlisted"
	StageAssessment  StageKind = "assessment"
	StagePhoneScreen StageKind = "phone-screen"
	StageInterview   StageKind = "interview"
	StageOffer       StageKind = "offer"
	StageHired       StageKind = "hired"
	StageOther       StageKind = "other"
)

// Stage is a step of a hiring pipeline.
type Stage struct {
	// ID identifies the stage in MoveCandidate (Workable: slug, Lever: stage ID).
	ID string
	// Name is the display name recruiters see.
	Name string
	// Kind classifies the stage.
	Kind StageKind
	// Position is the zero-based position in the pipeline, or -1 when unknown.
	Position int
}

// StageRef names a stage as an event or candidate reports it. Either field
// may be empty when the ATS did not say; adapters fill both when they can.
type StageRef struct {
	ID   string
	Name string
}

// IsZero reports whether r names no stage.
func (r StageRef) IsZero() bool { return r.ID == "" && r.Name == "" }

// Matches reports whether r refers to s, by ID or (case-insensitively) name.
func (r StageRef) Matches(s Stage) bool {
	if r.ID != "" && r.ID == s.ID {
		return true
	}
	return r.Name != "" && equalFold(r.Name, s.Name)
}

// FindStage returns the stage in stages that ref refers to.
func FindStage(stages []Stage, ref StageRef) (Stage, bool) {
	for _, s := range stages {
		if ref.ID != "" && ref.ID == s.ID {
			return s, true
		}
	}
	for _, s := range stages {
		if ref.Name != "" && equalFold(ref.Name, s.Name) {
			return s, true
		}
	}
	return Stage{}, false
}
