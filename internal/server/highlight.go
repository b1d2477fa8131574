package server

import (
	"html"
	"html/template"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// highlight escapes text and wraps every occurrence of a search term in
// <mark>. Matching is case-insensitive. A slash may break the line after
// it: "Unused/Unsupported Cloud Regions" fits a matrix cell.
func highlight(terms []string, text string) template.HTML {
	if len(terms) == 0 {
		return template.HTML(escape(text))
	}
	lower := lowerInPlace(text)
	type span struct{ start, end int }
	var spans []span
	for _, t := range terms {
		t = strings.ToLower(t)
		for off := 0; t != ""; {
			i := strings.Index(lower[off:], t)
			if i < 0 {
				break
			}
			spans = append(spans, span{off + i, off + i + len(t)})
			off += i + len(t)
		}
	}
	if len(spans) == 0 {
		return template.HTML(escape(text))
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	merged := spans[:1]
	for _, s := range spans[1:] {
		last := &merged[len(merged)-1]
		if s.start <= last.end {
			last.end = max(last.end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	var b strings.Builder
	pos := 0
	for _, s := range merged {
		b.WriteString(escape(text[pos:s.start]))
		b.WriteString("<mark>" + escape(text[s.start:s.end]) + "</mark>")
		pos = s.end
	}
	b.WriteString(escape(text[pos:]))
	return template.HTML(b.String())
}

// escape escapes text for HTML and lets the line break after each slash.
func escape(text string) string {
	return strings.ReplaceAll(html.EscapeString(text), "/", "/<wbr>")
}

// lowerInPlace lower-cases s rune by rune, keeping every rune at its byte
// offset: a rune whose lower case has another length (the Kelvin sign, some
// Latin extensions) and bytes that are not UTF-8 are kept as they are, so
// that offsets found in the result are offsets in s.
func lowerInPlace(s string) string {
	b := make([]byte, 0, len(s))
	for i, r := range s {
		lr := unicode.ToLower(r)
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], string(utf8.RuneError)):
			b = append(b, s[i])
		case utf8.RuneLen(lr) == utf8.RuneLen(r):
			b = utf8.AppendRune(b, lr)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}
