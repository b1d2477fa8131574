package view

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
)

// proseText writes catalog prose for the terminal, two columns in: its
// paragraphs reflowed to width; its lists one item a line, "-" or the
// item's number in front and the rest of the item, reflowed too, in a
// hanging indent under its first word; its fenced code blocks two columns
// further in than the text around them, line by line as written (a
// terminal folds a line too long for it).
func proseText(text string, width int) string {
	return textBlocks(catalog.ProseBlocks(text), "  ", "  ", "\n\n", width)
}

// textBlocks writes blocks for the terminal, apart by sep. The first line
// starts with first (an item's marker), every other line with indent,
// which is as wide.
func textBlocks(blocks []catalog.ProseBlock, first, indent, sep string, width int) string {
	return joinBlocks(blocks, first, indent, sep, func(blk catalog.ProseBlock, lead string) string {
		switch blk.Kind {
		case catalog.ParagraphBlock:
			return Wrap(Clean(blk.Text), width, lead)
		case catalog.CodeBlock:
			return textCode(blk.Text, lead, indent)
		case catalog.ListBlock:
			return textList(blk, lead, indent, width)
		}
		return ""
	})
}

// joinBlocks writes each of blocks with write, its first line led by
// first for the first block and by indent for the others, apart by sep.
func joinBlocks(blocks []catalog.ProseBlock, first, indent, sep string, write func(blk catalog.ProseBlock, lead string) string) string {
	parts := make([]string, len(blocks))
	for i, blk := range blocks {
		lead := indent
		if i == 0 {
			lead = first
		}
		parts[i] = write(blk, lead)
	}
	return strings.Join(parts, sep)
}

// textCode writes a code block's lines two columns further in than
// indent; when it opens a list item, its marker (in lead) has a line of
// its own.
func textCode(code, lead, indent string) string {
	var lines []string
	if lead != indent {
		lines = append(lines, strings.TrimRight(lead, " "))
	}
	for _, l := range strings.Split(codeText(code), "\n") {
		lines = append(lines, strings.TrimRight(indent+"  "+l, " "))
	}
	return strings.Join(lines, "\n")
}

// textList writes a list's items one after the other; a loose list, and
// one with code in an item, has a blank line between them, and between
// the blocks of an item.
func textList(l catalog.ProseBlock, lead, indent string, width int) string {
	sep := "\n"
	if l.Loose || holdsCode(l) {
		sep = "\n\n"
	}
	parts := make([]string, len(l.Items))
	for i, it := range l.Items {
		mark := "-"
		if l.Ordered {
			mark = strconv.Itoa(l.Start+i) + "."
		}
		first := indent + mark + " "
		if i == 0 {
			first = lead + mark + " "
		}
		if len(it.Blocks) == 0 {
			parts[i] = strings.TrimRight(first, " ")
			continue
		}
		parts[i] = textBlocks(it.Blocks, first, indent+strings.Repeat(" ", len(mark)+1), sep, width)
	}
	return strings.Join(parts, sep)
}

// holdsCode reports whether an item of l holds a code block of its own.
func holdsCode(l catalog.ProseBlock) bool {
	for _, it := range l.Items {
		for _, b := range it.Blocks {
			if b.Kind == catalog.CodeBlock {
				return true
			}
		}
	}
	return false
}

// proseMarkdown writes catalog prose for Markdown output. Its paragraphs
// are Markdown already, written as they are with raw HTML and control
// characters neutralised. Its lists and code blocks are written anew: a
// list item's marker as written, the rest of the item indented as far as
// the text after the marker, which is where CommonMark looks for it; a
// code block between fences of more backticks than any run in the code,
// indented as far as the item that holds it, so that a renderer ends each
// where ProseBlocks did and shows everything in it as text: an entity
// would show as written there, so nothing in code is neutralised, and
// nothing needs to be.
func proseMarkdown(text string) string {
	return markdownBlocks(catalog.ProseBlocks(text), "", "", "\n\n", proseParagraph)
}

