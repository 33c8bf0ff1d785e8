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

// DecodeFeedbackResponse exposes the decoder of CreateFeedback's response.
func DecodeFeedbackResponse(raw []byte) (string, error) {
	r, err := decodeResource("create feedback", raw, feedbackCreatedRequired)
	return r.ID, err
}

// DecodeNoteResponse exposes the decoder of CreateNote's response.
func DecodeNoteResponse(raw []byte) (noteID, id string, err error) {
	r, err := decodeResource("create note", raw, noteCreatedRequired)
	return r.NoteID, r.ID, err
}

// DecodeTemplateResponse exposes the decoder of CreateFeedbackTemplate's
// response.
func DecodeTemplateResponse(raw []byte) (FeedbackTemplate, error) {
	return decodeResource("create feedback template", raw, templateRequired)
}
