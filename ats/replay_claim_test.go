package ats_test

import (
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle/storetest"
)

func TestMemoryReplayGuardDeliveryConfirmer(t *testing.T) {
	storetest.RunDeliveryConfirmer(t, func(t *testing.T) storetest.ConfirmingGuard { return &ats.MemoryReplayGuard{} })
}
