package catalog

import "strings"

// ProseBlock is a part of a catalog text field (a description, detection
// guidance): prose, which views reflow and render as Markdown, or a fenced
// code block, which they show as written.
type ProseBlock struct {
	Code bool
	// Lang is a code block's language, the first word of the line that
	// opens it (```bash), kept only when it is made of letters, digits and
	// "+-_.#": views put it in markup (a class, a fence).
	Lang string
	// Text is the prose, or the code's lines without its fences, each
	// less the indentation of the opening fence.
	Text string
}

// ProseBlocks splits text at its fenced code blocks, as CommonMark reads
// them: a line of three or more backticks (or tildes), indented by at most
// three spaces, opens one, and a line of at least as many of the same
// character, and nothing else but spaces, closes it; a block left open
// runs to the end of the text. A fence indented further (in a list item)
// is read as prose. Text without a fence is one prose block.
func ProseBlocks(text string) []ProseBlock {
	var out []ProseBlock
	var lines []string
	var open fence
	inCode := false
	flush := func() {
		if inCode || strings.TrimSpace(strings.Join(lines, "\n")) != "" {
			out = append(out, ProseBlock{Code: inCode, Lang: open.lang, Text: strings.Join(lines, "\n")})
		}
		lines = nil
	}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		switch {
		case !inCode:
			if f, ok := openingFence(line); ok {
				flush()
				open, inCode = f, true
				continue
			}
			lines = append(lines, line)
		case open.closedBy(line):
			flush()
			open, inCode = fence{}, false
		default:
			lines = append(lines, dropIndent(line, open.indent))
		}
	}
	flush()
	return out
}

// fence is the line that opened a code block.
type fence struct {
	char   byte // '`' or '~'
	n      int  // how many
	indent int  // spaces before it
	lang   string
}

// openingFence reads line as the opening fence of a code block.
func openingFence(line string) (fence, bool) {
	indent := len(line) - len(strings.TrimLeft(line, " "))
	rest := line[indent:]
	if indent > 3 || rest == "" || (rest[0] != '`' && rest[0] != '~') {
		return fence{}, false
	}
	n := len(rest) - len(strings.TrimLeft(rest, rest[:1]))
	info := strings.TrimSpace(rest[n:])
	if n < 3 || (rest[0] == '`' && strings.Contains(info, "`")) {
		return fence{}, false
	}
	return fence{char: rest[0], n: n, indent: indent, lang: codeLang(info)}, true
}

// closedBy reports whether line closes the code block f opened.
func (f fence) closedBy(line string) bool {
	rest := strings.TrimLeft(line, " ")
	if len(line)-len(rest) > 3 {
		return false
	}
	run := len(rest) - len(strings.TrimLeft(rest, string(f.char)))
	return run >= f.n && strings.Trim(rest[run:], " \t") == ""
}

// dropIndent removes up to n spaces from the start of line.
func dropIndent(line string, n int) string {
	for i := 0; i < n && strings.HasPrefix(line, " "); i++ {
		line = line[1:]
	}
	return line
}

// codeLang is the language an info string names: its first word, when
// that is made of letters, digits and "+-_.#" only; "" otherwise.
func codeLang(info string) string {
	word, _, _ := strings.Cut(info, " ")
	if len(word) > 32 {
		return ""
	}
	for _, r := range word {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("+-_.#", r)) {
			return ""
		}
	}
	return word
}

// Prose returns text's prose blocks alone, joined by blank lines: what
// is read as Markdown, for checks of its links.
func Prose(text string) string {
	var parts []string
	for _, b := range ProseBlocks(text) {
		if !b.Code {
			parts = append(parts, b.Text)
		}
	}
	return strings.Join(parts, "\n\n")
}
