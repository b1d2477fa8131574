package view

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Options shape human output.
type Options struct {
	// Width is the terminal width tables must fit; 0 means no limit.
	Width int
	// Color allows ANSI colour; off when NO_COLOR is set or output is not a terminal.
	Color bool
}

// Grid is a table of text cells. Flex is the column that gives way when the
// table is too wide (-1 for the last one).
type Grid struct {
	Headers []string
	Rows    [][]string
	Flex    int
}

const ellipsis = "…"

// WriteTable writes g as aligned columns that fit opts.Width.
func WriteTable(w io.Writer, g Grid, opts Options) error {
	widths := make([]int, len(g.Headers))
	for i, h := range g.Headers {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range g.Rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(oneLine(c)))
		}
	}
	flex := g.Flex
	if flex < 0 || flex >= len(widths) {
		flex = len(widths) - 1
	}
	if opts.Width > 0 {
		shrink(widths, flex, opts.Width-2*(len(widths)-1))
	}
	var b strings.Builder
	line := func(cells []string, header bool) {
		for i, c := range cells {
			c = fit(oneLine(c), widths[i])
			pad := widths[i] - utf8.RuneCountInString(c)
			if header && opts.Color {
				c = "\x1b[1m" + c + "\x1b[0m"
			}
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", pad+2))
			}
		}
		b.WriteByte('\n')
	}
	line(g.Headers, true)
	for _, r := range g.Rows {
		line(r, false)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes g as a Markdown table, escaping what Markdown would read.
func WriteMarkdown(w io.Writer, g Grid) error {
	var b strings.Builder
	b.WriteString("| " + strings.Join(mdCells(g.Headers), " | ") + " |\n")
	b.WriteString("|" + strings.Repeat(" --- |", len(g.Headers)) + "\n")
	for _, r := range g.Rows {
		b.WriteString("| " + strings.Join(mdCells(r), " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = MarkdownEscape(oneLine(c))
	}
	return out
}

var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`,
)

// MarkdownEscape makes s literal text in Markdown (and inert if rendered as HTML).
func MarkdownEscape(s string) string { return mdReplacer.Replace(s) }

// oneLine folds white space and strips control characters, so that untrusted
// text cannot break a table or drive the terminal.
func oneLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t' || r == '\r' || r == ' ':
			space = true
			continue
		case isControl(r):
			r = '�'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// Clean strips terminal control characters from s but keeps line breaks.
func Clean(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = oneLineKeepSpaces(l)
	}
	return strings.Join(lines, "\n")
}

func oneLineKeepSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if isControl(r) {
			return '�'
		}
		return r
	}, s)
}

// shrink narrows columns until their sum fits room: first the flex column
// down to flexMin, then always the widest column, never below colMin.
func shrink(widths []int, flex, room int) {
	const flexMin, colMin = 16, 6
	total := 0
	for _, x := range widths {
		total += x
	}
	if over := total - room; over > 0 && widths[flex] > flexMin {
		cut := min(over, widths[flex]-flexMin)
		widths[flex] -= cut
		total -= cut
	}
	for total > room {
		widest := 0
		for i, x := range widths {
			if x > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= colMin {
			return
		}
		widths[widest]--
		total--
	}
}

// isControl reports characters that must not reach a terminal from untrusted
// text: C0 and C1 controls (escape sequences) and the bidirectional overrides
// that can make text display in another order than it reads.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

func fit(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	if width <= 1 {
		return ellipsis
	}
	r := []rune(s)
	return string(r[:width-1]) + ellipsis
}

// Bold wraps s in bold when colour is on.
func Bold(s string, opts Options) string {
	if !opts.Color {
		return s
	}
	return fmt.Sprintf("\x1b[1m%s\x1b[0m", s)
}
