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
			cell := MatrixCell{TechniqueSummary: c.Summary(t), Selected: sel[t.ID] && slices.Contains(t.Tactics, ta.ID)}
			for _, ch := range c.Children(t.ID) {
				if sel[ch.ID] && slices.Contains(ch.Tactics, ta.ID) {
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

// WriteMatrix renders the matrix: tactics as columns, in bands that fit the
// width. A terminal wide enough for names (see matrixLayout) shows each
// technique's name after its ID, as ATT&CK's matrix does; a narrower one
// shows IDs alone, in columns just wide enough for them.
func WriteMatrix(w io.Writer, f Format, cols []MatrixColumn, opts Options) error {
	switch f {
	case JSON, YAML:
		return WriteDoc(w, f, List("matrix", cols))
	case Markdown:
		return writeMatrixMarkdown(w, cols)
	}
	per, colw, names := matrixLayout(cols, opts.Width)
	for start := 0; start < len(cols); start += per {
		band := cols[start:min(start+per, len(cols))]
		if start > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := writeBand(w, band, colw, names, opts); err != nil {
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

// The widths of the matrix's columns: idColumn holds any ID with its marks
// ("(T1234.A123)") and the words of a tactic's name; nameColumn is the
// narrowest that shows names, which keeps two or three words of most after
// their ID ("T1098 Account Manipulation"); maxColumn the widest a column
// grows, so that one long name (an overlay's) cannot widen every column.
const (
	idColumn   = 12
	nameColumn = 28
	maxColumn  = 40
)

// matrixLayout returns how many tactics a band of the matrix holds, how
// wide each column is, and whether cells name their techniques. Names come
// when every tactic fits in one band, or in two, at nameColumn or wider
// (from about 175 columns for the catalog's twelve): more bands of names
// would scroll the matrix off the screen, and IDs alone keep it to two
// bands in 80 columns. Output that is not a terminal
// (width 0) has one band, each column as wide as its widest cell up to
// maxColumn.
func matrixLayout(cols []MatrixColumn, width int) (per, colw int, names bool) {
	n := max(len(cols), 1)
	widest := idColumn
	for _, col := range cols {
		for _, c := range matrixCells(col, true) {
			widest = max(widest, cells(c))
		}
	}
	widest = min(widest, maxColumn)
	if width <= 0 {
		return n, widest, true
	}
	for bands := 1; bands <= 2; bands++ {
		per := (n + bands - 1) / bands
		if colw := (width+1)/per - 1; colw >= nameColumn {
			return per, min(colw, widest), true
		}
	}
	return max(1, (width+1)/(idColumn+1)), idColumn, false
}

// matrixCells returns the cells of a column under its heading: each
// technique, then its sub-techniques indented by their ID's suffix
// (" .001"), with their names when names is set. A parent shown only for
// its sub-techniques is in parentheses. Names are catalog text, overlays'
// included, and are escaped as Line does.
func matrixCells(col MatrixColumn, names bool) []string {
	var out []string
	for _, cell := range col.Techniques {
		id := cell.ID + mark(cell.AWSSpecific)
		if !cell.Selected {
			id = "(" + cell.ID + ")"
		}
		out = append(out, withName(id, cell.Name, names))
		for _, ch := range cell.Children {
			id := " " + strings.TrimPrefix(ch.ID, cell.ID) + mark(ch.AWSSpecific)
			out = append(out, withName(id, subName(cell.Name, ch.Name), names))
		}
	}
	return out
}

func withName(id, name string, names bool) string {
	if !names || name == "" {
		return id
	}
	return id + " " + SpaceRuns(Line(name))
}

// subName is a sub-technique's name under its parent's: without the
// parent's name when it starts with it ("Brute Force: Password Guessing"
// is "Password Guessing" under T1110), else after its first ": ", the
// form of ATT&CK's sub-technique names.
func subName(parent, name string) string {
	if rest, ok := strings.CutPrefix(name, parent); ok {
		for _, sep := range []string{": ", " - "} {
			if r, ok := strings.CutPrefix(rest, sep); ok && r != "" {
				return r
			}
		}
	}
	if _, rest, ok := strings.Cut(name, ": "); ok && rest != "" {
		return rest
	}
	return name
}

// fitWords is fit for a cell that names a technique: cut after a word
// when that loses no more than a short word's columns, so that a name
// reads "Exploit Public-Facing…" rather than "Exploit Public-Facing Ap…",
// and within a long word otherwise.
func fitWords(s string, n int) string {
	const most = 6 // columns a cut after a word may leave unused
	if cells(s) <= n {
		return s
	}
	cut := fit(s, n)
	kept := strings.TrimSuffix(cut, ellipsis)
	if i := strings.LastIndexByte(kept, ' '); i > 0 && cells(kept)-cells(kept[:i]) <= most {
		// Nor after a lone dash or colon, which would end the cell.
		if word := strings.TrimRight(kept[:i], " -:"); word != "" && !strings.HasSuffix(word, "(") {
			return word + ellipsis
		}
	}
	return cut
}

func writeBand(w io.Writer, band []MatrixColumn, colw int, names bool, opts Options) error {
	lines := make([][]string, len(band))
	rows := 0
	split := false // whether a heading takes two lines
	for _, col := range band {
		_, second := twoLines(col.Tactic.Name, colw)
		split = split || second != ""
	}
	for i, col := range band {
		first, second := twoLines(col.Tactic.Name, colw)
		l := []string{fit(first, colw)}
		if split {
			l = append(l, fit(second, colw))
		}
		l = append(l, fit(fmt.Sprintf("(%d)", col.Count), colw), strings.Repeat("─", colw))
		for _, c := range matrixCells(col, names) {
			l = append(l, fitWords(c, colw))
		}
		lines[i] = l
		rows = max(rows, len(l))
	}
	heading := 1
	if split {
		heading = 2
	}
	var b strings.Builder
	for r := 0; r < rows; r++ {
		var parts []string
		for i := range band {
			cell := ""
			if r < len(lines[i]) {
				cell = lines[i][r]
			}
			pad := colw - cells(cell)
			if r < heading {
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
