package view

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Options shape human output.
type Options struct {
	// Width is the terminal width tables must fit; 0 means no limit.
	Width int
	// Color allows ANSI colour; off when NO_COLOR is set or output is not a terminal.
	Color bool
}

// Grid is a table of text cells. When it is too wide for the terminal,
// columns give way in rounds: a column past its Most first, down to it;
// then Flex and Give, widest first, down to flexMin (or a higher Floor); then every column but
// Keep, widest first, down to colMin (or its Floor); then the Keep columns
// cut in the Middle that have a Floor, down to it; then the other Keep
// columns too, down to their Floor; then all to colMin. So a table names what matters most in Keep (times, event names) and
// what matters least in Flex and Give (long names, lists).
type Grid struct {
	Headers []string
	Rows    [][]string
	// Flex is the column that gives way first (-1 for the last one).
	Flex int
	// Give lists more columns that give way along with Flex.
	Give []int
	// Keep lists the columns cut only when no other column can give way.
	Keep []int
	// Whole lists the columns never cut, whatever the width: values a
	// reader types back (a technique's ID, a service's key), which cut
	// would pass for another ("T1485.…" for T1485.001 and T1485.A003).
	// When the others are as narrow as they go, the line overflows.
	Whole []int
	// Drop lists columns, in order, left out whole when the others are
	// as narrow as they go and the table still does not fit, before a
	// Keep column is cut: a column cut to a few characters says less than
	// none, and a Keep column cut may say something else.
	Drop []int
	// Most is, per column, the widest a value of it can honestly be (an
	// address, a timestamp); 0 for no bound. Past it a value is forged or
	// broken, and the column gives way to Most before any other is cut or
	// left out, so that one such value in a log cannot push the others
	// off the table.
	Most []int
	// Floor is, per column, the narrowest the rounds cut it to, in place
	// of colMin, before a last round cuts every column down to colMin; 0
	// for colMin.
	Floor []int
	// Announce lists columns whose leaving out WriteTable says under the
	// table: those a reader would miss without knowing (who did it).
	Announce []int
	// Spare lists columns that give way with Flex and Give, the widest of
	// them first, to their Floor (flexMin when it has none), and when the
	// table still does not fit are left out whole, in order, and the
	// others laid out as if they had never been there. A column worth
	// reading only whole enough (a resource's name) goes rather than push
	// Keep columns short.
	Spare []int
	// Middle lists columns cut in the middle rather than at the end:
	// values whose end says as much as their start (an ARN, a path).
	Middle []int
	// Escaped lists columns whose cells were escaped as Line does already,
	// and are not escaped again: a cell that joins several values (a
	// finding's target) escapes each value on its own, so that the
	// separator it puts between them is one no value can hold (see
	// Separable).
	Escaped []int
	// Code lists columns that Markdown writes as code spans: values a
	// reader copies to a command (a record's file and place), which
	// escapes written for Markdown's sake would break. In a terminal they
	// are written as any other.
	Code []int
}

