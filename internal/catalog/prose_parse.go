package catalog

import (
	"strconv"
	"strings"
)

// maxListDepth is how deep lists may nest: a marker deeper down is read as
// text, so that no line of hostile prose costs a walk down thousands of
// open items.
const maxListDepth = 16

// ProseBlocks reads text as the small Markdown catalog prose is written in
// (docs/catalog-format.md), where CommonMark reads it the same way:
//
//   - a line of three or more backticks (or tildes), indented by at most
//     three spaces, opens a code block, and a line of at least as many of
//     the same character, and nothing else but spaces, closes it; a block
//     left open runs to the end of what holds it (the text, an item);
//   - "-", "*", "+", or up to nine digits and "." or ")", at most three
//     spaces in and followed by a space or the end of the line, starts a
//     list item; the lines indented as far as its text (a "continuation")
//     belong to it, blank lines between them too, and a line of paragraph
//     text that directly follows its paragraph does ("lazy");
//   - the rest is paragraphs, apart by blank lines.
//
// Inside an item the same rules apply to its lines less the item's
// indentation, so an item may hold code, more paragraphs, or a list. An
// item may interrupt a paragraph unless it is empty or numbered other
// than 1; a change of bullet or of "." and ")" starts a new list.
func ProseBlocks(text string) []ProseBlock {
	root := &container{}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		readLine(root, line)
	}
	root.close()
	return root.blocks
}

// container is the text as a whole, or one of its list items, while
// ProseBlocks reads it. Of its blocks, only the last may be open.
type container struct {
	col    int         // columns a line must be indented by to stay in an item
	depth  int         // how many items it is in, itself included
	marker string      // an item's marker
	in     *ProseBlock // the list an item belongs to
	bare   bool        // an item whose first line held its marker alone

	blocks   []ProseBlock
	para     []string    // the open paragraph's lines
	code     *openCode   // the open code block
	list     *ProseBlock // the open list, whose open item is child
	listMark byte        // its bullet, or its "." or ")"
	child    *container
	blank    bool // the last line it took was blank
}

type openCode struct {
	fence
	lines []string
}

// readLine adds one line of the text to the open blocks under root.
func readLine(root *container, line string) {
	blank := isBlank(line)
	c, rest := root, line
	for c.child != nil && c.child.takes(rest, blank) {
		c, rest = c.child, dropColumns(rest, c.child.col)
	}
	if c.child == nil && c.code != nil {
		if c.code.closedBy(rest) {
			c.closeCode()
		} else {
			c.code.lines = append(c.code.lines, dropIndent(rest, c.code.indent))
		}
		return
	}
	if blank {
		c.closeChild()
		c.closePara()
		for x := root; x != nil; x = x.child {
			x.blank = true
		}
		return
	}
	c.start(rest)
	for x := root; x != nil; x = x.child {
		x.blank = false
	}
}

// takes reports whether the item c goes on with a line whose indentation
// it would remove: a line indented as far as its text, or a blank line,
// unless the item is still empty after a line that held only its marker.
func (c *container) takes(rest string, blank bool) bool {
	if blank {
		return !c.bare || !c.empty()
	}
	return indentCols(rest) >= c.col
}

// start adds a line that is not blank, less the indentation of the items
// it is in, to c: a new block, or a line of the paragraph it continues.
func (c *container) start(rest string) {
	for {
		if f, ok := openingFence(rest); ok {
			c.closePara()
			c.closeList()
			c.opens()
			c.code = &openCode{fence: f}
			return
		}
		m, ok := readMarker(rest)
		if !ok || c.depth >= maxListDepth || (c.para != nil && !m.interrupts()) {
			break
		}
		c = c.openItem(m)
		if rest = m.text; isBlank(rest) {
			c.bare = true
			return
		}
	}
	if t := c.tip(); t != c && t.para != nil {
		t.para = append(t.para, rest)
		return
	}
	c.closeList()
	if c.para == nil {
		c.opens()
	}
	c.para = append(c.para, rest)
}

// opens notes that a new block starts in c: after a blank line, in an item
// that holds something already, that makes the item's list loose.
func (c *container) opens() {
	if c.blank && c.in != nil && !c.empty() {
		c.in.Loose = true
	}
}

// openItem starts the item m in c, in c's open list when m continues it,
// and returns it.
func (c *container) openItem(m marker) *container {
	c.closePara()
	mark := m.name[len(m.name)-1]
	if c.list != nil && c.list.Ordered == m.ordered && c.listMark == mark {
		c.closeChild()
		if c.blank {
			c.list.Loose = true
		}
	} else {
		c.closeList()
		c.opens()
		c.list = &ProseBlock{Kind: ListBlock, Ordered: m.ordered, Start: m.number}
		c.listMark = mark
	}
	c.child = &container{col: m.col, depth: c.depth + 1, marker: m.name, in: c.list}
	return c.child
}

