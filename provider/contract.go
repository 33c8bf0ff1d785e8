package provider

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/atskit/atskit/internal/errfmt"
)

// Backend is a vendor's product in the one shape every partner contract an
// ATS calls shares — catalogue, order, status with its result, and
// (optionally, Canceler) cancel — so a vendor implements it once and
// serves every ATS from it:
//
//	b := myBackend{}                             // implements provider.Backend
//	provider.NewHandler(provider.WorkableFrom(b), ...)             // Workable: video interviews and assessments
//	provider.NewGreenhouseHandler(provider.GreenhouseFrom(b), ...) // Greenhouse: Assessment Partner API
//	provider.NewAshbyHandler(provider.AshbyFrom(b), ...)           // Ashby: Assessments Partner API
//
// What every contract shares is done once, around the backend: the
// TokenResolver turns the key the ATS presents into the Account (the
// tenant), the handlers' idempotency store answers an ATS's retry of an
// order with the first id without calling Order again (keyed per
// Account, so one tenant's key never reaches another tenant's orders),
// StatusDocument.Validate checks every result before any contract maps it, and
// Publisher's SSRF guard and retry policy deliver status changes
// (Publisher, GreenhousePublisher, AshbyPublisher).
//
// Every method gets the Account the request's key resolved to and must
// only see that account's data: the same order id in two accounts names
// two orders. Unknown offerings and orders are ErrNotFound.
type Backend interface {
	// Catalogue lists what the account's users can pick: interview
	// templates, tests or assessment types.
	Catalogue(ctx context.Context, account Account) ([]Offering, error)
	// Order invites o.Candidate and returns the new order's id. It returns
	// ErrConflict (or an *Error) to refuse.
	Order(ctx context.Context, account Account, o Order) (id string, err error)
	// Status returns the order's current status and, once completed, its
	// results (StatusDocument.Interview), or ErrNotFound.
	Status(ctx context.Context, account Account, id string) (StatusDocument, error)
}

// Canceler is implemented by a Backend that can cancel an order (Ashby's
// assessment.cancel). Cancelling an unknown order returns ErrNotFound.
type Canceler interface {
	Cancel(ctx context.Context, account Account, id string) error
}

// Offering is one entry of a Backend's catalogue. Contracts that number
// their tests (Workable's GET /tests) send an ID made only of digits as a
// JSON number.
type Offering struct {
	ID          string
	Name        string
	Description string
}

// The contracts an Order can come from (Order.Contract).
const (
	ContractWorkableInterview  = "workable-interview"
	ContractWorkableAssessment = "workable-assessment"
	ContractGreenhouse         = "greenhouse"
	ContractAshby              = "ashby"
)

// Order is a request to interview or assess a candidate, whichever
// contract it came through.
type Order struct {
	// Contract is one of the Contract constants.
	Contract string
	// OfferingID is a catalogue entry's ID; the adapters check it is one.
	OfferingID string
	// Candidate is who to invite; which fields are set depends on the
	// ATS (Workable guarantees none, Greenhouse and Ashby send names and
	// e-mail).
	Candidate Candidate
	// CandidateRef and ApplicationRef are the ATS's own ids when the
	// contract sends them (Ashby does; Greenhouse's are read from
	// greenhouse_profile_url); JobRef and JobTitle name the job
	// (Workable's job_shortcode or job_id, Ashby's job).
	CandidateRef, ApplicationRef, JobRef, JobTitle string
	// CallbackURL is where the contract expects status changes: Workable's
	// callback_url, Greenhouse's url; empty for Ashby, whose updates go to
	// its API (AshbyPublisher).
	CallbackURL string
	// Preferences carries contract-specific values: Workable's
	// preferences, Ashby's additional_fields.
	Preferences map[string]any
}

// offering finds id in b's catalogue; an unknown id is ErrNotFound.
func offering(ctx context.Context, b Backend, account Account, id string) (Offering, error) {
	list, err := b.Catalogue(ctx, account)
	if err != nil {
		return Offering{}, err
	}
	for _, o := range list {
		if o.ID == id {
			return o, nil
		}
	}
	return Offering{}, errfmt.Errorf("provider: offering %q: %w", id, ErrNotFound)
}

