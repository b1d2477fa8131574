package detect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ttcproject/ttc/internal/textpos"
)

// Logsource is the logsource block of a Sigma rule.
type Logsource struct {
	Category   string
	Product    string
	Service    string
	Definition string
	Line       int // where the logsource key is written
	Column     int
}

// Rule is one parsed Sigma detection rule. Its detection is kept as the YAML
// node it was read from, so that Compile can report positions.
type Rule struct {
	File string // name given to ParseRule, used in every error
	ID   string
	// Name is the rule's name, by which correlation rules refer to it
	// (as they may by its id).
	Name           string
	Title          string
	Description    string
	Status         string
	Level          string
	Author         string
	Date           string
	Modified       string
	Tags           []string
	References     []string
	Falsepositives []string
	Logsource      Logsource
	Detection      *yaml.Node // the mapping under "detection"
	// Correlation is set for a correlation rule, which has no logsource
	// and no detection of its own: it counts the matches of other rules.
	Correlation *Correlation
	Line        int // line of the rule's first key
	// Source is the rule's mapping as read, every key of it.
	Source *yaml.Node
	// bundled says that the rule's file holds other YAML documents (see
	// ParseRules), so that Where names its line too.
	bundled bool
}

// BundleLine is the line of the rule's first key when its file holds
// other rules, and 0 when the file is the rule's alone: with File, it
// tells apart two rules of one file that share an id, or have none.
func (r *Rule) BundleLine() int {
	if r.bundled {
		return r.Line
	}
	return 0
}

// Where names the rule in messages: its file, followed by the line of its
// first key when the file holds other rules.
func (r *Rule) Where() string {
	if r.bundled {
		return fmt.Sprintf("%s:%d", r.File, r.Line)
	}
	return r.File
}

// ParseRule parses a Sigma rule file that holds one rule, as each of the
// catalog's rule files does; name is used in errors only. A file with a
// second YAML document is refused at that document: ParseRules reads such
// files. A correlation rule (event_count, value_count) is read with its
// Correlation; its references to other rules are resolved by the caller,
// which holds the other rules. Other correlation types, filters, legacy
// rule collections and legacy aggregations are refused with an error
// wrapping ErrUnsupported.
func ParseRule(name string, data []byte) (*Rule, error) {
	r, err := parseRule(name, data)
	if err != nil {
		return nil, ruleError(name, err)
	}
	return r, nil
}

func parseRule(name string, data []byte) (*Rule, error) {
	if len(data) > MaxRuleSize {
		return nil, errTooLarge
	}
	if err := notUTF8(data, 0); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errEmptyFile
		}
		return nil, yamlError(err, 0)
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil:
		return nil, errAt(second.Line, second.Column,
			"a second YAML document starts here: a rule file of the catalog holds one rule "+
				"(ttc scan --rules reads files of several)")
	case !errors.Is(err, io.EOF):
		return nil, yamlError(err, 0)
	}
	return ruleOf(name, &doc, new(int))
}

// notUTF8 refuses text that is not UTF-8 at its first bad byte, its lines
// counted from shift lines into the file.
func notUTF8(text []byte, shift int) error {
	if utf8.Valid(text) {
		return nil
	}
	line, col := textpos.Place(text, textpos.InvalidUTF8(text))
	return errAt(line+shift, col, "not UTF-8 text")
}

// ruleOf reads the rule of one YAML document; merged counts the pairs
// the file's merge keys took in, the document's before it included.
func ruleOf(name string, doc *yaml.Node, merged *int) (*Rule, error) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errAt(doc.Line, doc.Column, "rule is not a YAML document")
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, errAt(top.Line, top.Column, "rule must be a YAML mapping, got %s", kindName(top))
	}
	if err := expandMerges(top, merged); err != nil {
		return nil, err
	}
	if err := noDuplicateKeys(top); err != nil {
		return nil, err
	}
	r := &Rule{File: name, Line: top.Line, Source: top}
	if err := r.fill(top); err != nil {
		return nil, err
	}
	return r, nil
}

