package lifecycle

import (
	"errors"

	"github.com/atskit/atskit/internal/errfmt"
)

// Permanent marks err as permanent: the dispatcher does not retry an effect
// failing with it. The chain is kept, so errors.Is and errors.As still find
// what err wraps (e.g. ErrInsufficientCredits). Permanent(nil) is nil.
//
//	return "", lifecycle.Permanent(fmt.Errorf("acme vendor: %w", lifecycle.ErrInsufficientCredits))
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// New returns an engine over store, or an error naming what in opts it
// cannot work with: a nil store, no Vendor (every interview is created
// through it), no Connector (no way to reach an ATS), an
// Options.NoteMarker that does not embed the effect ID.
// Prefer it to NewEngine, which accepts anything and reports such
// mistakes only when an effect fails.
func New(store Store, opts Options) (*Engine, error) {
	var errs []error
	if store == nil {
		errs = append(errs, errors.New("store is nil: pass memstore.New() or a sqlstore.Store"))
	}
	if opts.Vendor == nil {
		errs = append(errs, errors.New("Options.Vendor is nil: the engine creates every interview through it"))
	}
	if opts.Connector == nil {
		errs = append(errs, errors.New("Options.Connector is nil: the engine cannot reach any ATS; pass lifecycle.NewMemoryConnector(map[string]ats.Adapter{...}) or your own Connector"))
	}
	if opts.NoteMarker != nil {
		if err := checkNoteMarker(opts.NoteMarker); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, errfmt.Errorf("lifecycle: New: %w", err)
	}
	return NewEngine(store, opts), nil
}
