package server

import (
	"bytes"
	"encoding/json"
	"path"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/ruleset"
)

// sampleRow is one labelled record of a technique, as its page shows it:
// whether it is meant to be flagged, and which rules of the scan's set
// flag it.
type sampleRow struct {
	Name string // the file's base name
	// Anchor is the row's id on the page: the base name under the folder
	// of its label, as a near miss may share its name with a record to flag.
	Anchor string
	Match  bool   // in samples/match: its technique's rules must flag it
	Text   string // the record, indented
	Flags  []sampleFlag
	// Astray marks a record its technique's rules treat against its label:
	// a record to flag that none of them flags, or a near miss one flags.
	// Catalog validation refuses both; an overlay seen by ttc serve
	// without it may hold them.
	Astray bool
	// Err says why the record could not be matched (an overlay's sample
	// that is not one JSON object); catalog validation reports it too.
	Err string
}

// sampleFlag is one rule that flags a sample.
type sampleFlag struct {
	Technique string // the catalog technique the rule sits under; empty for another rule
	File      string // the rule file's base name, its anchor on the technique page
	Title     string
	Level     string
}

// sampleIndex lists, per technique, its samples with the rules of rs that
// flag each: a detection engineer reads what a rule takes and what it
// leaves from the records it was written against. The samples are run
// once, when the server starts.
type sampleIndex map[string][]sampleRow

func indexSamples(c *catalog.Catalog, rs *ruleset.Set) sampleIndex {
	idx := sampleIndex{}
	for _, t := range c.Techniques() {
		for _, s := range t.Samples {
			row := sampleRow{Name: path.Base(s.Path), Match: s.Match, Text: strings.ToValidUTF8(indented(s.Data), "\uFFFD")}
			row.Anchor = "sample-nomatch-" + anchorName(row.Name)
			if s.Match {
				row.Anchor = "sample-match-" + anchorName(row.Name)
			}
			ms, err := rs.Flags(s.Data) // a burst's sample, by the correlation rules
			if err != nil {
				row.Err = err.Error()
			}
			own := false
			for _, m := range ms {
				f := flagOf(rs.Lookup(m.Rule), m, t.ID)
				own = own || f.Technique == t.ID
				row.Flags = append(row.Flags, f)
			}
			row.Astray = own != s.Match
			idx[t.ID] = append(idx[t.ID], row)
		}
	}
	return idx
}

// flagOf names the rule behind a match; a catalog rule is named under the
// technique whose folder holds it, preferring the sample's own.
func flagOf(r *ruleset.Rule, m detect.Match, own string) sampleFlag {
	f := sampleFlag{File: path.Base(m.Rule.File), Title: m.Rule.Title, Level: m.Rule.Level}
	if r == nil || r.Origin != ruleset.FromCatalog || len(r.Techniques) == 0 {
		return f
	}
	f.Technique = r.Techniques[0]
	for _, id := range r.Techniques {
		if id == own {
			f.Technique = id
		}
	}
	return f
}

// anchorName is a file name as an HTML id: letters, digits, '.', '_' and
// '-' kept, anything else (a space, a quote) as '-'.
func anchorName(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x80 && (r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '-'
	}, name)
}

// indented returns a sample's JSON indented by two spaces, or its text as
// it is when it is not JSON.
func indented(data []byte) string {
	var b bytes.Buffer
	if json.Indent(&b, bytes.TrimSpace(data), "", "  ") != nil {
		return string(data)
	}
	return b.String()
}
