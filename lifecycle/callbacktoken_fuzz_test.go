package lifecycle_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/atskit/atskit/lifecycle"
)

// FuzzTokenSealer: a sealed token opens to itself for its own URL only,
// never appears in clear in the sealed form, and any other input either
// opens to itself (not sealed) or fails with ErrTokenSealed — never
// panics.
func FuzzTokenSealer(f *testing.F) {
	f.Add("https://www.workable.com/spi/v3/assessments/1", "tok-123456789", "atskit-sealed-v1:AAAA")
	f.Add("", "x", "atskit-sealed-v1:")
	f.Add("https://a/b", "atskit-sealed-v1:looks-sealed", "atskit-sealed-v1:////")
	s, err := lifecycle.NewTokenSealer(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, url, token, other string) {
		sealed, err := s.Seal(url, token)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(token, "atskit-sealed-v1:") || token == "" {
			if sealed != token {
				t.Fatalf("Seal changed an empty or already sealed token")
			}
			return
		}
		if len(token) >= 6 && strings.Contains(sealed, token) {
			t.Fatalf("sealed form %q holds the token in clear", sealed)
		}
		if got, err := s.Open(url, sealed); err != nil || got != token {
			t.Fatalf("Open(Seal(%q)) = %q, %v", token, got, err)
		}
		if url != other {
			if _, err := s.Open(other, sealed); !errors.Is(err, lifecycle.ErrTokenSealed) {
				t.Fatalf("a token sealed for %q opened for %q (err %v)", url, other, err)
			}
		}
		got, err := s.Open(url, other)
		if err == nil && !strings.HasPrefix(other, "atskit-sealed-v1:") && got != other {
			t.Fatalf("Open of an unsealed value changed it")
		}
		if err != nil && !errors.Is(err, lifecycle.ErrTokenSealed) {
			t.Fatalf("Open error %v is not ErrTokenSealed", err)
		}
	})
}
