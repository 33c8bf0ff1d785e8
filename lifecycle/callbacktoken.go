package lifecycle

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/atskit/atskit/internal/errfmt"
)

// sealedPrefix marks a callback token sealed by a TokenSealer.
const sealedPrefix = "atskit-sealed-v1:"

// ErrTokenSealed means a callback token is sealed and no TokenSealer
// holding its key was configured (Options.CallbackTokenSealer), or the
// sealed value was altered.
var ErrTokenSealed = errors.New("lifecycle: callback token is sealed and cannot be opened")

// TokenSealer encrypts callback tokens at rest with keys the host provides
// (AES-256-GCM), so a copy of the database (a backup, a read replica, a
// leaked dump) does not hold the tokens Workable issued. Each token is
// bound to its callback URL: a sealed token moved to another interview's
// URL does not open. Create it with NewTokenSealer and set it as
// Options.CallbackTokenSealer.
type TokenSealer struct {
	aeads []cipher.AEAD // [0] seals; all open
}

// NewTokenSealer returns a sealer for 32-byte keys. The first key seals
// new tokens; every key opens, so a key is rotated by putting the new one
// first and keeping the old one until no interview sealed with it is open.
// Keys must come from a secret store, never from source code.
func NewTokenSealer(keys ...[]byte) (*TokenSealer, error) {
	if len(keys) == 0 {
		return nil, errors.New("lifecycle: NewTokenSealer: no key given")
	}
	s := &TokenSealer{}
	for i, k := range keys {
		if len(k) != 32 {
			return nil, fmt.Errorf("lifecycle: NewTokenSealer: key %d is %d bytes; want 32 random bytes (AES-256)", i, len(k))
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, errfmt.Errorf("lifecycle: NewTokenSealer: key %d: %w", i, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, errfmt.Errorf("lifecycle: NewTokenSealer: key %d: %w", i, err)
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// Seal returns token encrypted for callbackURL. An empty token stays
// empty.
func (s *TokenSealer) Seal(callbackURL, token string) (string, error) {
	if token == "" || strings.HasPrefix(token, sealedPrefix) {
		return token, nil
	}
	a := s.aeads[0]
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(token)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", errfmt.Errorf("lifecycle: sealing callback token: %w", err)
	}
	out := a.Seal(nonce, nonce, []byte(token), []byte(callbackURL))
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open returns the token sealed for callbackURL. A token that is not
// sealed (stored before sealing was enabled) is returned as is.
func (s *TokenSealer) Open(callbackURL, sealed string) (string, error) {
	if !strings.HasPrefix(sealed, sealedPrefix) {
		return sealed, nil
	}
	if s == nil {
		return "", ErrTokenSealed
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed[len(sealedPrefix):])
	if err != nil {
		return "", ErrTokenSealed
	}
	for _, a := range s.aeads {
		if len(raw) < a.NonceSize() {
			continue
		}
		if plain, err := a.Open(nil, raw[:a.NonceSize()], raw[a.NonceSize():], []byte(callbackURL)); err == nil {
			return string(plain), nil
		}
	}
	return "", ErrTokenSealed
}

// sealCallback seals cb's token when a sealer is configured.
func (e *Engine) sealCallback(cb Callback) (Callback, error) {
	if e.opts.CallbackTokenSealer == nil {
		return cb, nil
	}
	tok, err := e.opts.CallbackTokenSealer.Seal(cb.URL, cb.Token)
	if err != nil {
		return Callback{}, err
	}
	cb.Token = tok
	return cb, nil
}

// openCallback returns cb with its token opened, for the publisher.
func (e *Engine) openCallback(cb Callback) (Callback, error) {
	tok, err := e.opts.CallbackTokenSealer.Open(cb.URL, cb.Token)
	if err != nil {
		return Callback{}, err
	}
	cb.Token = tok
	return cb, nil
}

// redactInterview returns iv without its callback token: read APIs never
// hand the token out (it is a credential Workable issued for one result).
func redactInterview(iv Interview) Interview {
	if iv.Callback != nil && iv.Callback.Token != "" {
		cb := *iv.Callback
		cb.Token = ""
		iv.Callback = &cb
	}
	return iv
}

func redactInterviews(ivs []Interview) []Interview {
	for i := range ivs {
		ivs[i] = redactInterview(ivs[i])
	}
	return ivs
}

// redactEffects removes callback tokens from callback effects' payloads.
func redactEffects(effs []Effect) []Effect {
	for i := range effs {
		if effs[i].Kind != EffectCallback {
			continue
		}
		var p map[string]json.RawMessage
		if json.Unmarshal(effs[i].Payload, &p) != nil {
			effs[i].Payload = nil // never hand out what could not be checked
			continue
		}
		var cb Callback
		if json.Unmarshal(p["callback"], &cb) == nil && cb.Token != "" {
			cb.Token = ""
			p["callback"], _ = json.Marshal(cb)
			effs[i].Payload, _ = json.Marshal(p)
		}
	}
	return effs
}
