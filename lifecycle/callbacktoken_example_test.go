package lifecycle_test

import (
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/atskit/atskit/lifecycle"
)

// ExampleNewTokenSealer keeps Workable callback tokens encrypted in the
// store. In production the key comes from a secret store; list the
// previous key after the new one while rotating.
func ExampleNewTokenSealer() {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(err)
	}
	sealer, err := lifecycle.NewTokenSealer(key)
	if err != nil {
		panic(err)
	}
	_ = lifecycle.Options{CallbackTokenSealer: sealer} // and the rest of the engine's options

	url := "https://acme.workable.com/spi/v3/interviews/42"
	sealed, _ := sealer.Seal(url, "callback-token")
	token, _ := sealer.Open(url, sealed)
	fmt.Println(strings.HasPrefix(sealed, "atskit-sealed-v1:"), token)
	// Output: true callback-token
}
