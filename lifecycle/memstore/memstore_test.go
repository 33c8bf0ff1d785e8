package memstore_test

import (
	"testing"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/lifecycle/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) lifecycle.Store { return memstore.New() })
}
