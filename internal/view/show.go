package view

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
)

// WriteTechnique renders one technique in full.
func WriteTechnique(w io.Writer, f Format, d catalog.TechniqueDetail, opts Options) error {
	switch f {
	case JSON, YAML:
		return WriteDoc(w, f, One("technique", d))
	case Markdown:
		return writeTechniqueMarkdown(w, d)
	}
	return writeTechniqueText(w, d, opts)
}

// section is a titled part of a technique page, as paragraphs, list items or links.
type section struct {
	title string
	text  string   // Markdown paragraphs
	items []string // list items
	links []catalog.Reference
}

func techniqueSections(d catalog.TechniqueDetail) []section {
	t := d.Technique
	det := t.Detection
	var ss []section
	add := func(title, text string, items ...string) {
		if strings.TrimSpace(text) != "" || len(items) > 0 {
			ss = append(ss, section{title: title, text: text, items: items})
		}
	}
	add("Summary", t.Summary)
	add("Prerequisites", t.Prerequisites)
	add("Description", t.Description)
	add("Detection", det.Guidance)
	if len(det.CloudTrailEvents) > 0 {
		title, items := "CloudTrail events (management events)", det.CloudTrailEvents
		if len(d.DataEvents) > 0 {
			title = "CloudTrail events (data events marked: a trail records them only when its selectors ask)"
			items = make([]string, len(det.CloudTrailEvents))
			for i, e := range det.CloudTrailEvents {
				items[i] = e
				if slices.Contains(d.DataEvents, e) {
					items[i] += " (data event)"
				}
			}
		}
		add(title, "", items...)
	} else {
		add("No CloudTrail trace", det.NoCloudTrail)
	}
	add("GuardDuty findings", "", det.GuardDutyFindings...)
	add("Other signals", "", det.OtherSignals...)
	add("Blind spots", det.BlindSpots)
	var mit []string
	for _, m := range t.Mitigations {
		name := m.ID
		for _, md := range d.MitigatedBy {
			if md.ID == m.ID {
				name = md.Name + " (" + m.ID + ")"
			}
		}
		mit = append(mit, name+": "+m.Effect)
	}
	add("Mitigations", "", mit...)
	var attackMit []string
	for _, id := range t.AttackMitigations {
		if name := d.AttackMitigationNames[id]; name != "" {
			id += " " + name
		}
		attackMit = append(attackMit, id)
	}
	add("ATT&CK mitigations", "", attackMit...)
	var rules []string
	for _, r := range d.RuleFiles {
		line := fmt.Sprintf("%s (%s, %s)", r.Title, r.Level, r.File)
		if len(r.AlsoReports) > 0 {
			line += "; also reports " + strings.Join(r.AlsoReports, ", ")
		}
		line += needsData(r)
		if r.Problem != "" {
			line += ": not used, it does not compile: " + r.Problem
		}
		rules = append(rules, line)
	}
	add("Sigma rules", "", rules...)
	var others []string
	for _, r := range d.ReportedBy {
		others = append(others, fmt.Sprintf("%s: %s (%s, %s)", r.Technique, r.Title, r.Level, r.File)+needsData(r))
	}
	add("Rules of other techniques that report this one", "", others...)
	if d.ParentEntry != nil {
		add("Parent", "", summaryLine(*d.ParentEntry))
	}
	add("Sub-techniques", "", summaryLines(d.Children)...)
	add("Siblings", "", summaryLines(d.Siblings)...)
	add("Related", "", summaryLines(d.RelatedTo)...)
	if len(t.References) > 0 {
		ss = append(ss, section{title: "References", links: t.References})
	}
	if a := d.AttackData; a != nil {
		text := a.Description
		switch {
		case a.Revoked && a.ReplacedBy != "":
			text = "ATT&CK revoked this technique; it is replaced by " + a.ReplacedBy + ".\n\n" + text
		case a.Revoked: // its revoked-by links lead to no technique, or in a loop (ttc attack check names it)
			text = "ATT&CK revoked this technique; the data names no current technique that replaces it.\n\n" + text
		}
		if a.Deprecated {
			text = "ATT&CK deprecated this technique.\n\n" + text
		}
		add(fmt.Sprintf("ATT&CK %s: %s (ATT&CK v%s)", a.ID, a.Name, a.AttackVersion), text+"\n\n"+a.Attribution+" "+a.URL)
	}
	if t.Attack != nil {
		var al []string
		for _, a := range t.Attack.Aliases {
			al = append(al, strings.TrimSpace(fmt.Sprintf("%s in ATT&CK v%s. %s", a.ID, a.Version, a.Note)))
		}
		add(fmt.Sprintf("ATT&CK (v%s, %s)", t.Attack.Version, d.AttackID), "", al...)
	}
	return ss
}