// tip is the innermost open item in c, or c.
func (c *container) tip() *container {
	for c.child != nil {
		c = c.child
	}
	return c
}

func (c *container) empty() bool {
	return len(c.blocks) == 0 && c.para == nil && c.code == nil && c.list == nil
}

func (c *container) closePara() {
	if c.para != nil {
		c.blocks = append(c.blocks, ProseBlock{Kind: ParagraphBlock, Text: strings.Join(c.para, "\n")})
		c.para = nil
	}
}

func (c *container) closeCode() {
	if c.code != nil {
		c.blocks = append(c.blocks, ProseBlock{Kind: CodeBlock, Lang: c.code.lang, Text: strings.Join(c.code.lines, "\n")})
		c.code = nil
	}
}

func (c *container) closeChild() {
	if c.child != nil {
		c.child.close()
		c.list.Items = append(c.list.Items, ProseItem{Marker: c.child.marker, Blocks: c.child.blocks})
		c.child = nil
	}
}

func (c *container) closeList() {
	c.closeChild()
	if c.list != nil {
		c.blocks = append(c.blocks, *c.list)
		c.list = nil
	}
}

func (c *container) close() {
	c.closePara()
	c.closeCode()
	c.closeList()
}

// marker is the start of a list item.
type marker struct {
	name    string // as written: "-", "12."
	ordered bool
	number  int
	col     int    // the column its text starts at
	text    string // the rest of its line
}

// interrupts reports whether the item may end a paragraph, as CommonMark
// lets it: when it holds text, and is numbered 1 if it is numbered.
func (m marker) interrupts() bool {
	return !isBlank(m.text) && (!m.ordered || m.number == 1)
}

// readMarker reads line as the first line of a list item.
func readMarker(line string) (marker, bool) {
	indent := indentCols(line)
	if indent > 3 || thematicBreak(line) {
		return marker{}, false
	}
	s := line[indent:] // at most three columns in: spaces only
	var m marker
	if s != "" && strings.IndexByte("-*+", s[0]) >= 0 {
		m.name = s[:1]
	} else {
		n := 0
		for n < len(s) && n < 10 && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		if n == 0 || n > 9 || n == len(s) || (s[n] != '.' && s[n] != ')') {
			return marker{}, false
		}
		m.ordered, m.name = true, s[:n+1]
		m.number, _ = strconv.Atoi(s[:n])
	}
	after := s[len(m.name):]
	if after != "" && after[0] != ' ' && after[0] != '\t' {
		return marker{}, false
	}
	end := indent + len(m.name)
	col, i := end, 0
	for ; i < len(after) && (after[i] == ' ' || after[i] == '\t'); i++ {
		col = nextCol(col, after[i])
	}
	switch m.text = after[i:]; {
	case m.text == "":
		m.col = end + 1
	case col-end > 4: // CommonMark: the text is indented code; here, text
		m.col = end + 1
		m.text = strings.Repeat(" ", col-end-1) + m.text
	default:
		m.col = col
	}
	return m, true
}

// thematicBreak reports whether line is three or more "-", "*" or "_" (the
// same) and spaces: CommonMark reads it as a rule, not as a list item.
func thematicBreak(line string) bool {
	s := strings.Trim(line, " \t")
	if s == "" || strings.IndexByte("-*_", s[0]) < 0 {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case s[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

func isBlank(s string) bool { return strings.Trim(s, " \t") == "" }

// nextCol is the column after c at column col: a tab goes on to the next
// stop of four columns.
func nextCol(col int, c byte) int {
	if c == '\t' {
		return col/4*4 + 4
	}
	return col + 1
}

// indentCols is how many columns of spaces and tabs s starts with.
func indentCols(s string) int {
	col := 0
	for i := 0; i < len(s) && (s[i] == ' ' || s[i] == '\t'); i++ {
		col = nextCol(col, s[i])
	}
	return col
}

// dropColumns removes n columns of indentation from the start of s, or as
// many as it has; of a tab that spans the n-th column, the columns past
// it are left as spaces. Tab stops are counted from the start of s, not
// of the line it was cut from: an approximation for tabs in lists.
func dropColumns(s string, n int) string {
	col := 0
	for i := 0; i < len(s); i++ {
		if col >= n {
			return s[i:]
		}
		switch s[i] {
		case ' ':
			col++
		case '\t':
			next := nextCol(col, '\t')
			if next > n {
				return strings.Repeat(" ", next-n) + s[i+1:]
			}
			col = next
		default:
			return s[i:]
		}
	}
	return ""
}