// status reads an order's status and checks it with StatusDocument.Validate, so a
// result every contract would refuse is caught before one maps it.
func status(ctx context.Context, b Backend, account Account, id string) (StatusDocument, error) {
	r, err := b.Status(ctx, account, id)
	if err != nil {
		return StatusDocument{}, err
	}
	if err := r.Validate(); err != nil {
		return StatusDocument{}, errfmt.Errorf("provider: backend answered an invalid status for order %q: %w", id, err)
	}
	return r, nil
}

// WorkableBackend serves both of Workable's contracts; NewHandler accepts
// it as its backend.
type WorkableBackend interface {
	InterviewBackend
	AssessmentBackend
}

// WorkableFrom serves Workable's video-interview and assessment contracts
// from b (see WorkableInterviews and WorkableAssessments).
func WorkableFrom(b Backend) WorkableBackend {
	return struct {
		workableInterviews
		workableAssessments
	}{workableInterviews{b}, workableAssessments{b}}
}

// WorkableInterviews serves Workable's video-interview contract from b:
// interview templates are b's catalogue, POST /interviews is an Order with
// Contract ContractWorkableInterview.
func WorkableInterviews(b Backend) InterviewBackend { return workableInterviews{b} }

type workableInterviews struct{ b Backend }

func (w workableInterviews) InterviewTemplates(ctx context.Context, account Account) ([]InterviewTemplate, error) {
	list, err := w.b.Catalogue(ctx, account)
	if err != nil {
		return nil, err
	}
	out := make([]InterviewTemplate, len(list))
	for i, o := range list {
		out[i] = InterviewTemplate{ID: o.ID, Name: o.Name}
	}
	return out, nil
}

func (w workableInterviews) CreateInterview(ctx context.Context, account Account, req CreateInterviewRequest) (string, error) {
	if _, err := offering(ctx, w.b, account, req.InterviewTemplateID); err != nil {
		return "", err
	}
	return w.b.Order(ctx, account, Order{Contract: ContractWorkableInterview, OfferingID: req.InterviewTemplateID,
		Candidate: req.Candidate, JobRef: req.Job(), JobTitle: req.JobTitle, CallbackURL: req.CallbackURL, Preferences: req.Preferences})
}

func (w workableInterviews) Interview(ctx context.Context, account Account, id string) (StatusDocument, error) {
	return status(ctx, w.b, account, id)
}

// WorkableAssessments serves Workable's assessment contract from b: tests
// are b's catalogue (an ID of digits is listed as a JSON number, as
// Workable's example does), POST /assessments is an Order with Contract
// ContractWorkableAssessment.
func WorkableAssessments(b Backend) AssessmentBackend { return workableAssessments{b} }

type workableAssessments struct{ b Backend }

func (w workableAssessments) Tests(ctx context.Context, account Account) ([]Test, error) {
	list, err := w.b.Catalogue(ctx, account)
	if err != nil {
		return nil, err
	}
	out := make([]Test, len(list))
	for i, o := range list {
		out[i] = Test{ID: StringID(o.ID), Name: o.Name}
		if n, err := strconv.ParseInt(o.ID, 10, 64); err == nil && strconv.FormatInt(n, 10) == o.ID {
			out[i].ID = NumberID(n)
		}
	}
	return out, nil
}

func (w workableAssessments) CreateAssessment(ctx context.Context, account Account, req CreateAssessmentRequest) (string, error) {
	id := req.TestID.String()
	if _, err := offering(ctx, w.b, account, id); err != nil {
		return "", err
	}
	return w.b.Order(ctx, account, Order{Contract: ContractWorkableAssessment, OfferingID: id,
		Candidate: req.Candidate, JobRef: req.Job(), JobTitle: req.JobTitle, CallbackURL: req.CallbackURL, Preferences: req.Preferences})
}

