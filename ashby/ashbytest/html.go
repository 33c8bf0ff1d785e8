package ashbytest

import (
	"regexp"
	"strings"
)

// noteTags are the elements Ashby keeps in text/html notes
// (https://developers.ashbyhq.com/reference/candidatecreatenote).
var noteTags = map[string]bool{"b": true, "i": true, "u": true, "a": true, "ul": true, "ol": true, "li": true, "code": true, "pre": true}

var (
	tagRE  = regexp.MustCompile(`(?s)<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	hrefRE = regexp.MustCompile(`(?i)\bhref\s*=\s*("[^"]*"|'[^']*')`)
	dropRE = regexp.MustCompile(`(?is)<(script|style)\b[^>]*>.*?</(script|style)\s*>`)
	commRE = regexp.MustCompile(`(?s)<!--.*?-->`)
)

// StripNoteHTML strips every element but b, i, u, a, ul, ol, li, code and
// pre from html, keeping their text, as Ashby does ("Any unsupported
// elements will be stripped out"). Kept elements lose their attributes,
// except an <a>'s href. Script and style elements are dropped with their
// content.
func StripNoteHTML(html string) string {
	html = commRE.ReplaceAllString(html, "")
	html = dropRE.ReplaceAllString(html, "")
	return tagRE.ReplaceAllStringFunc(html, func(m string) string {
		sub := tagRE.FindStringSubmatch(m)
		closing, name, attrs := sub[1], strings.ToLower(sub[2]), sub[3]
		if !noteTags[name] {
			return ""
		}
		if closing != "" {
			return "</" + name + ">"
		}
		if name == "a" {
			if h := hrefRE.FindStringSubmatch(attrs); h != nil {
				return "<a href=" + h[1] + ">"
			}
		}
		return "<" + name + ">"
	})
}
