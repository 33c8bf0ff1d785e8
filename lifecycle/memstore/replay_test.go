package memstore_test

import (
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/lifecycle/storetest"
)

func TestReplayGuardConformance(t *testing.T) {
	storetest.RunReplayGuard(t, func(t *testing.T) ats.ReplayGuard { return memstore.New() })
}

func TestDeliveryConfirmer(t *testing.T) {
	storetest.RunDeliveryConfirmer(t, func(t *testing.T) storetest.ConfirmingGuard { return memstore.New() })
}