// at returns xs[i], or 0 past its end.
func at(xs []int, i int) int {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

// MaxCell is the most columns a table cell takes, terminal or not. Every
// row is padded to the widest cell of its column, so without a bound one
// huge value (a 100,000-character source address) would be repeated as
// padding on every row and multiply the output. 256 columns hold any
// assumed-role ARN whole (role and session names take up to 64 characters
// each, 175 in all in the longest partition), and any region, address or
// event name; longer values, such as an IAM user's ARN with a long path,
// end in "…", and -o json and jsonl carry them in full.
const MaxCell = 256

// The narrowest the rounds of Grid cut columns to.
const flexMin, colMin = 16, 6

// WriteTable writes g as aligned columns that fit opts.Width, every cell
// passed through Line.
func WriteTable(w io.Writer, g Grid, opts Options) error {
	headers := cleanRow(g.Headers, nil)
	rows := make([][]string, len(g.Rows))
	widths := make([]int, len(headers))
	for i, h := range headers {
		widths[i] = min(cells(h), MaxCell)
	}
	for r, row := range g.Rows {
		rows[r] = cleanRow(row[:min(len(row), len(headers))], g.Escaped)
		for i, c := range rows[r] {
			widths[i] = max(widths[i], min(cells(c), MaxCell))
		}
	}
	if opts.Width > 0 {
		shrink(widths, g, opts.Width-2*(len(widths)-1))
	}

	var b strings.Builder
	line := func(row []string, header bool) {
		last := len(row) - 1
		for last > 0 && widths[last] < 0 {
			last--
		}
		for i, c := range row {
			if widths[i] < 0 {
				continue // dropped
			}
			if slices.Contains(g.Middle, i) {
				c = fitMiddle(c, widths[i])
			} else {
				c = fit(c, widths[i])
			}
			pad := widths[i] - cells(c)
			if header && opts.Color {
				c = "\x1b[1m" + c + "\x1b[0m"
			}
			b.WriteString(c)
			if i < last {
				b.WriteString(strings.Repeat(" ", pad+2))
			}
		}
		b.WriteByte('\n')
	}
	line(headers, true)
	for _, r := range rows {
		line(r, false)
	}
	var left []string
	for _, i := range g.Announce {
		if i < len(widths) && widths[i] < 0 && len(rows) > 0 {
			left = append(left, headers[i])
		}
	}
	if len(left) > 0 {
		names := strings.Join(left, ", ")
		note := "(no room for " + names + ": widen the terminal, or set COLUMNS)"
		if len(note) > opts.Width {
			note = "(no room for " + names + ")"
		}
		b.WriteString(note + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cleanRow escapes a row's cells as Line does, but for the escaped columns,
// and writes each space after the first of a run as \x20: two spaces
// inside a cell would pass for the gap between two columns
// ("ListUsers  success  cloudtrail:StopLogging").
func cleanRow(row []string, escaped []int) []string {
	out := make([]string, len(row))
	for i, c := range row {
		if !slices.Contains(escaped, i) {
			c = Line(c)
		}
		out[i] = SpaceRuns(c)
	}
	return out
}

// WriteMarkdown writes g as a Markdown table, escaping what Markdown would read.
func WriteMarkdown(w io.Writer, g Grid) error {
	var b strings.Builder
	b.WriteString("| " + strings.Join(mdCells(g.Headers, nil, nil), " | ") + " |\n")
	b.WriteString("|" + strings.Repeat(" --- |", len(g.Headers)) + "\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return WriteMarkdownRows(w, g)
}

// WriteMarkdownRows writes g's rows, and not its headers, as more rows of a
// table WriteMarkdown began, for tables written a part at a time.
func WriteMarkdownRows(w io.Writer, g Grid) error {
	var b strings.Builder
	for _, r := range g.Rows {
		b.WriteString("| " + strings.Join(mdCells(r, g.Escaped, g.Code), " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCells(cells []string, escaped, code []int) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		switch {
		case slices.Contains(code, i):
			out[i] = CodeSpan(Line(c))
		case slices.Contains(escaped, i):
			out[i] = MarkdownEscape(SpaceRuns(c))
		default:
			out[i] = MarkdownValue(c)
		}
	}
	return out
}

// CodeSpan writes s as a Markdown code span in a table cell: fenced by
// more backticks than any run of them in s, padded with a space when s
// starts or ends with a backtick or a space (which the fence would
// otherwise take or drop), and its pipes escaped, which GitHub's tables
// read as cell ends even in code. Nothing else in a code span is markup:
// no emphasis, entity, link or autolink.
func CodeSpan(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if strings.Trim(s, " ") == "" {
		return MarkdownValue(s) // nothing to copy: spaces as MarkdownValue writes them, or an empty cell
	}
	fence := strings.Repeat("`", longest+1)
	if s[0] == '`' || s[0] == ' ' || s[len(s)-1] == '`' || s[len(s)-1] == ' ' {
		s = " " + s + " "
	}
	return fence + strings.ReplaceAll(s, "|", `\|`) + fence
}

// mdReplacer escapes what Markdown would act on, so that each character
// shows as itself: markup, strikethrough ('~'), entities (see
// escapeEntities), and the
// autolinks of GitHub's dialect, which turn text into links with no
// brackets at all. Log values are the attacker's; a report must not hand a
// responder a link to click. An escaped ':' breaks a URL's "://". An email
// address (also behind mailto: and xmpp:) is found after escapes are
// undone, so its '@' is cut off from the domain by an empty HTML comment,
// which renders as nothing; the value's own '<' is escaped, so it cannot
// close or open one.
var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`,
	"~", `\~`, "://", `\://`, "@", "@<!-- -->",
)

// MarkdownValue is Line for a value in Markdown, escaped for it. Rendered
// Markdown folds a run of spaces into one, so each space after the first
// of a run is written \x20: "a  b" is not "a b".
func MarkdownValue(s string) string { return MarkdownEscape(SpaceRuns(Line(s))) }

// SpaceRuns writes each space after the first of a run as \x20, for a
// value shown where a run of spaces would be lost (rendered Markdown) or
// could pass for layout (padding that pushes the rest of a line away).
func SpaceRuns(s string) string {
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && i > 0 && s[i-1] == ' ' {
			b.WriteString(`\x20`)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// MarkdownEscape makes s literal text in Markdown (and inert if rendered as
// HTML, and never a link).
func MarkdownEscape(s string) string { return escapeWWW(mdReplacer.Replace(escapeEntities(s))) }

// entity matches what Markdown reads as a character reference after '&'.
var entity = regexp.MustCompile(`^#?[0-9A-Za-z]+;`)

// escapeEntities escapes each '&' that starts a character reference
// ("&#64;", "&amp;"), so that it shows as written rather than as the
// character it names; any other '&' (ATT&CK) is text already.
func escapeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '&' && entity.MatchString(s[i+1:]) {
			b.WriteString("&amp;")
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// escapeWWW escapes the '.' of every "www." in s, in any case, as autolink
// parsers differ on whether case matters.
func escapeWWW(s string) string {
	var b strings.Builder
	last := 0
	for i := 3; i < len(s); i++ {
		if s[i] == '.' && strings.EqualFold(s[i-3:i], "www") {
			b.WriteString(s[last:i])
			b.WriteString(`\.`)
			last = i + 1
		}
	}
	if last == 0 {
		return s
	}
	return b.String() + s[last:]
}

// shrink narrows columns until their sum fits room, in the rounds Grid
// describes; a column dropped gets width -1.
func shrink(widths []int, g Grid, room int) {
	flex := g.Flex
	if flex < 0 || flex >= len(widths) {
		flex = len(widths) - 1
	}
	total := 0
	for _, x := range widths {
		total += x
	}
	narrowTo := func(may func(int) bool, floor func(int) int) {
		for total > room {
			widest := -1
			for i, x := range widths {
				if x > floor(i) && may(i) && !slices.Contains(g.Whole, i) && (widest < 0 || x > widths[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				return
			}
			widths[widest]--
			total--
		}
	}
	narrow := func(may func(int) bool, floor int) { narrowTo(may, func(int) int { return floor }) }
	// The first rounds: values past what their kind can be, then Flex,
	// Give and Spare, the widest first, so that each keeps a fair share
	// of the room. A column left out (-1) is past no floor.
	firstRounds := func() {
		narrowTo(func(i int) bool { return at(g.Most, i) > 0 }, func(i int) int { return at(g.Most, i) })
		narrowTo(func(i int) bool { return i == flex || slices.Contains(g.Give, i) || slices.Contains(g.Spare, i) },
			func(i int) int { return max(flexMin, at(g.Floor, i)) })
	}
	whole := slices.Clone(widths)
	firstRounds()
	if total > room && slices.ContainsFunc(g.Spare, func(i int) bool { return i < len(widths) }) {
		// The spare columns go, and the rest start again from their
		// whole widths.
		copy(widths, whole)
		for _, i := range g.Spare {
			if i < len(widths) && widths[i] >= 0 {
				room += 2 // the gap before it
				widths[i] = -1
			}
		}
		total = 0
		for _, x := range widths {
			total += max(x, 0)
		}
		firstRounds()
	}
	// Drop's columns go, in order, while the table would not fit even with
	// every column but Keep at its floor; a column Announce'd (one a
	// reader would miss) goes only when cutting the kept ones that may be
	// cut in the middle to their Floor would not make room either (a long
	// address cut, with both its ends, rather than who acted left out).
	// The rest then share the room, from their whole widths: what a
	// column gave up in the first rounds before another went is its own
	// again.
	least := func(cutMiddle bool) int {
		n := 0
		for i, x := range widths {
			switch {
			case x < 0:
			case slices.Contains(g.Whole, i):
				n += x
			case slices.Contains(g.Keep, i) && !(cutMiddle && middleKeep(g, i)):
				n += x
			default:
				n += min(x, floorOf(g, i))
			}
		}
		return n
	}
	dropped := false
	for _, i := range g.Drop {
		if least(false) <= room || slices.Contains(g.Announce, i) && least(true) <= room {
			break
		}
		if i < len(widths) && widths[i] >= 0 {
			room += 2 // the gap before it
			widths[i] = -1
			dropped = true
		}
	}
	if dropped {
		total = 0
		for i, x := range whole {
			if widths[i] >= 0 {
				widths[i] = x
				total += x
			}
		}
		firstRounds()
	}
	shown := func(i int) bool { return widths[i] >= 0 }
	floor := func(i int) int { return floorOf(g, i) }
	narrowTo(func(i int) bool { return shown(i) && !slices.Contains(g.Keep, i) }, floor)
	narrowTo(func(i int) bool { return shown(i) && middleKeep(g, i) }, floor)
	narrowTo(shown, floor)
	narrow(shown, colMin)
}

// middleKeep reports whether kept column i may be cut to its Floor before
// the other kept columns: one cut in the middle, keeping both ends, with a
// Floor of its own (an IPv6 address cut to an IPv4 address's width).
func middleKeep(g Grid, i int) bool {
	return slices.Contains(g.Keep, i) && slices.Contains(g.Middle, i) && at(g.Floor, i) > 0
}

// floorOf is the narrowest the third round of shrink cuts column i to.
func floorOf(g Grid, i int) int {
	if f := at(g.Floor, i); f > 0 {
		return f
	}
	return colMin
}

// Bold wraps s in bold when colour is on.
func Bold(s string, opts Options) string {
	if !opts.Color {
		return s
	}
	return fmt.Sprintf("\x1b[1m%s\x1b[0m", s)
}
