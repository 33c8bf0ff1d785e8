package lever

// DecodeWebhookResponse exposes the write-response decoder to the fuzz
// tests, as CreateWebhook uses it.
func DecodeWebhookResponse(raw []byte) (Webhook, error) {
	return decodeResource("create webhook", raw, func(w Webhook) string {
		if w.ID == "" || w.Configuration.SignatureToken == "" {
			return "id or token"
		}
		return ""
	})
}

// DecodePanelResponse exposes the decoder of panel writes.
func DecodePanelResponse(raw []byte) (Panel, error) {
	return decodeResource("create panel", raw, panelRequired)
}

// DecodeFileList exposes the file-listing decoder to the fuzz tests.
func DecodeFileList(raw []byte) ([]UploadedFile, string, error) { return decodeFileList(raw) }

// DecodeFileResponse exposes the decoder of UploadFile's response.
func DecodeFileResponse(raw []byte) (UploadedFile, error) {
	return decodeResource("upload file", raw, fileRequired)
}
