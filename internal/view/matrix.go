package view

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
)

// MatrixColumn is one tactic of the matrix with the techniques under it.
type MatrixColumn struct {
	Tactic     catalog.Tactic `json:"tactic" yaml:"tactic"`
	Techniques []MatrixCell   `json:"techniques" yaml:"techniques"`
	// Count is the number of entries in the column, sub-techniques included.
	Count int `json:"count" yaml:"count"`
}

// MatrixCell is a top-level technique with its sub-techniques in one column.
type MatrixCell struct {
	catalog.TechniqueSummary
	// Selected is false when the technique is shown only because a sub-technique was selected.
	Selected bool                       `json:"selected" yaml:"selected"`
	Children []catalog.TechniqueSummary `json:"children,omitempty" yaml:"children,omitempty"`
}

// BuildMatrix lays out the selected techniques by tactic. A sub-technique
// appears under its parent in each of its own tactics; the parent is shown
// (unselected) when only sub-techniques were selected.
func BuildMatrix(c *catalog.Catalog, selected []catalog.Result) []MatrixColumn {
	sel := map[string]bool{}
	for _, r := range selected {
		sel[r.Technique.ID] = true
	}
	var cols []MatrixColumn
	for _, ta := range c.Tactics() {
		col := MatrixColumn{Tactic: ta, Techniques: []MatrixCell{}}
		for _, t := range c.Techniques() {
			if t.Parent != "" {
				continue
			}
			cell := MatrixCell{TechniqueSummary: c.Summary(t), Selected: sel[t.ID] && has(t.Tactics, ta.ID)}
			for _, ch := range c.Children(t.ID) {
				if sel[ch.ID] && has(ch.Tactics, ta.ID) {
					cell.Children = append(cell.Children, c.Summary(ch))
				}
			}
			if cell.Selected || len(cell.Children) > 0 {
				col.Techniques = append(col.Techniques, cell)
				col.Count += len(cell.Children)
				if cell.Selected {
					col.Count++
				}
			}
		}
		cols = append(cols, col)
	}
	return cols
}

// OnlyTactics keeps the columns of the tactics a filter names (IDs, short
// names or names), so that a tactic filter does not leave empty columns.
func OnlyTactics(c *catalog.Catalog, cols []MatrixColumn, tactics []string) []MatrixColumn {
	if len(tactics) == 0 {
		return cols
	}
	keep := map[string]bool{}
	for _, s := range tactics {
		if t, ok := c.Tactic(s); ok {
			keep[t.ID] = true
		}
	}
	var out []MatrixColumn
	for _, col := range cols {
		if keep[col.Tactic.ID] {
			out = append(out, col)
		}
	}
	return out
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// WriteMatrix renders the matrix: tactics as columns, in bands that fit the width.
func WriteMatrix(w io.Writer, f Format, cols []MatrixColumn, opts Options) error {
	switch f {
	case JSON, YAML:
		return WriteDoc(w, f, List("matrix", cols))
	case Markdown:
		return writeMatrixMarkdown(w, cols)
	}
	width := opts.Width
	if width <= 0 {
		width = 160
	}
	const colw = 12
	per := max(1, (width+1)/(colw+1))
	for start := 0; start < len(cols); start += per {
		band := cols[start:min(start+per, len(cols))]
		if start > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := writeBand(w, band, colw, opts); err != nil {
			return err
		}
	}
	// The key names only the marks the matrix holds.
	var aws, context bool
	for _, col := range cols {
		for _, cell := range col.Techniques {
			context = context || !cell.Selected
			aws = aws || cell.AWSSpecific || slices.ContainsFunc(cell.Children, func(t catalog.TechniqueSummary) bool { return t.AWSSpecific })
		}
	}
	var key []string
	if aws {
		key = append(key, "* AWS-specific")
	}
	if context {
		key = append(key, "(parent) shown for context only")
	}
	if len(key) == 0 {
		return nil
	}
	_, err := io.WriteString(w, "\n"+strings.Join(key, "; ")+"\n")
	return err
}

func writeBand(w io.Writer, band []MatrixColumn, colw int, opts Options) error {
	lines := make([][]string, len(band))
	rows := 0
	for i, col := range band {
		first, second := twoLines(col.Tactic.Name, colw)
		l := []string{fit(first, colw), fit(second, colw), fit(fmt.Sprintf("(%d)", col.Count), colw), strings.Repeat("─", colw)}
		for _, cell := range col.Techniques {
			id := cell.ID + mark(cell.AWSSpecific)
			if !cell.Selected {
				id = "(" + cell.ID + ")"
			}
			l = append(l, fit(id, colw))
			for _, ch := range cell.Children {
				l = append(l, fit(" "+strings.TrimPrefix(ch.ID, cell.ID)+mark(ch.AWSSpecific), colw))
			}
		}
		lines[i] = l
		rows = max(rows, len(l))
	}
	var b strings.Builder
	for r := 0; r < rows; r++ {
		var parts []string
		for i := range band {
			cell := ""
			if r < len(lines[i]) {
				cell = lines[i][r]
			}
			pad := colw - len([]rune(cell))
			if r < 2 {
				cell = Bold(cell, opts)
			}
			parts = append(parts, cell+strings.Repeat(" ", pad))
		}
		b.WriteString(strings.TrimRight(strings.Join(parts, " "), " ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// twoLines splits a heading at the last space that keeps the first line within width.
func twoLines(s string, width int) (string, string) {
	if len([]rune(s)) <= width {
		return s, ""
	}
	cut := -1
	for i, r := range s {
		if r == ' ' && len([]rune(s[:i])) <= width {
			cut = i
		}
	}
	if cut < 0 {
		return s, ""
	}
	return s[:cut], s[cut+1:]
}

func mark(aws bool) string {
	if aws {
		return "*"
	}
	return ""
}

func writeMatrixMarkdown(w io.Writer, cols []MatrixColumn) error {
	g := Grid{}
	rows := 0
	for _, c := range cols {
		g.Headers = append(g.Headers, fmt.Sprintf("%s (%d)", c.Tactic.Name, c.Count))
		rows = max(rows, len(c.Techniques))
	}
	for r := 0; r < rows; r++ {
		row := make([]string, len(cols))
		for i, c := range cols {
			if r >= len(c.Techniques) {
				continue
			}
			cell := c.Techniques[r]
			parts := []string{cell.ID + mark(cell.AWSSpecific) + " " + cell.Name}
			for _, ch := range cell.Children {
				parts = append(parts, ch.ID+mark(ch.AWSSpecific))
			}
			row[i] = strings.Join(parts, "; ")
		}
		g.Rows = append(g.Rows, row)
	}
	return WriteMarkdown(w, g)
}
