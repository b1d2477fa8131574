package server

import (
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
)

// markdown renders the small Markdown subset catalog prose uses: paragraphs,
// bullet and numbered lists, fenced code blocks, `code`, **bold** and
// [links](https://…). All other text, raw HTML included, is escaped; links
// keep only absolute http(s) URLs. known, when set, turns technique IDs
// that it accepts into links.
type markdown struct {
	known func(id string) bool
}

var (
	bulletRE  = regexp.MustCompile(`^\s{0,3}[-*]\s+`)
	orderedRE = regexp.MustCompile(`^\s{0,3}[0-9]{1,3}[.)]\s+`)
	idRE      = regexp.MustCompile(`\bA?T[0-9]{4}(\.(A?[0-9]{3}))?\b`)
)

// Render converts src to HTML. A fenced code block (see
// catalog.ProseBlocks) is a pre element holding its lines as written,
// escaped, with no markup, links or IDs made of them.
func (m markdown) Render(src string) template.HTML {
	var b strings.Builder
	for _, blk := range catalog.ProseBlocks(src) {
		if !blk.Code {
			m.prose(&b, blk.Text)
			continue
		}
		b.WriteString("<pre><code")
		if blk.Lang != "" {
			b.WriteString(` class="language-` + html.EscapeString(blk.Lang) + `"`)
		}
		b.WriteString(">" + html.EscapeString(strings.Trim(blk.Text, "\n")) + "</code></pre>\n")
	}
	return template.HTML(b.String())
}

// prose writes src, Markdown without code blocks, to b as HTML.
func (m markdown) prose(b *strings.Builder, src string) {
	var para []string
	list := "" // "ul", "ol" or "" when not in a list
	var item []string

	flushPara := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + m.inline(strings.Join(para, " ")) + "</p>\n")
			para = nil
		}
	}
	flushItem := func() {
		if item != nil {
			b.WriteString("<li>" + m.inline(strings.Join(item, " ")) + "</li>\n")
			item = nil
		}
	}
	closeList := func() {
		flushItem()
		if list != "" {
			b.WriteString("</" + list + ">\n")
			list = ""
		}
	}

	for _, line := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		kind, rest := listItem(line)
		switch {
		case strings.TrimSpace(line) == "":
			flushPara()
			closeList()
		case kind != "":
			flushPara()
			if list != kind {
				closeList()
				list = kind
				b.WriteString("<" + kind + ">\n")
			}
			flushItem()
			item = []string{rest}
		case list != "":
			item = append(item, strings.TrimSpace(line))
		default:
			para = append(para, strings.TrimSpace(line))
		}
	}
	flushPara()
	closeList()
}

func listItem(line string) (kind, rest string) {
	if loc := bulletRE.FindStringIndex(line); loc != nil {
		return "ul", strings.TrimSpace(line[loc[1]:])
	}
	if loc := orderedRE.FindStringIndex(line); loc != nil {
		return "ol", strings.TrimSpace(line[loc[1]:])
	}
	return "", ""
}

// Inline renders one line's worth of inline Markdown.
func (m markdown) Inline(s string) template.HTML { return template.HTML(m.inline(s)) }

func (m markdown) inline(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexAny(s, "`*[")
		if i < 0 {
			b.WriteString(m.text(s))
			break
		}
		b.WriteString(m.text(s[:i]))
		s = s[i:]
		if n, out := m.span(s); n > 0 {
			b.WriteString(out)
			s = s[n:]
			continue
		}
		b.WriteString(html.EscapeString(s[:1]))
		s = s[1:]
	}
	return b.String()
}

// span renders the code span, bold run or link at the start of s, returning
// how many bytes it used; 0 when s does not start one.
func (m markdown) span(s string) (int, string) {
	switch {
	case s[0] == '`':
		if end := strings.IndexByte(s[1:], '`'); end > 0 {
			return end + 2, "<code>" + html.EscapeString(s[1:end+1]) + "</code>"
		}
	case strings.HasPrefix(s, "**"):
		if end := strings.Index(s[2:], "**"); end > 0 {
			return end + 4, "<strong>" + m.inline(s[2:end+2]) + "</strong>"
		}
	case s[0] == '[':
		return m.link(s)
	}
	return 0, ""
}

// link renders [text](url). A URL that is not absolute http(s) keeps only the text.
func (m markdown) link(s string) (int, string) {
	mid := strings.Index(s, "](")
	if mid < 0 || strings.ContainsAny(s[1:mid], "[]") {
		return 0, ""
	}
	end := closingParen(s[mid+2:])
	if end < 0 {
		return 0, ""
	}
	text, raw := s[1:mid], s[mid+2:mid+2+end]
	n := mid + 3 + end
	href, ok := safeURL(withoutTitle(raw))
	if !ok {
		return n, m.text(text)
	}
	if strings.TrimSpace(text) == "" {
		text = href
	}
	// Technique IDs in link text are not linked again: a link may not hold a link.
	plain := m
	plain.known = nil
	return n, `<a href="` + html.EscapeString(href) + `" rel="noopener noreferrer">` + plain.inline(text) + "</a>"
}

// withoutTitle returns a link's target without the title Markdown lets
// follow it ([t](https://… "title"), 'title' or (title)); the page shows
// no title. A target followed by anything else is returned whole, and is
// then no URL.
func withoutTitle(raw string) string {
	raw = strings.TrimSpace(raw)
	i := strings.IndexAny(raw, " \t\n")
	if i < 0 {
		return raw
	}
	title := strings.TrimSpace(raw[i:])
	if len(title) >= 2 && strings.Contains(`"'(`, title[:1]) && title[len(title)-1] == map[byte]byte{'"': '"', '\'': '\'', '(': ')'}[title[0]] {
		return raw[:i]
	}
	return raw
}

// closingParen finds the ")" that ends a link target, allowing balanced
// parentheses inside it; -1 when there is none.
func closingParen(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// safeURL accepts only absolute http and https URLs with a host.
func safeURL(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if strings.ContainsAny(raw, " \t\n") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}

// text escapes plain text and links technique IDs the catalog knows.
func (m markdown) text(s string) string {
	if m.known == nil {
		return html.EscapeString(s)
	}
	var b strings.Builder
	last := 0
	for _, loc := range idRE.FindAllStringIndex(s, -1) {
		id := s[loc[0]:loc[1]]
		if !m.known(id) {
			continue
		}
		b.WriteString(html.EscapeString(s[last:loc[0]]))
		b.WriteString(`<a href="/techniques/` + id + `">` + id + "</a>")
		last = loc[1]
	}
	b.WriteString(html.EscapeString(s[last:]))
	return b.String()
}
