package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ttcproject/ttc/internal/textpos"
)

// doc is one parsed YAML file: the node tree for positions and the file's name.
type doc struct {
	file string
	root *yaml.Node // the document's top-level value
	data []byte     // the file's text, to place a character inside a value
	// broken are the paths of the values that had the wrong type; they are
	// reported once, and the checks that read them (as empty) say nothing.
	broken [][]any
}

// parseDoc parses data into v strictly (unknown fields are problems) and keeps
// the node tree so that later checks can name lines.
func parseDoc(file string, data []byte, v any, ps *problems) (*doc, bool) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		line, col := yamlErrLine(err), 0
		if !utf8.Valid(data) { // the parser names no place for it
			line, col = textpos.Place(data, textpos.InvalidUTF8(data))
		}
		ps.add(file, line, col, "invalid YAML: %s", trimYAMLErr(err))
		return nil, false
	}
	d := &doc{file: file, data: data}
	if len(n.Content) == 0 {
		ps.add(file, 0, 0, "empty file")
		return nil, false
	}
	d.root = n.Content[0]
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			ps.add(file, yamlErrLine(err), 0, "%s", trimYAMLErr(err))
			return d, false
		}
		// A type error leaves the rest of the document decoded, so the
		// other checks still run and report their problems too. A
		// repeated key is reported the same way, but leaves nothing
		// decoded: checking the empty result would bury it under a
		// dozen problems that are not there.
		repeated := false
		for _, msg := range te.Errors {
			e := errors.New(msg)
			line := yamlErrLine(e)
			path, n := failedValue(d.root, line, msg)
			col := 0
			if n != nil {
				col = n.Column
				d.broken = append(d.broken, path)
			}
			ps.add(file, line, col, "%s", trimYAMLErr(e))
			repeated = repeated || strings.Contains(msg, "already defined")
		}
		if repeated {
			return d, false
		}
	}
	return d, true
}

func yamlErrLine(err error) int {
	line, _ := textpos.YAMLError(err.Error())
	return line
}

var unknownFieldRE = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// trimYAMLErr drops the library's prefixes (the line is reported separately)
// and words its messages the way the rest of the checks do, without Go's
// type names.
func trimYAMLErr(err error) string {
	if tag, text, goType, ok := typeError(err.Error()); ok {
		return fmt.Sprintf("want %s, got %s", goKind(goType), yamlKind(tag, text))
	}
	_, s := textpos.YAMLError(err.Error())
	return unknownFieldRE.ReplaceAllString(s, "unknown field \"$1\"")
}

// typeErrRE matches the YAML library's "cannot unmarshal !!str `x` into []string".
var typeErrRE = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (.+)$")

// typeError splits a type error of the YAML library (its "line N: " prefix
// allowed) into the YAML tag of the value, the value's text when the
// message quotes it, and the Go type it was decoded into; ok is false for
// other messages.
func typeError(msg string) (tag, text, goType string, ok bool) {
	_, s := textpos.YAMLError(msg)
	m := typeErrRE.FindStringSubmatch(s)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

// yamlKind names what a file holds, by its YAML tag and text.
func yamlKind(tag, text string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	case "str":
		return fmt.Sprintf("the text \"%s\"", text)
	case "null":
		return "nothing"
	}
	if text != "" {
		return text
	}
	return "a " + tag
}

// goKind names what a Go type wants, as a catalog author knows it.
func goKind(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["), strings.HasPrefix(t, "struct"), strings.Contains(t, "."):
		return "a mapping"
	case t == "string":
		return "a text"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	}
	return t
}

// failedValue finds the value a type error of the YAML library (msg, at
// line) is about, and its path (map keys as strings, sequence indexes as
// ints): of the values on that line, the innermost whose kind (and text,
// when the message quotes it) is the one the message names, else the
// innermost. The document's own top-level value is never taken for it: a
// line can start the file and hold a bad value. nil when the line holds none.
func failedValue(root *yaml.Node, line int, msg string) ([]any, *yaml.Node) {
	tag, text, _, _ := typeError(msg)
	text = strings.TrimSuffix(text, "...")
	var best, fallback *yaml.Node
	var bestPath, fallbackPath []any
	var walk func(n *yaml.Node, at []any)
	walk = func(n *yaml.Node, at []any) {
		if n.Line == line && len(at) > 0 {
			if fallback == nil || len(at) > len(fallbackPath) {
				fallback, fallbackPath = n, at
			}
			if kindIs(n, tag, text) && (best == nil || len(at) > len(bestPath)) {
				best, bestPath = n, at
			}
		}
		for i, c := range n.Content {
			var p any = i
			if n.Kind == yaml.MappingNode {
				if i%2 == 0 {
					continue
				}
				p = n.Content[i-1].Value
			}
			walk(c, append(slices.Clip(at), p))
		}
	}
	if root != nil {
		walk(root, nil)
	}
	if best != nil {
		return bestPath, best
	}
	return fallbackPath, fallback
}

