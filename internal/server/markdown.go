package server

import (
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strconv"
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

var idRE = regexp.MustCompile(`\bA?T[0-9]{4}(\.(A?[0-9]{3}))?\b`)

// Render converts src, read by catalog.ProseBlocks, to HTML. A fenced code
// block is a pre element holding its lines as written, escaped, with no
// markup, links or IDs made of them. A list item of a tight list holds
// its paragraphs bare, without p elements, as CommonMark writes them.
func (m markdown) Render(src string) template.HTML {
	var b strings.Builder
	m.blocks(&b, catalog.ProseBlocks(src), false)
	return template.HTML(b.String())
}

// blocks writes blocks to b as HTML, their paragraphs bare when bare is set.
func (m markdown) blocks(b *strings.Builder, blocks []catalog.ProseBlock, bare bool) {
	for i, blk := range blocks {
		switch blk.Kind {
		case catalog.ParagraphBlock:
			text := m.inline(joinLines(blk.Text))
			switch {
			case !bare:
				b.WriteString("<p>" + text + "</p>\n")
			case i < len(blocks)-1:
				b.WriteString(text + "\n")
			default:
				b.WriteString(text)
			}
		case catalog.CodeBlock:
			b.WriteString("<pre><code")
			if blk.Lang != "" {
				b.WriteString(` class="language-` + html.EscapeString(blk.Lang) + `"`)
			}
			b.WriteString(">" + html.EscapeString(strings.Trim(blk.Text, "\n")) + "</code></pre>\n")
		case catalog.ListBlock:
			m.list(b, blk)
		}
	}
}

// list writes a list to b as HTML; an ordered list that does not start at
// 1 says where it starts.
func (m markdown) list(b *strings.Builder, l catalog.ProseBlock) {
	tag := "ul"
	if l.Ordered {
		tag = "ol"
	}
	b.WriteString("<" + tag)
	if l.Ordered && l.Start != 1 {
		b.WriteString(` start="` + strconv.Itoa(l.Start) + `"`)
	}
	b.WriteString(">\n")
	for _, it := range l.Items {
		b.WriteString("<li>")
		m.blocks(b, it.Blocks, !l.Loose)
		b.WriteString("</li>\n")
	}
	b.WriteString("</" + tag + ">\n")
}

// joinLines joins a paragraph's lines into one, less the spaces around each.
func joinLines(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, " ")
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