// proseParagraph writes a paragraph of catalog prose as Markdown: as
// written, with raw HTML and control characters neutralised, and tabs in
// a line's indentation turned into spaces to the next stop of four
// columns, as ProseBlocks counted them (Clean would make each one space).
// Its first line loses its indentation, and may follow a list item's
// marker. When it would then open a code block or a list item, which
// four columns of indentation kept it from ("    ```"), or make a rule,
// which ProseBlocks does not read ("***", or "**" after "* "), the
// character that would do so is escaped.
func proseParagraph(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		lines[i] = expandTabs(l[:n]) + l[n:]
	}
	s := strings.TrimSpace(neutraliseHTML(Clean(strings.Join(lines, "\n"))))
	// No line may define a link: a definition needs "]:" after its label,
	// and "]\:" reads the same as text. (Validation refuses definitions
	// whose target is not http(s); this keeps any it misses from a viewer.)
	s = strings.ReplaceAll(s, "]:", `]\:`)
	// Nor may a viewer's autolinks make an ftp link of text: "ftp\://"
	// reads the same. (E-mail addresses still become mailto links.)
	s = ftpScheme.ReplaceAllString(s, `$1\://`)
	first, _, _ := strings.Cut(s, "\n")
	if strings.Trim(first, "-*_ \t") != "" {
		if b := catalog.ProseBlocks(first); len(b) == 1 && b[0].Kind == catalog.ParagraphBlock {
			return s
		}
	}
	i := len(s) - len(strings.TrimLeft(s, "0123456789")) // "12." escapes the dot
	return s[:i] + `\` + s[i:]
}

// plainParagraph writes a paragraph as Markdown that shows it as plain
// text, on one line: nothing in it is markup, a link, or, at the start of
// the line, a heading, a rule or a list item.
func plainParagraph(text string) string {
	s := MarkdownEscape(words(text))
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	switch {
	case s != "" && strings.IndexByte("#-+", s[0]) >= 0:
		return `\` + s
	case digits > 0 && digits < len(s) && (s[digits] == '.' || s[digits] == ')'):
		return s[:digits] + `\` + s[digits:]
	}
	return s
}

// markdownBlocks writes blocks as Markdown, apart by sep, each paragraph
// as para writes it. The first line starts with first (an item's
// marker), every other line with indent, which is as wide.
func markdownBlocks(blocks []catalog.ProseBlock, first, indent, sep string, para func(string) string) string {
	return joinBlocks(blocks, first, indent, sep, func(blk catalog.ProseBlock, lead string) string {
		switch blk.Kind {
		case catalog.ParagraphBlock:
			return indentLines(para(blk.Text), lead, indent)
		case catalog.CodeBlock:
			code := codeText(blk.Text)
			fence := strings.Repeat("`", max(3, longestRun(code, '`')+1))
			return lead + fence + blk.Lang + "\n" + indentLines(code, indent, indent) + "\n" + indent + fence
		case catalog.ListBlock:
			return markdownList(blk, lead, indent, para)
		}
		return ""
	})
}

// markdownList writes a list's items, a blank line between them when the
// list is loose, as CommonMark reads it.
func markdownList(l catalog.ProseBlock, lead, indent string, para func(string) string) string {
	sep := "\n"
	if l.Loose {
		sep = "\n\n"
	}
	parts := make([]string, len(l.Items))
	for i, it := range l.Items {
		first := indent + it.Marker + " "
		if i == 0 {
			first = lead + it.Marker + " "
		}
		if len(it.Blocks) == 0 {
			parts[i] = strings.TrimRight(first, " ")
			continue
		}
		parts[i] = markdownBlocks(it.Blocks, first, indent+strings.Repeat(" ", len(it.Marker)+1), sep, para)
	}
	return strings.Join(parts, sep)
}

// indentLines puts first in front of text's first line and indent in front
// of each other line; an empty line stays empty.
func indentLines(text, first, indent string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		switch {
		case l == "":
		case i == 0:
			lines[i] = first + l
		default:
			lines[i] = indent + l
		}
	}
	return strings.Join(lines, "\n")
}

// codeText is Clean for a code block: tabs go to the next stop of four
// columns, so that indentation stays as it was, and leading and trailing
// blank lines are dropped.
func codeText(code string) string {
	lines := strings.Split(code, "\n")
	for i, l := range lines {
		lines[i] = expandTabs(l)
	}
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return Clean(strings.Join(lines, "\n"))
}

// expandTabs replaces each tab in line with spaces up to the next stop of
// four columns.
func expandTabs(line string) string {
	if !strings.Contains(line, "\t") {
		return line
	}
	var b strings.Builder
	col := 0
	for _, r := range line {
		if r == '\t' {
			n := 4 - col%4
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col += runeCells(r)
	}
	return b.String()
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c rune) int {
	longest, run := 0, 0
	for _, r := range s {
		if r == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// neutraliseHTML writes every < and > of a Markdown paragraph as an
// entity, so that a renderer shows them rather than read raw HTML, and the
// & of every character reference as &amp;, so that it shows as written, as
// the terminal and the web page show it; a < or
// > escaped with a backslash too, without the backslash (a renderer's
// autolink extension would take the backslash into a URL, leaving the <
// raw). Inside a code span a renderer shows the entity as written
// (`https://&lt;name&gt;`): catalog prose writes placeholders in braces.
// A < is not kept raw even there: whether backticks make a span depends
// on tables, autolinks and links around them, which a renderer's
// extensions read first, and a span it did not see would leave the <
// raw where HTML is read.
func neutraliseHTML(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && (s[i+1] == '<' || s[i+1] == '>') {
			continue // the entity written next is the character
		}
		if c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			b.WriteString(s[i : i+2]) // an escape, kept whole: "\\<" stays a backslash then a <
			i++
			continue
		}
		switch {
		case c == '<':
			b.WriteString("&lt;")
		case c == '>':
			b.WriteString("&gt;")
		case c == '&' && entity.MatchString(s[i+1:]):
			// A character reference (&#x202E;, &lt;) is text in every
			// other view: a renderer would make it the character, an
			// invisible or reordering one included.
			b.WriteString("&amp;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isASCIIPunct reports whether c is one of the ASCII punctuation
// characters a Markdown backslash escapes.
func isASCIIPunct(c byte) bool {
	return c > ' ' && c < 0x7f && !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')
}

// ftpScheme finds the ftp:// a viewer's autolinks would make a link of.
var ftpScheme = regexp.MustCompile(`(?i)(ftp)://`)
