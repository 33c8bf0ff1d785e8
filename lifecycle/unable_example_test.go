package lifecycle_test

import (
	"errors"
	"fmt"

	"github.com/atskit/atskit/lifecycle"
)

// A Vendor tells the engine an interview cannot be held, and why: the
// interview ends unable-to-schedule at once, and the note shows Detail.
func ExampleUnableError() {
	apiErr := errors.New("acme: 409 template_archived") // the vendor API's answer, for logs only
	err := fmt.Errorf("create interview: %w", &lifecycle.UnableError{
		Reason: lifecycle.ReasonOrganisationCancel,
		Detail: "the interview template was archived",
		Err:    apiErr,
	})
	var ue *lifecycle.UnableError
	fmt.Println(errors.As(err, &ue), ue.Reason, errors.Is(err, apiErr))
	// Output: true cancelled_by_organisation true
}
