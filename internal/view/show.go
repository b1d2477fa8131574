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
	plain bool     // text comes from outside the catalog (ATT&CK data), unchecked: Markdown writes it as text
	items []string // list items
	notes []note   // list items of a name and prose
	links []catalog.Reference
}

// note is a list item that names something (a mitigation) and goes on
// with prose about it (what it stops here).
type note struct{ name, text string }

// noteList is notes as a list of prose, each item's name in front of its
// first paragraph.
func noteList(notes []note) catalog.ProseBlock {
	l := catalog.ProseBlock{Kind: catalog.ListBlock}
	for _, n := range notes {
		blocks := catalog.ProseBlocks(n.text)
		if len(blocks) > 0 && blocks[0].Kind == catalog.ParagraphBlock {
			blocks[0].Text = n.name + ": " + blocks[0].Text
		} else {
			blocks = append([]catalog.ProseBlock{{Kind: catalog.ParagraphBlock, Text: n.name + ":"}}, blocks...)
		}
		l.Items = append(l.Items, catalog.ProseItem{Marker: "-", Blocks: blocks})
	}
	return l
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
	var mit []note
	for _, m := range t.Mitigations {
		name := m.ID
		for _, md := range d.MitigatedBy {
			if md.ID == m.ID {
				name = md.Name + " (" + m.ID + ")"
			}
		}
		mit = append(mit, note{name, m.Effect})
	}
	if len(mit) > 0 {
		ss = append(ss, section{title: "Mitigations", notes: mit})
	}
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
		// An imported bundle's text is not checked as the catalog's prose
		// is (its links may be javascript:, its images remote).
		ss = append(ss, section{title: fmt.Sprintf("ATT&CK %s: %s (ATT&CK v%s)", a.ID, a.Name, a.AttackVersion),
			text: strings.TrimSpace(text + "\n\n" + a.Attribution + " " + a.URL), plain: true})
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
		if len(s.notes) > 0 {
			b.WriteString(textList(noteList(s.notes), "  ", "  ", width) + "\n")
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
		switch {
		case s.text != "" && s.plain:
			var ps []string
			for _, p := range strings.Split(strings.ReplaceAll(s.text, "\r\n", "\n"), "\n\n") {
				if p = strings.TrimSpace(p); p != "" {
					ps = append(ps, plainParagraph(p))
				}
			}
			b.WriteString(strings.Join(ps, "\n\n") + "\n")
		case s.text != "":
			b.WriteString(proseMarkdown(s.text) + "\n")
		}
		if s.text != "" && len(s.items) > 0 {
			b.WriteString("\n")
		}
		for _, it := range s.items {
			b.WriteString("- " + MarkdownEscape(words(it)) + "\n")
		}
		if len(s.notes) > 0 {
			b.WriteString(markdownList(noteList(s.notes), "", "", plainParagraph) + "\n")
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
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(r.URL, " ()<>\x00\n\r\\`") {
		return title + " (" + MarkdownEscape(words(r.URL)) + ")"
	}
	return "[" + title + "](" + r.URL + ")"
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