func (w workableAssessments) Assessment(ctx context.Context, account Account, id string) (StatusDocument, error) {
	return status(ctx, w.b, account, id)
}

// GreenhouseFrom serves Greenhouse's Assessment Partner API from b:
// list_tests is b's catalogue, send_test an Order with Contract
// ContractGreenhouse and Greenhouse's url as CallbackURL, test_status
// b.Status mapped by GreenhouseStatusFromResult.
func GreenhouseFrom(b Backend) GreenhouseBackend { return greenhouseFrom{b} }

type greenhouseFrom struct{ b Backend }

func (g greenhouseFrom) GreenhouseTests(ctx context.Context, account Account) ([]GreenhouseTest, error) {
	list, err := g.b.Catalogue(ctx, account)
	if err != nil {
		return nil, err
	}
	out := make([]GreenhouseTest, len(list))
	for i, o := range list {
		out[i] = GreenhouseTest{ID: o.ID, Name: o.Name}
	}
	return out, nil
}

func (g greenhouseFrom) SendGreenhouseTest(ctx context.Context, account Account, req GreenhouseSendTestRequest) (string, error) {
	if _, err := offering(ctx, g.b, account, req.PartnerTestID); err != nil {
		return "", err
	}
	c := req.Candidate
	o := Order{Contract: ContractGreenhouse, OfferingID: req.PartnerTestID,
		Candidate:   Candidate{FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Phone: c.PhoneNumber},
		CallbackURL: req.URL}
	o.CandidateRef, o.ApplicationRef = greenhouseProfileRefs(c.GreenhouseProfileURL)
	return g.b.Order(ctx, account, o)
}

