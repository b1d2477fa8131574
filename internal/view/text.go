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
// combining marks past maxMarks on one character, and characters that
// show blank (jsonscan.Blank: spaces other than ASCII's, fillers,
// variation selectors). A space that starts or ends the text is written
// \x20, since a table's padding would hide it. An escape says what the
// record held, which matters when the record was forged to mislead.
//
// A backslash is written as two, so that every backslash in the output
// starts an escape, and the output decodes back to the input by Go's
// rules (strconv.UnquoteChar): `\x1b` typed out in a forged name prints
// as `\\x1b`, a real ESC as `\x1b`.
//
// Text that quotes untrusted content must quote it raw, in plain quotes,
// and leave the escaping to Line: text escaped before (%q) is escaped
// again, and a real control character then shows as the text of one.
func Line(s string) string { return escape(s, 0) }

// Quoted is Line for text whose untrusted parts were quoted Go-style
// already (%q), as cobra's and pflag's usage errors are: its backslashes
// and its spaces (an indented line) are kept as they are, so that an
// escape is not escaped twice; a control character is still escaped.
func Quoted(s string) string { return escape(s, keepEdges|keepBackslashes) }

// The parts of Line's escaping that Quoted and Clean leave out.
const (
	keepEdges       = 1 << iota // spaces at the ends are kept
	keepBackslashes             // a backslash is kept single
)

// Clean is Line for text of several lines: it keeps the line feeds, and
// turns tabs into spaces, which is what prose from the catalog needs. The
// catalog's prose is written by its authors, and keeps its backslashes and
// spaces as written; control and invisible characters are still escaped.
func Clean(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = escape(strings.ReplaceAll(l, "\t", " "), keepEdges|keepBackslashes)
	}
	return strings.Join(lines, "\n")
}

func escape(s string, keep int) string {
	if printableASCII(s) && (keep&keepBackslashes != 0 || strings.IndexByte(s, '\\') < 0) && (keep&keepEdges != 0 || !edgeSpace(s)) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	marks := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\' && keep&keepBackslashes == 0:
			marks = 0
			b.WriteString(`\\`)
		case r == ' ' && keep&keepEdges == 0 && (i == 0 || i == len(s)-1):
			marks = 0
			b.WriteString(`\x20`)
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

// edgeSpace reports whether s starts or ends with a space.
func edgeSpace(s string) bool {
	return s != "" && (s[0] == ' ' || s[len(s)-1] == ' ')
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// ASCII writes each character of s past ASCII as a \u escape (\U past
// U+FFFF), as Line writes the characters it escapes, for a value already
// escaped by Line: its backslashes are doubled, so the result still reads
// back with Go's escapes.
func ASCII(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
			continue
		}
		writeEscape(&b, r)
	}
	return b.String()
}

// Separable escapes, in a value already escaped by Line, the characters
// past ASCII that could pass for the separator of a list whose parts are
// separated by " · " (a finding's target, the fields its rule matched), so
// that a forged value "a · b" cannot read as two: every one that is not a
// letter, a digit or a combining mark (punctuation, symbols: the middle dot
// and the dots, bullets and rings drawn like it), the letters drawn as a dot
// or a small mark (see dotLike), and a combining mark that starts the value,
// which would join the separator before it. Letters of any script are kept
// (an object key in Japanese stays readable, though its katakana middle dot
// is escaped); ASCII escapes them all, for lines whose every part is
// escaped. Which glyph a font draws like a dot cannot be known for certain:
// what is kept is a letter in some script's alphabet.
func Separable(s string) string {
	if allASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		if r >= utf8.RuneSelf && (dotLike(r) || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) || (i == 0 && unicode.IsMark(r))) {
			writeEscape(&b, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// allASCII reports whether s is all ASCII.
func allASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// dotLike reports the letters drawn as a dot or a small raised mark at the
// height of a middle dot: modifier letters of the Spacing Modifier Letters
// block, and letters of some alphabets that are a dot alone.
func dotLike(r rune) bool {
	switch {
	case r >= 0x02b0 && r <= 0x02ff && unicode.Is(unicode.Lm, r):
		return true
	}
	switch r {
	case '\u0971', // Devanagari sign high spacing dot
		'\u1427', // Canadian syllabics final middle dot
		'\u18df', // Canadian syllabics final raised dot
		'\u318d', // Hangul letter araea
		'\ua78f': // Latin letter sinological dot
		return true
	}
	return false
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
			return s[:escapeStart(s, i)] + ellipsis
		}
		used += w
	}
	return s
}