// needsData names the data events a rule needs, after its line: a trail
// that logs management events only gives it none of those records.
func needsData(r catalog.RuleInfo) string {
	if len(r.DataEvents) == 0 {
		return ""
	}
	return "; needs data events for " + strings.Join(r.DataEvents, ", ")
}

func summaryLine(s catalog.TechniqueSummary) string { return s.ID + "  " + s.Name }

func summaryLines(list []catalog.TechniqueSummary) []string {
	var out []string
	for _, s := range list {
		out = append(out, summaryLine(s))
	}
	return out
}

func headline(d catalog.TechniqueDetail) string {
	var parts []string
	if d.AWSSpecific {
		parts = append(parts, "AWS-specific")
	}
	var tac []string
	for _, t := range d.TacticNames {
		tac = append(tac, t.Name+" ("+t.ID+")")
	}
	parts = append(parts, "Tactics: "+strings.Join(tac, ", "))
	var svc []string
	for _, s := range d.ServiceNames {
		svc = append(svc, s.Name)
	}
	if len(svc) > 0 {
		parts = append(parts, "Services: "+strings.Join(svc, ", "))
	}
	parts = append(parts, "Updated "+d.Updated)
	return strings.Join(parts, " · ")
}

func writeTechniqueText(w io.Writer, d catalog.TechniqueDetail, opts Options) error {
	width := opts.Width
	if width <= 0 || width > 100 {
		width = 100
	}
	var b strings.Builder
	b.WriteString(Bold(Clean(d.ID+"  "+d.Name), opts) + "\n")
	b.WriteString(Clean(headline(d)) + "\n")
	for _, s := range techniqueSections(d) {
		b.WriteString("\n" + Bold(Clean(s.title), opts) + "\n")
		if s.text != "" {
			b.WriteString(proseText(s.text, width) + "\n")
		}
		for _, it := range s.items {
			b.WriteString(Wrap(Clean(it), width, "  - ") + "\n")
		}
		for _, l := range s.links {
			b.WriteString(Wrap(Clean(l.Title+" <"+l.URL+">"), width, "  - ") + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeTechniqueMarkdown(w io.Writer, d catalog.TechniqueDetail) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s\n\n%s\n", MarkdownEscape(d.ID), MarkdownEscape(words(d.Name)), MarkdownEscape(words(headline(d))))
	for _, s := range techniqueSections(d) {
		fmt.Fprintf(&b, "\n## %s\n\n", MarkdownEscape(words(s.title)))
		if s.text != "" {
			b.WriteString(proseMarkdown(s.text) + "\n")
		}
		if s.text != "" && len(s.items) > 0 {
			b.WriteString("\n")
		}
		for _, it := range s.items {
			b.WriteString("- " + MarkdownEscape(words(it)) + "\n")
		}
		for _, l := range s.links {
			b.WriteString("- " + markdownLink(l) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// markdownLink writes a reference as a Markdown link when its URL is an
// absolute http(s) URL that needs no escaping, and as plain text otherwise.
func markdownLink(r catalog.Reference) string {
	title := MarkdownEscape(words(r.Title))
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(r.URL, " ()<>\x00\n") {
		return title + " (" + MarkdownEscape(words(r.URL)) + ")"
	}
	return "[" + title + "](" + r.URL + ")"
}

// proseText writes catalog prose for the terminal, two columns in: its
// paragraphs reflowed to width, its fenced code blocks four columns in,
// line by line as written (a terminal folds a line too long for it).
func proseText(text string, width int) string {
	var parts []string
	for _, blk := range catalog.ProseBlocks(text) {
		if !blk.Code {
			parts = append(parts, Wrap(Clean(blk.Text), width, "  "))
			continue
		}
		lines := strings.Split(codeText(blk.Text), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight("    "+l, " ")
		}
		parts = append(parts, strings.Join(lines, "\n"))
	}
	return strings.Join(parts, "\n\n")
}

// proseMarkdown writes catalog prose for Markdown output. Its prose is
// Markdown already, written as it is with raw HTML and control characters
// neutralised. Its fenced code blocks are written anew, between fences of
// more backticks than any run in the code, so that a renderer ends each
// where ProseBlocks did and shows everything in it as text: an entity
// would show as written there, so nothing in code is neutralised, and
// nothing needs to be.
func proseMarkdown(text string) string {
	var parts []string
	for _, blk := range catalog.ProseBlocks(text) {
		if !blk.Code {
			parts = append(parts, strings.TrimSpace(neutraliseHTML(Clean(blk.Text))))
			continue
		}
		code := codeText(blk.Text)
		fence := strings.Repeat("`", max(3, longestRun(code, '`')+1))
		parts = append(parts, fence+blk.Lang+"\n"+code+"\n"+fence)
	}
	return strings.Join(parts, "\n\n")
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

// neutraliseHTML writes the < and > of Markdown prose as entities, so that
// a renderer shows them rather than read raw HTML, except inside a code
// span, which a renderer shows as written, entities and all: there they
// stay, and `https://<name>.awsapps.com` reads as written. Only a span
// that opens and closes on one line is taken as one: a span a renderer
// would not see (its backticks in two paragraphs or list items) would
// leave a < raw where HTML is read. A backslash escape is copied as it is,
// so that an escaped backtick opens no span, as for the renderer.
func neutraliseHTML(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			b.WriteString(s[i : i+2])
			i += 2
		case c == '`':
			n := runOf(s, i, '`')
			if end := closingRun(s, i+n, n); end > 0 {
				b.WriteString(s[i:end])
				i = end
			} else {
				b.WriteString(s[i : i+n]) // no span: the backticks are text
				i += n
			}
		case c == '<':
			b.WriteString("&lt;")
			i++
		case c == '>':
			b.WriteString("&gt;")
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// runOf is the length of the run of c that starts at s[i].
func runOf(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

// closingRun returns the end of the first run of exactly n backticks at or
// after s[from], on the same line, or 0 when there is none.
func closingRun(s string, from, n int) int {
	for j := from; j < len(s) && s[j] != '\n'; {
		if s[j] != '`' {
			j++
			continue
		}
		m := runOf(s, j, '`')
		if m == n {
			return j + m
		}
		j += m
	}
	return 0
}

// isASCIIPunct reports whether c is one of the ASCII punctuation
// characters a Markdown backslash escapes.
func isASCIIPunct(c byte) bool {
	return c > ' ' && c < 0x7f && !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')
}

// Wrap breaks text into lines of at most width runes, each starting with
// prefix (later lines with as many spaces). Blank lines separate paragraphs.
func Wrap(text string, width int, prefix string) string {
	indent := strings.Repeat(" ", len([]rune(prefix)))
	var out []string
	for i, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if i > 0 {
			out = append(out, "")
		}
		words := strings.Fields(para)
		line := prefix
		if i > 0 {
			line = indent
		}
		fresh := true
		for _, wd := range words {
			if !fresh && len([]rune(line))+1+len([]rune(wd)) > width {
				out = append(out, line)
				line, fresh = indent, true
			}
			if !fresh {
				line += " "
			}
			line += wd
			fresh = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
