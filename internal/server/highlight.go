package server

import (
	"html"
	"html/template"
	"sort"
	"strings"
)

// highlight escapes text and wraps every occurrence of a search term in
// <mark>. Matching is case-insensitive; when lower-casing changes the text's
// length (some non-ASCII letters), the text is escaped without marks, because
// byte offsets would no longer line up.
func highlight(terms []string, text string) template.HTML {
	lower := strings.ToLower(text)
	if len(terms) == 0 || len(lower) != len(text) {
		return template.HTML(html.EscapeString(text))
	}
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
		return template.HTML(html.EscapeString(text))
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
		b.WriteString(html.EscapeString(text[pos:s.start]))
		b.WriteString("<mark>" + html.EscapeString(text[s.start:s.end]) + "</mark>")
		pos = s.end
	}
	b.WriteString(html.EscapeString(text[pos:]))
	return template.HTML(b.String())
}