// kindIs reports whether n is a value of the YAML tag a type error names
// ("seq", "map", "str" and the other scalars) and, for a quoted scalar,
// starts with its text (the library cuts long ones).
func kindIs(n *yaml.Node, tag, text string) bool {
	switch tag {
	case "":
		return false
	case "seq":
		return n.Kind == yaml.SequenceNode
	case "map":
		return n.Kind == yaml.MappingNode
	}
	return n.Kind == yaml.ScalarNode && strings.HasPrefix(n.Value, text)
}

// brokenUnder reports whether a value at or inside path had the wrong type:
// a check that finds something missing at path says nothing then.
func (d *doc) brokenUnder(path ...any) bool {
	return d != nil && slices.ContainsFunc(d.broken, func(b []any) bool { return within(b, path) })
}

// isBroken reports whether the value at path, or one around it, had the
// wrong type.
func (d *doc) isBroken(path ...any) bool {
	return d != nil && slices.ContainsFunc(d.broken, func(b []any) bool { return within(path, b) })
}

// within reports whether path is at or inside the value at outer.
func within(path, outer []any) bool {
	return len(outer) <= len(path) && slices.Equal(outer, path[:len(outer)])
}

// pos returns the line and column of the value at path (map keys as strings,
// sequence indexes as ints). It falls back to the deepest node found.
func (d *doc) pos(path ...any) (int, int) {
	if d == nil || d.root == nil {
		return 0, 0
	}
	n := d.root
	for _, p := range path {
		next := child(n, p)
		if next == nil {
			break
		}
		n = next
	}
	return n.Line, n.Column
}

// runePos is pos for the first r written as it is in the value at path:
// the character's own line and column when the file holds it there, the
// value's when it is written as an escape ("\u202e").
func (d *doc) runePos(r rune, path ...any) (int, int) {
	line, col := d.pos(path...)
	if d == nil {
		return line, col
	}
	endLine, endCol := d.next(path...)
	return runePos(d.data, line, col, endLine, endCol, r)
}

// next returns the line and column of the node that follows the value at
// path in the file (the next key of its mapping, the next item of its
// list, or of an enclosing one's), where the value's text ends at the
// latest; 0, 0 when it runs to the end of the file.
func (d *doc) next(path ...any) (int, int) {
	if d.root == nil {
		return 0, 0
	}
	line, col := 0, 0
	n := d.root
	for _, p := range path {
		var after *yaml.Node
		switch k := p.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == k && i+2 < len(n.Content) {
						after = n.Content[i+2]
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && k+1 < len(n.Content) {
				after = n.Content[k+1]
			}
		}
		if after != nil {
			line, col = after.Line, after.Column
		}
		if n = child(n, p); n == nil {
			break
		}
	}
	return line, col
}

// RunePos returns the line and column of the first r in data at or after
// line and column (1-based, columns counted in characters as the YAML
// parser counts them), within the next 64 KiB; line and column when r is
// not there.
func RunePos(data []byte, line, col int, r rune) (int, int) {
	return runePos(data, line, col, 0, 0, r)
}

// runePos is RunePos looking no further than endLine and endCol, where the
// value ends, when they are not 0: a character written as an escape in
// one value is not to be found raw in a later one.
func runePos(data []byte, line, col, endLine, endCol int, r rune) (int, int) {
	if line < 1 || col < 1 {
		return line, col
	}
	off := textpos.Offset(data, line, col)
	if off < 0 {
		return line, col
	}
	end := min(len(data), off+64<<10)
	if endLine > 0 {
		if e := textpos.Offset(data, endLine, max(endCol, 1)); e >= off {
			end = min(end, e)
		}
	}
	window := data[off:end]
	i := bytes.IndexRune(window, r)
	if i < 0 {
		return line, col
	}
	at := off + i
	l := 1 + bytes.Count(data[:at], []byte{'\n'})
	start := bytes.LastIndexByte(data[:at], '\n') + 1
	return l, 1 + utf8.RuneCount(data[start:at])
}

// node returns the node at path, or nil when it is not there.
func (d *doc) node(path ...any) *yaml.Node {
	if d == nil || d.root == nil {
		return nil
	}
	n := d.root
	for _, p := range path {
		if n = child(n, p); n == nil {
			return nil
		}
	}
	return n
}

func child(n *yaml.Node, p any) *yaml.Node {
	switch k := p.(type) {
	case string:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				return n.Content[i+1]
			}
		}
	case int:
		if n.Kind == yaml.SequenceNode && k >= 0 && k < len(n.Content) {
			return n.Content[k]
		}
	default:
		panic(fmt.Sprintf("catalog: bad path element %T", p))
	}
	return nil
}
