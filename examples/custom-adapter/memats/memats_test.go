package memats_test

import (
	"testing"

	"github.com/atskit/atskit/ats/atstest"
	"github.com/atskit/atskit/examples/custom-adapter/memats"
)

func TestConformance(t *testing.T) {
	atstest.Run(t, memats.NewBackend())
}
