package view

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ttcproject/ttc/internal/jsonscan"
	"golang.org/x/text/width"
)

// maxMarks is how many combining marks one character may carry before the
// rest are escaped: marks take no column, so without a bound a cell of a
// few columns could hold any number of bytes, and stacks of them smear
// over the lines around.
const maxMarks = 4

// Line makes untrusted text safe for one line of a terminal or a Markdown
// table. Every character a terminal would act on or not show is written as
// a visible Go-style escape instead: line breaks (\n, \r, U+0085, U+2028,
// U+2029), tabs and other controls (\x1b), format characters such as
// zero-width spaces, bidirectional overrides and tag characters (\u200b),
// unassigned and private-use code points, bytes that are not UTF-8,
// combining marks past maxMarks on one character, and graphic characters
// that show blank (jsonscan.Blank). An escape says what the record held,
// which matters when the record was forged to mislead.
//
// A backslash is doubled where it would otherwise read as the start of an
// escape: before another backslash, before a character that is escaped,
// and before text that spells an escape (`\x1b` typed out in a forged
// name prints as `\\x1b`, a real ESC as `\x1b`). Elsewhere, as in most
// Windows paths, it is kept single. So the output always decodes back to
// the input, with Go's rules for \x, \u, \U, \n, \r, \t and \\.
func Line(s string) string {
	if printableASCII(s) && strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	marks := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\':
			marks = 0
			b.WriteByte('\\')
			if readsAsEscape(s[i+1:]) {
				b.WriteByte('\\')
			}
		case r == utf8.RuneError && size == 1:
			marks = 0
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case jsonscan.Blank(r):
			marks = 0
			writeEscape(&b, r)
		case zeroWidth(r):
			if marks++; marks <= maxMarks {
				b.WriteRune(r)
			} else {
				writeEscape(&b, r)
			}
		case r == ' ' || unicode.IsGraphic(r):
			marks = 0
			b.WriteRune(r)
		default:
			marks = 0
			writeEscape(&b, r)
		}
		i += size
	}
	return b.String()
}

// readsAsEscape reports whether a backslash put before s would read as the
// start of an escape: s starts with a backslash, with a character Line
// escapes, or with the text of an escape after its backslash. (A combining
// mark right after a backslash is never past maxMarks, so never escaped.)
func readsAsEscape(s string) bool {
	if s == "" {
		return false
	}
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == '\\', r == utf8.RuneError && size == 1, jsonscan.Blank(r):
		return true
	case zeroWidth(r):
		return false
	case r != ' ' && !unicode.IsGraphic(r):
		return true
	}
	hex := 0
	switch s[0] {
	case 'n', 'r', 't':
		return true
	case 'x':
		hex = 2
	case 'u':
		hex = 4
	case 'U':
		hex = 8
	default:
		return false
	}
	if len(s) < 1+hex {
		return false
	}
	for _, c := range []byte(s[1 : 1+hex]) {
		if !isHexDigit(c) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 6
}

// Clean is Line for text of several lines: it keeps the line feeds, and
// turns tabs into spaces, which is what prose from the catalog needs.
func Clean(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Line(strings.ReplaceAll(l, "\t", " "))
	}
	return strings.Join(lines, "\n")
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func writeEscape(b *strings.Builder, r rune) {
	switch {
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\t':
		b.WriteString(`\t`)
	case r < 0x80: // C1 controls take \u, so that \x always means one byte
		fmt.Fprintf(b, `\x%02x`, r)
	case r < 0x10000:
		fmt.Fprintf(b, `\u%04x`, r)
	default:
		fmt.Fprintf(b, `\U%08x`, r)
	}
}

// zeroWidth reports the marks that combine with the character before them.
func zeroWidth(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me)
}

// cells is the number of terminal columns s takes once it went through
// Line: combining marks take none, East Asian wide and fullwidth characters
// two, the rest one. Characters of ambiguous width count as one, as in
// most terminals outside East Asian locales; emoji made wide by a variation
// selector are counted narrow, since terminals disagree on them.
func cells(s string) int {
	if printableASCII(s) {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n += runeCells(r)
	}
	return n
}

func runeCells(r rune) int {
	if r < 0x7f {
		return 1
	}
	if zeroWidth(r) {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

const ellipsis = "…"

// fit cuts s to at most n columns, ending it with an ellipsis when it cut.
func fit(s string, n int) string {
	if cells(s) <= n {
		return s
	}
	if n <= 1 {
		return ellipsis
	}
	used := 0
	for i, r := range s {
		w := runeCells(r)
		if used+w > n-1 {
			return s[:i] + ellipsis
		}
		used += w
	}
	return s
}

// words is Line for catalog prose in Markdown, where a run of white space,
// line breaks included, reads as one space anyway: it folds such runs and
// trims the ends before escaping what is left.
func words(s string) string {
	return Line(strings.Join(strings.Fields(s), " "))
}

// Count writes n with the singular or plural noun: "1 record", "2 records".
func Count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
