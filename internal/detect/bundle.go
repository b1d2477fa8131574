package detect

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// MaxRuleDocuments bounds the YAML documents of one rule file. A
// correlation shipped with the rules it counts takes a handful; a file of
// thousands is a mistake, whose errors, one a document, would bury the
// others.
const MaxRuleDocuments = 1000

// ParseRules parses a Sigma rule file that may hold several YAML
// documents, each a complete rule: the way a correlation rule is shipped
// with the rules it counts. It returns the rules that parse, in file
// order, and why each of the others does not (joined *RuleError values,
// each at its place in the file): one broken document leaves the others
// usable. Legacy rule collections (action: global, reset, repeat), whose
// documents are fragments of rules, are refused whole; so is a file over
// MaxRuleSize or with more than MaxRuleDocuments documents. Positions are
// the file's, whatever document they are in.
func ParseRules(name string, data []byte) ([]*Rule, error) {
	docs, err := readDocuments(data)
	if err != nil {
		return nil, ruleError(name, err)
	}
	var rules []*Rule
	var errs []error
	merged := 0 // pairs the merge keys of the file took in (maxMergedPairs)
	for _, d := range docs {
		r, err := d.rule(name, &merged)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.bundled = len(docs) > 1
		rules = append(rules, r)
	}
	return rules, errors.Join(errs...)
}

// document is one YAML document of a rule file, or why it could not be
// read.
type document struct {
	node *yaml.Node // a yaml.DocumentNode, at the file's lines
	line int        // the line the document starts on
	err  error
}

// rule reads the document's rule; merged counts the pairs the file's
// merge keys took in.
func (d document) rule(name string, merged *int) (*Rule, error) {
	err := d.err
	if err == nil && emptyDocument(d.node) {
		err = errAt(d.node.Line, d.node.Column,
			`empty YAML document: each document of a rule file, between "---" lines, is a rule`)
	}
	if err == nil {
		var r *Rule
		if r, err = ruleOf(name, d.node, merged); err == nil {
			return r, nil
		}
	}
	re := ruleError(name, err)
	if re.Line == 0 {
		re.Line = d.line
	}
	return nil, re
}

// emptyDocument reports whether a document holds nothing, or only null.
func emptyDocument(doc *yaml.Node) bool {
	if len(doc.Content) != 1 {
		return false
	}
	top := doc.Content[0]
	return top.Kind == yaml.ScalarNode && top.Tag == "!!null"
}

// readDocuments reads the YAML documents of a rule file. Its error is the
// file's as a whole; each document carries its own.
func readDocuments(data []byte) ([]document, error) {
	if len(data) > MaxRuleSize {
		return nil, errTooLarge
	}
	tooMany := fmt.Errorf("rule file holds more than the %d YAML documents a file may have",
		MaxRuleDocuments)
	// One more than the bound is read, for a "---" after the last rule.
	const most = MaxRuleDocuments + 1
	parts := splitDocuments(data, most+1)
	if len(parts) > most {
		return nil, tooMany
	}
	var docs []document
	for _, p := range parts {
		// A part may give a document and an error after its end ("...").
		if docs = append(docs, p.read(most+1-len(docs))...); len(docs) > most {
			return nil, tooMany
		}
	}
	// A "---" after the last rule, as some writers end a file, opens no
	// rule: an empty last document after a rule is let be, where an empty
	// one between rules is refused (a rule left out by mistake?).
	if n := len(docs); n > 1 && lastIsEmpty(docs) && !lastIsEmpty(docs[:n-1]) {
		docs = docs[:n-1]
	}
	if len(docs) > MaxRuleDocuments {
		return nil, tooMany
	}
	if len(docs) == 0 {
		return nil, errEmptyFile
	}
	if err := legacyCollection(docs); err != nil {
		return nil, err
	}
	return docs, nil
}

// lastIsEmpty reports whether the last of docs is an empty document.
func lastIsEmpty(docs []document) bool {
	d := docs[len(docs)-1]
	return d.err == nil && emptyDocument(d.node)
}

// part is a piece of a rule file that starts a document.
type part struct {
	text []byte
	line int // the file's line that text starts on
}

// splitDocuments cuts a rule file before each line that starts a YAML
// document: "---" alone or followed by a blank, which YAML reserves for
// that at the start of a line, in any scalar. So the cut needs no parse,
// and a document that does not parse leaves the others whole. Directive
// lines ("%YAML 1.1") go with the document after them. It stops at most
// parts, the last holding the rest of the file.
func splitDocuments(data []byte, most int) []part {
	var parts []part
	start, startLine := 0, 1
	directives, dirLine := -1, 0 // where a run of directive lines starts
	line := 1
	for at := 0; at < len(data) && len(parts) < most-1; line++ {
		end := bytes.IndexByte(data[at:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += at + 1
		}
		text := data[at:end]
		switch {
		case isDocumentStart(text) && at > 0:
			cut, cutLine := at, line
			if directives >= 0 {
				cut, cutLine = directives, dirLine
			}
			if cut > start { // directives at the file's start cut nothing off
				parts = append(parts, part{data[start:cut], startLine})
			}
			start, startLine = cut, cutLine
			directives = -1
		case len(text) > 0 && text[0] == '%':
			if directives < 0 {
				directives, dirLine = at, line
			}
		default:
			directives = -1
		}
		at = end
	}
	return append(parts, part{data[start:], startLine})
}

// isDocumentStart reports whether a line is a document start marker.
func isDocumentStart(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("---"))
	return ok && (len(rest) == 0 || bytes.IndexByte([]byte(" \t\r\n"), rest[0]) >= 0)
}

// read decodes the documents of a part, most of them: one as a rule, or
// none if it holds only comments. A part that does not parse ends with a
// document that is its error (text after a "..." that ends one, say).
func (p part) read(most int) []document {
	shift := p.line - 1
	if err := notUTF8(p.text, shift); err != nil {
		return []document{{line: p.line, err: err}}
	}
	var docs []document
	dec := yaml.NewDecoder(bytes.NewReader(p.text))
	for len(docs) < most {
		var n yaml.Node
		err := dec.Decode(&n)
		switch {
		case errors.Is(err, io.EOF):
			return docs
		case err != nil:
			return append(docs, document{line: p.line, err: yamlError(err, shift)})
		}
		shiftLines(&n, shift)
		docs = append(docs, document{node: &n, line: n.Line})
	}
	return docs
}

// shiftLines moves the positions of a document read alone to the file's
// lines. An alias's target is moved where it is written.
func shiftLines(n *yaml.Node, by int) {
	if by == 0 {
		return
	}
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// legacyCollection refuses a file of Sigma's first rule collections, whose
// documents are merged by their action (a global part added to each
// rule, a reset, a repeat of the last with changes): read alone, each
// would be a fragment, and its errors would miss the point.
func legacyCollection(docs []document) error {
	for _, d := range docs {
		if d.node == nil || len(d.node.Content) != 1 || d.node.Content[0].Kind != yaml.MappingNode {
			continue
		}
		top := d.node.Content[0]
		for i := 0; i+1 < len(top.Content); i += 2 {
			if k := top.Content[i]; k.Value == "action" {
				if err := collectionAction(k, top.Content[i+1]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// collectionAction refuses the action key of a legacy rule collection.
func collectionAction(k, v *yaml.Node) error {
	switch v.Value {
	case "global", "reset", "repeat":
		return unsupportedAt(k.Line, k.Column,
			"legacy rule collection (action: %s): its documents are parts of rules merged together; "+
				"write each rule whole, each in its own YAML document", v.Value)
	}
	return nil
}
