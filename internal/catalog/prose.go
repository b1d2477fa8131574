package catalog

import "strings"

// BlockKind says what a ProseBlock is.
type BlockKind int

// The kinds of block catalog prose is made of.
const (
	ParagraphBlock BlockKind = iota
	CodeBlock
	ListBlock
)

// ProseBlock is a part of a catalog text field (a description, detection
// guidance): a paragraph, which views reflow and render as Markdown, a
// fenced code block, which they show as written, or a list, whose items
// hold blocks of their own.
type ProseBlock struct {
	Kind BlockKind
	// Lang is a code block's language, the first word of the line that
	// opens it (```bash), kept only when it is made of letters, digits and
	// "+-_.#": views put it in markup (a class, a fence).
	Lang string
	// Text is a paragraph's lines, or the code's lines without its fences,
	// each less the indentation of the list item that holds it and, for
	// code, of the opening fence.
	Text string

	// Ordered, Start, Loose and Items describe a list. Start is the number
	// of an ordered list's first item. A loose list is one whose items,
	// or the blocks of one of them, are apart by blank lines, as
	// CommonMark reads it: views space it out.
	Ordered bool
	Start   int
	Loose   bool
	Items   []ProseItem
}

// ProseItem is one item of a list.
type ProseItem struct {
	// Marker is the item's marker as written: "-", "*", "+", or a
	// number of up to nine digits and "." or ")".
	Marker string
	Blocks []ProseBlock
}

// fence is the line that opened a code block.
type fence struct {
	char   byte // '`' or '~'
	n      int  // how many
	indent int  // spaces before it
	lang   string
}

// openingFence reads line as the opening fence of a code block: three or
// more backticks (or tildes), indented by at most three spaces.
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

// closedBy reports whether line closes the code block f opened: at least
// as many of the same character, and nothing else but spaces.
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

// Prose returns text's paragraphs alone, in list items too, joined by
// blank lines: what is read as Markdown, for checks of its links. A list
// item's marker is left out, so that a link definition in an item
// ("- [x]: url") starts its line, as it does where a renderer reads it.
func Prose(text string) string {
	var parts []string
	var walk func([]ProseBlock)
	walk = func(blocks []ProseBlock) {
		for _, b := range blocks {
			switch b.Kind {
			case ParagraphBlock:
				parts = append(parts, b.Text)
			case ListBlock:
				for _, it := range b.Items {
					walk(it.Blocks)
				}
			}
		}
	}
	walk(ProseBlocks(text))
	return strings.Join(parts, "\n\n")
}