// Errors of a whole rule file, which has no position to give.
var (
	errTooLarge  = fmt.Errorf("rule file larger than the %d bytes a rule may have", MaxRuleSize)
	errEmptyFile = errors.New("empty rule file")
)

// MaxRuleSize bounds a rule file: SigmaHQ's largest are tens of
// kilobytes, and compiling takes tens of times a file's size in memory.
const MaxRuleSize = 1 << 20

// noDuplicateKeys refuses a mapping, anywhere in the rule, that repeats a
// key. YAML forbids it, and the YAML reader keeps both: a selection
// holding eventName twice would otherwise ask for both values at once
// and never match. An alias's target is checked where it is written.
func noDuplicateKeys(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		seen := make(map[string]bool, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			switch {
			case k.Kind != yaml.ScalarNode:
				return errAt(k.Line, k.Column, "a key must be a string, not %s", kindName(k))
			case k.Tag == "!!null":
				return errAt(k.Line, k.Column, "a key must be a string, not null")
			case seen[k.Value]:
				return errAt(k.Line, k.Column, "duplicate key \"%s\"", k.Value)
			}
			seen[k.Value] = true
		}
	}
	if n.Kind == yaml.AliasNode {
		return nil
	}
	for _, c := range n.Content {
		if err := noDuplicateKeys(c); err != nil {
			return err
		}
	}
	return nil
}

// fill reads the top-level keys of a rule (parseRule has refused
// repeated keys).
func (r *Rule) fill(top *yaml.Node) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		// A value may be an alias, as a merge key puts a mapping in.
		k, v := top.Content[i], Deref(top.Content[i+1])
		seen[k.Value] = true
		var err error
		switch k.Value {
		case "correlation":
			err = r.fillCorrelation(k, v)
		case "name":
			r.Name, err = scalar(v)
		case "filter":
			return unsupportedAt(k.Line, k.Column, "sigma filters (meta filter rules) are not supported")
		case "action":
			err = collectionAction(k, v)
		case "title":
			r.Title, err = scalar(v)
		case "id":
			r.ID, err = scalar(v)
		case "status":
			r.Status, err = scalar(v)
		case "description":
			r.Description, err = scalar(v)
		case "level":
			r.Level, err = scalar(v)
		case "author":
			r.Author, err = joinedScalar(v)
		case "date":
			r.Date, err = scalar(v)
		case "modified":
			r.Modified, err = scalar(v)
		case "tags":
			r.Tags, err = stringList(v)
		case "references":
			r.References, err = stringList(v)
		case "falsepositives":
			r.Falsepositives, err = stringList(v)
		case "logsource":
			r.Logsource.Line, r.Logsource.Column = k.Line, k.Column
			err = r.Logsource.fill(v)
		case "detection":
			err = checkDetection(v)
			r.Detection = v
		}
		if err != nil {
			return err
		}
	}
	if r.Correlation != nil {
		return r.checkCorrelation(top, seen)
	}
	for _, req := range []string{"title", "logsource", "detection"} {
		if !seen[req] {
			return errAt(top.Line, top.Column, "missing required key \"%s\"", req)
		}
	}
	return nil
}

// checkCorrelation checks the top-level keys of a correlation rule: a
// title, and no detection of its own, which the rule would not run.
func (r *Rule) checkCorrelation(top *yaml.Node, seen map[string]bool) error {
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "logsource", "detection":
			return errAt(k.Line, k.Column, "a correlation rule has no %s: the rules it names have theirs", k.Value)
		case "generate":
			// The specification describes generate beside level; pySigma
			// reads it inside the correlation. Either is taken.
			g, err := boolean(v)
			if err != nil {
				return err
			}
			r.Correlation.Generate = r.Correlation.Generate || g
		}
	}
	if !seen["title"] {
		return errAt(top.Line, top.Column, "missing required key \"title\"")
	}
	return nil
}