// greenhouseProfileRefs reads the candidate and application IDs from a
// greenhouse_profile_url such as
// https://app.greenhouse.io/people/17681532?application_id=26234709, the
// form of the documentation's example
// (https://developers.greenhouse.io/assessment.html#send_test). Both are
// "" when the URL has another shape: the IDs are not documented as
// fields, so this is a best effort.
func greenhouseProfileRefs(profile string) (candidate, application string) {
	u, err := url.Parse(profile)
	if err != nil {
		return "", ""
	}
	if rest, ok := strings.CutPrefix(u.Path, "/people/"); ok && rest != "" && !strings.Contains(rest, "/") && isDigits(rest) {
		candidate = rest
	}
	if app := u.Query().Get("application_id"); isDigits(app) {
		application = app
	}
	return candidate, application
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (g greenhouseFrom) GreenhouseTestStatus(ctx context.Context, account Account, id string) (GreenhouseTestStatus, error) {
	r, err := status(ctx, g.b, account, id)
	if err != nil {
		return GreenhouseTestStatus{}, err
	}
	return GreenhouseStatusFromResult(r), nil
}

// AshbyFrom serves Ashby's Assessments Partner API from b:
// assessment.list is b's catalogue, assessment.start an Order with
// Contract ContractAshby (the candidate, application and job as refs,
// additional_fields as Preferences) answered with a first update of
// status AshbyStatusStarted, and assessment.cancel b's Cancel when b is a
// Canceler (otherwise the handler answers that cancel is unsupported).
func AshbyFrom(b Backend) AshbyBackend {
	if c, ok := b.(Canceler); ok {
		return ashbyCancelFrom{ashbyFrom{b}, c}
	}
	return ashbyFrom{b}
}

type ashbyFrom struct{ b Backend }

type ashbyCancelFrom struct {
	ashbyFrom
	c Canceler
}

func (a ashbyCancelFrom) CancelAshbyAssessment(ctx context.Context, account Account, id string) error {
	return a.c.Cancel(ctx, account, id)
}

func (a ashbyFrom) AshbyAssessmentTypes(ctx context.Context, account Account) ([]AshbyAssessmentType, error) {
	list, err := a.b.Catalogue(ctx, account)
	if err != nil {
		return nil, err
	}
	out := make([]AshbyAssessmentType, len(list))
	for i, o := range list {
		out[i] = AshbyAssessmentType{ID: o.ID, Name: o.Name, Description: o.Description}
	}
	return out, nil
}

func (a ashbyFrom) StartAshbyAssessment(ctx context.Context, account Account, req AshbyStartRequest) (AshbyStartResult, error) {
	if _, err := offering(ctx, a.b, account, req.AssessmentTypeID); err != nil {
		return AshbyStartResult{}, err
	}
	o := Order{Contract: ContractAshby, OfferingID: req.AssessmentTypeID,
		Candidate:    Candidate{FirstName: req.Candidate.FirstName, LastName: req.Candidate.LastName, Email: req.Candidate.Email},
		CandidateRef: req.Candidate.AshbyID, ApplicationRef: req.Application.AshbyID, JobRef: req.Job.AshbyID, JobTitle: req.Job.Name}
	if len(req.AdditionalFields) > 0 {
		o.Preferences = make(map[string]any, len(req.AdditionalFields))
		for k, v := range req.AdditionalFields {
			o.Preferences[k] = v
		}
	}
	id, err := a.b.Order(ctx, account, o)
	if err != nil {
		return AshbyStartResult{}, err
	}
	return AshbyStartResult{AssessmentID: id, FirstUpdate: &AshbyUpdate{Status: AshbyStatusValue(AshbyStatusStarted)}}, nil
}

// AshbyStatusValue is the assessment_status data value for a status text.
func AshbyStatusValue(s string) *AshbyDataValue {
	return &AshbyDataValue{Identifier: "status", Label: "Status", Type: AshbyString, Value: s}
}

// AshbyUpdateFromResult maps a StatusDocument onto the assessment.update of order
// id: the status as text ("Started" for pending, as Ashby records when an
// assessment started; "Completed", "Expired", "Declined"), and once
// completed the results URL as assessment_profile_url, a numeric score
// (a trailing % is dropped) as a numeric_score result — a non-numeric
// score as a string result — and grade, summary and duration as string
// metadata. A declined or expired order is sent as cancelled with that
// reason, so Ashby stops waiting for it.
func AshbyUpdateFromResult(id string, r StatusDocument) AshbyUpdate {
	u := AshbyUpdate{AssessmentID: id}
	switch r.Status.Normalize() {
	case StatusPending:
		u.Status = AshbyStatusValue(AshbyStatusStarted)
	case StatusCompleted:
		u.Status = AshbyStatusValue("Completed")
	case StatusExpired, StatusDeclined:
		reason := "Expired"
		if r.Status.Normalize() == StatusDeclined {
			reason = "Declined"
		}
		u.CancelledReason = &AshbyDataValue{Identifier: "cancelled_reason", Label: "Reason", Type: AshbyString, Value: reason}
		return u
	default:
		u.Status = AshbyStatusValue(string(r.Status))
	}
	if r.ResultsURL != "" {
		u.ProfileURL = &AshbyDataValue{Identifier: "profile_url", Label: "Report", Type: AshbyURL, Value: r.ResultsURL}
	}
	res := r.results()
	if res == nil || r.Status.Normalize() != StatusCompleted {
		return u
	}
	if score := strings.TrimSpace(res.Score); score != "" {
		if f, err := strconv.ParseFloat(strings.TrimSuffix(score, "%"), 64); err == nil {
			u.Result = &AshbyDataValue{Identifier: "score", Label: "Score", Type: AshbyNumericScore, Value: f}
		} else {
			u.Result = &AshbyDataValue{Identifier: "score", Label: "Score", Type: AshbyString, Value: score}
		}
	}
	for _, m := range []struct{ id, label, v string }{{"grade", "Grade", string(res.Grade)}, {"summary", "Summary", res.Summary}, {"duration", "Duration", res.Duration}} {
		if m.v != "" {
			u.Metadata = append(u.Metadata, AshbyDataValue{Identifier: m.id, Label: m.label, Type: AshbyString, Value: m.v})
		}
	}
	if u.Result != nil && u.ProfileURL == nil {
		u.Result = nil // Ashby requires a profile URL with a result
	}
	return u
}