// fitMiddle is fit for a value whose end says as much as its start (an
// ARN, a path): it keeps both ends, and puts the ellipsis where it cut the
// middle, never inside an escape or a character.
func fitMiddle(s string, n int) string {
	if cells(s) <= n {
		return s
	}
	if n < 8 {
		return fit(s, n)
	}
	tail := (n - 1) / 2
	j, used := len(s), 0
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		if used+runeCells(r) > tail {
			break
		}
		used += runeCells(r)
		j -= size
	}
	j = cutForward(s, j)
	// Nor does the kept end start with a mark that combines with the
	// character before it (spacing marks and emoji skin tones included),
	// which would land on the ellipsis.
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !unicode.Is(unicode.M, r) && (r < 0x1F3FB || r > 0x1F3FF) {
			break
		}
		j += size
	}
	return fit(s, n-(cells(s[j:]))) + s[j:]
}

// cutForward moves a cut at s[i] forward to the end of the escape it
// would fall in, as escapeStart moves it back.
func cutForward(s string, i int) int {
	if k := escapeStart(s, i); k < i {
		return k + escapeEnd(s[k:])
	}
	return i
}

// Cells is the number of terminal columns s, Line's output, takes.
func Cells(s string) int { return cells(s) }

// BreakLine breaks s, Line's output, into lines of at most n columns,
// losing and hiding nothing. It breaks at a space where it can, which the
// break stands for (a run of spaces keeps the rest, the first written
// \x20 at the start of the next line); a word longer than a line is cut,
// never inside an escape or a character nor before a combining mark, and
// its line ends with a lone backslash, as a shell's continued line does:
// Line writes every backslash of a value as part of an escape, so the
// mark cannot come from the value, and "ab cd" broken reads apart from
// "abcd" broken. Unlike Wrap, which reflows prose, it keeps every
// character. Below 8 columns (and for n of 0) s is not broken.
func BreakLine(s string, n int) []string {
	if n < 8 || cells(s) <= n {
		return []string{s}
	}
	var out []string
	for first := true; s != ""; first = false {
		lead := ""
		if !first && s[0] == ' ' {
			lead, s = `\x20`, s[1:]
		}
		room := n - len(lead)
		if cells(s) <= room {
			out = append(out, lead+s)
			break
		}
		_, sp := fitCut(s, room)
		if sp > 0 {
			out = append(out, lead+s[:sp])
			s = s[sp+1:]
			continue
		}
		cut, _ := fitCut(s, room-1) // one column for the mark
		next := escapeStart(s, cut)
		if next == 0 { // an escape wider than the room left: it goes whole
			next = firstUnit(s)
		}
		if next == len(s) { // nothing follows: no mark
			out = append(out, lead+s)
			break
		}
		out = append(out, lead+s[:next]+`\`)
		s = s[next:]
	}
	return out
}

// fitCut returns where s must be cut to fit room columns (len(s) when it
// fits), and the start of the last run of spaces before that cut, or at
// it, that does not start s (-1 for none): a break there leaves no space
// at the end of the line.
func fitCut(s string, room int) (cut, space int) {
	cut, space, used := len(s), -1, 0
	prev := rune(0)
	for i, r := range s {
		w := runeCells(r)
		if used+w > room {
			cut = i
			break
		}
		if r == ' ' && prev != ' ' && i > 0 {
			space = i
		}
		used, prev = used+w, r
	}
	if cut < len(s) && s[cut] == ' ' && prev != ' ' && cut > 0 {
		space = cut // the line is full just before a space
	}
	return cut, space
}

// firstUnit returns the length of what s starts with that must not be
// split: an escape, or a character with its combining marks.
func firstUnit(s string) int {
	if s[0] == '\\' {
		return escapeEnd(s)
	}
	_, n := utf8.DecodeRuneInString(s)
	for n < len(s) {
		r, k := utf8.DecodeRuneInString(s[n:])
		if !zeroWidth(r) {
			break
		}
		n += k
	}
	return n
}

// escapeEnd returns the end of the escape s starts with.
func escapeEnd(s string) int {
	for i := 1; i <= len(s); i++ {
		if escapeStart(s, i) == 0 && i < len(s) {
			continue
		}
		return i
	}
	return len(s)
}

// escapeStart moves a cut at s[i] back to the start of the escape it
// would fall in, s being Line's output, where each backslash starts one:
// half an escape would read as something else.
func escapeStart(s string, i int) int {
	for j := 0; j < i; j++ {
		if s[j] != '\\' || j+1 == len(s) {
			continue
		}
		n := 2 // \\, \n, \r, \t
		switch s[j+1] {
		case 'x':
			n = 4
		case 'u':
			n = 6
		case 'U':
			n = 10
		}
		if j+n > i {
			return j
		}
		j += n - 1
	}
	return i
}

// words is Clean for catalog prose in Markdown, where a run of white
// space, line breaks included, reads as one space anyway: it folds such
// runs and trims the ends before escaping what is left.
func words(s string) string {
	return escape(strings.Join(strings.Fields(s), " "), keepEdges|keepBackslashes)
}

// Count writes n with the singular or plural noun: "1 record", "2 records".
func Count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
