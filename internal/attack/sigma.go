package attack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ttcproject/ttc/internal/catalog"
)

// CatalogTagNamespace is the Sigma tag namespace for catalog IDs:
// ttc.t1486.a001. Sigma tags are lower-case namespace.value pairs.
const CatalogTagNamespace = "ttc"

// SigmaTags returns the tags that tie a Sigma rule to t: attack.<ATT&CK ID>
// for the technique or its ATT&CK parent (none for AT####), then
// ttc.<catalog ID>, all lower case.
func SigmaTags(t *catalog.Technique) []string {
	var tags []string
	if id := catalog.AttackID(t.ID); id != "" {
		tags = append(tags, "attack."+strings.ToLower(id))
	}
	return append(tags, CatalogTagNamespace+"."+strings.ToLower(t.ID))
}

// ExportSigmaRule returns rule with SigmaTags(t) added to its tags, leaving
// every other key, value, comment and the key order as they were. Each YAML
// document that is a mapping gets the tags; a missing tags list is inserted
// before logsource. Re-encoding may change quoting and line wrapping, never
// a value.
func ExportSigmaRule(rule []byte, t *catalog.Technique) ([]byte, error) {
	dec := yaml.NewDecoder(bytes.NewReader(rule))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse sigma rule: %w", err)
		}
		// Decoding the node finds what the node parser lets through, such as
		// duplicate keys.
		var v any
		if err := doc.Decode(&v); err != nil {
			return nil, fmt.Errorf("parse sigma rule: %w", err)
		}
		keepFoldedText(&doc)
		docs = append(docs, &doc)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("parse sigma rule: empty document")
	}
	for i, doc := range docs {
		if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
			return nil, fmt.Errorf("sigma rule document %d is not a mapping", i+1)
		}
		if err := addTags(doc.Content[0], SigmaTags(t)); err != nil {
			return nil, fmt.Errorf("sigma rule document %d: %w", i+1, err)
		}
	}

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(indentOf(rule))
	for _, doc := range docs {
		if err := enc.Encode(doc); err != nil {
			return nil, fmt.Errorf("encode sigma rule: %w", err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode sigma rule: %w", err)
	}
	return buf.Bytes(), nil
}

// keepFoldedText writes again as a literal block each folded scalar under n
// whose text holds a line break (a folded block's more-indented lines
// keep theirs): the YAML encoder writes such a folded scalar back with an
// extra blank line, which reads back as a text with one more line break,
// and an exported rule would then no longer say what the catalog's says.
func keepFoldedText(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Style&yaml.FoldedStyle != 0 && strings.Contains(n.Value, "\n") {
		n.Style = n.Style&^yaml.FoldedStyle | yaml.LiteralStyle
	}
	for _, c := range n.Content {
		keepFoldedText(c)
	}
}

// addTags appends the tags the mapping's tags list lacks.
func addTags(m *yaml.Node, tags []string) error {
	list := mapValue(m, "tags")
	if list == nil {
		list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "tags"}
		at := len(m.Content)
		for i := 0; i < len(m.Content); i += 2 {
			if m.Content[i].Value == "logsource" {
				at = i
				break
			}
		}
		m.Content = append(m.Content[:at], append([]*yaml.Node{key, list}, m.Content[at:]...)...)
	}
	if list.Kind != yaml.SequenceNode {
		return fmt.Errorf("tags at line %d is not a list", list.Line)
	}
	have := make(map[string]bool)
	for _, n := range list.Content {
		have[strings.ToLower(n.Value)] = true
	}
	for _, tag := range tags {
		if !have[tag] {
			list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: tag})
		}
	}
	return nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

var indentRe = regexp.MustCompile(`(?m)^[A-Za-z_][^:\n]*:[ \t]*\n( +)[^ \n#]`)

// indentOf returns the indentation the rule uses for nested mappings, 4 if
// it cannot tell (SigmaHQ's style).
func indentOf(rule []byte) int {
	if m := indentRe.FindSubmatch(rule); m != nil && len(m[1]) >= 2 && len(m[1]) <= 8 {
		return len(m[1])
	}
	return 4
}
