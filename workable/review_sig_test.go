package workable_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/workable"
)

func TestReviewSigExplore(t *testing.T) {
	body := []byte(`{"id":"1","event_type":"candidate_created","data":{"id":"c1","job":{"shortcode":"J"}}}`)
	sec := "s3cret"
	hexs := workable.Sign(body, sec)
	m := hmac.New(sha256.New, []byte(sec))
	m.Write(body)
	raw := m.Sum(nil)
	for _, sig := range []string{hexs, strings.ToUpper(hexs), "sha256=" + hexs, "SHA256=" + hexs, "sha256=" + base64.StdEncoding.EncodeToString(raw),
		" " + hexs + " ", "sha256= " + hexs, "sha1=" + hexs, hexs[:62], hexs + "00", "v1=" + hexs, "sha256=" + hexs + ",sha256=00",
		base64.URLEncoding.EncodeToString(raw), "", "sha256="} {
		h := http.Header{}
		h.Set("X-Workable-Signature", sig)
		_, err := workable.VerifyWebhook(body, h, sec)
		fmt.Printf("workable %-80q err=%v\n", sig, err)
	}
	_, err := workable.VerifyWebhook(body, http.Header{"X-Workable-Signature": {hexs}}, "")
	fmt.Println("empty secret:", err)

	abody := []byte(`{"action":"applicationSubmit","data":{"application":{"id":"a1","job":{"id":"j"},"updatedAt":"2024-01-01T00:00:00Z"}}}`)
	as := ashby.Sign(sec, abody)
	for _, sig := range []string{as, strings.ToUpper(as), strings.TrimPrefix(as, "sha256="), "sha256=" + base64.StdEncoding.EncodeToString(raw), "sha1=x," + as, " " + as} {
		h := http.Header{}
		h.Set("Ashby-Signature", sig)
		_, err := ashby.VerifyWebhook(abody, h, sec)
		fmt.Printf("ashby %-80q err=%v\n", sig, err)
	}
	_, err = ashby.VerifyWebhook(abody, http.Header{"Ashby-Signature": {as}}, "")
	fmt.Println("ashby empty secret:", err)
}