func (l *Logsource) fill(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return errAt(n.Line, n.Column, "logsource must be a mapping, got %s", kindName(n))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "category":
			l.Category, err = scalar(v)
		case "product":
			l.Product, err = scalar(v)
		case "service":
			l.Service, err = scalar(v)
		case "definition":
			l.Definition, err = scalar(v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// IsCloudTrail reports whether the logsource names AWS CloudTrail
// (product aws, service cloudtrail, any case).
func (l Logsource) IsCloudTrail() bool {
	return strings.EqualFold(l.Product, "aws") && strings.EqualFold(l.Service, "cloudtrail")
}

// checkLogsource returns an error wrapping ErrLogsource unless the rule is
// for CloudTrail.
func (r *Rule) checkLogsource() error {
	if r.Logsource.IsCloudTrail() {
		return nil
	}
	return &RuleError{File: r.File, Line: r.Logsource.Line, Column: r.Logsource.Column, Err: fmt.Errorf("%w: product \"%s\", service \"%s\"",
		ErrLogsource, r.Logsource.Product, r.Logsource.Service)}
}

// checkDetection refuses the legacy correlation features that can appear
// inside a detection block. The rest is checked by Compile.
func checkDetection(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return errAt(n.Line, n.Column, "detection must be a mapping, got %s", kindName(n))
	}
	hasCond := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "timeframe":
			return unsupportedAt(k.Line, k.Column,
				"detection timeframe (legacy aggregation over time) is not supported")
		case "condition":
			hasCond = true
			if err := checkConditionNode(v); err != nil {
				return err
			}
		}
	}
	if !hasCond {
		return errAt(n.Line, n.Column, "detection has no condition")
	}
	return nil
}

func checkConditionNode(v *yaml.Node) error {
	conds := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		conds = v.Content
	}
	for _, c := range conds {
		if c.Kind != yaml.ScalarNode {
			return errAt(c.Line, c.Column, "condition must be a string or a list of strings, got %s", kindName(c))
		}
		if i := strings.IndexByte(c.Value, '|'); i >= 0 {
			agg := strings.TrimSpace(c.Value[i+1:])
			if j := strings.IndexByte(agg, ' '); j > 0 {
				agg = agg[:j]
			}
			return unsupportedAt(c.Line, c.Column,
				"aggregation \"%s\" in condition (legacy correlation) is not supported", agg)
		}
	}
	return nil
}

// yamlError turns an error of the YAML reader into one at its line, shift
// lines below where the reader's text starts in the file.
func yamlError(err error, shift int) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msg = strings.Join(te.Errors, "; ")
	}
	// yaml.v3 writes "yaml: line N: what"; the line is the problem's.
	line, what := textpos.YAMLError(msg)
	if line > 0 {
		return errAt(line+shift, 0, "invalid YAML: %s", what)
	}
	return fmt.Errorf("invalid YAML: %s", what)
}

func scalar(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", errAt(n.Line, n.Column, "expected a string, got %s", kindName(n))
	}
	if n.Tag == "!!null" {
		return "", nil
	}
	return n.Value, nil
}

// joinedScalar accepts a string or a list of strings (some rules list
// several authors) and returns them joined by ", ".
func joinedScalar(n *yaml.Node) (string, error) {
	if n.Kind != yaml.SequenceNode {
		return scalar(n)
	}
	l, err := stringList(n)
	return strings.Join(l, ", "), err
}

// stringList accepts a list of strings or a single string.
func stringList(n *yaml.Node) ([]string, error) {
	if n.Kind == yaml.ScalarNode {
		if n.Tag == "!!null" {
			return nil, nil
		}
		return []string{n.Value}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n.Line, n.Column, "expected a list of strings, got %s", kindName(n))
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		s, err := scalar(c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}
