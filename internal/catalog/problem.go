package catalog

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Problem is one thing wrong with the catalog, at a position in a file.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// String formats the problem as file:line:column: message.
func (p Problem) String() string {
	switch {
	case p.Line > 0 && p.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Message)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// LoadError lists every problem found while loading a catalog.
type LoadError struct {
	Problems []Problem
	// Partial is the catalog as far as it loaded: every entry that could
	// be read, problems and all. It is for going on to check more (the
	// rules and samples of the entries that did load) and for nothing
	// else.
	Partial *Catalog
}

// Error lists every problem, one a line.
func (e *LoadError) Error() string { return strings.Join(e.Lines(), "\n") }

// Lines is the message of Error a line at a time, for a caller that makes
// each safe to print: a problem may quote what a file holds.
func (e *LoadError) Lines() []string {
	if len(e.Problems) == 1 {
		return []string{"catalog: " + e.Problems[0].String()}
	}
	lines := []string{fmt.Sprintf("catalog: %d problems:", len(e.Problems))}
	for _, p := range e.Problems {
		lines = append(lines, "  "+p.String())
	}
	return lines
}

// problems collects problems in the order they are found and sorts them for output.
type problems struct {
	list []Problem
	// unread lists what an overlay holds that the loader passes over:
	// not problems (a folder may keep other files), but a technique or
	// rule put in the wrong place would otherwise be lost without a word.
	unread []Problem
}

// passOver notes e, an entry of an overlay at rel that the loader does not
// read, when it looks like catalog content (a YAML or JSON file, or a
// folder); where says where such content belongs. Names starting with a
// dot are left alone.
func (ps *problems) passOver(src Source, rel string, e fs.DirEntry, where string) {
	if !src.Overlay || strings.HasPrefix(e.Name(), ".") {
		return
	}
	if !e.IsDir() && !contentLike(e.Name()) {
		return
	}
	what := "file"
	if e.IsDir() {
		what = "folder"
	}
	ps.unread = append(ps.unread, Problem{File: path.Join(src.Label, rel, e.Name()), Message: fmt.Sprintf("%s not read: %s", what, where)})
}

// contentLike reports whether a file name ends like a catalog file, a
// rule or a sample.
func contentLike(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json", ".jsonl", ".gz":
		return true
	}
	return false
}

func (ps *problems) add(file string, line, col int, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: file, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) at(d *doc, path []any, format string, args ...any) {
	if d.isBroken(path...) {
		return // its type error is reported, and the rest follows from it
	}
	line, col := d.pos(path...)
	file := ""
	if d != nil {
		file = d.file
	}
	ps.add(file, line, col, format, args...)
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		a, b := ps.list[i], ps.list[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return &LoadError{Problems: ps.list}
}
