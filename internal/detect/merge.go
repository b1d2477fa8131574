package detect

import (
	"slices"

	"go.yaml.in/yaml/v3"
)

// maxMergedPairs bounds the key-value pairs YAML merge keys ("<<: *base")
// take in, in all the rules of one file: a chain of maps each merging the
// one before would otherwise grow with the square of its length, and a
// file of many rules as many times.
const maxMergedPairs = 1 << 16

// expandMerges replaces each merge key of the document under n ("<<",
// YAML 1.1's merge, which PyYAML and so pySigma read) by the pairs of the
// mapping, or mappings, it names, as YAML defines them: a key the mapping
// writes itself wins, and of several merged mappings the earlier. A
// merged mapping, or list holding more than scalars, is put in as an
// alias of the value merged (see deep), so that the rule is the tree it
// would be had the alias been written, and what walks the rule and stops
// at aliases (the duplicate-key check) does not walk it again at each
// merge. Anything but a mapping or a list of
// mappings after "<<", and a mapping that merges twice, are refused at
// the merge key.
func expandMerges(n *yaml.Node, copied *int) error {
	m := merger{state: map[*yaml.Node]mergeState{}, copied: copied}
	return m.walk(n)
}

type merger struct {
	state  map[*yaml.Node]mergeState
	copied *int // the pairs the file's merges have looked at
}

// mergeState is where the merger is with a node.
type mergeState uint8

const (
	unvisited mergeState = iota
	expanding            // its nodes below are being expanded
	expanded
)

func (m *merger) walk(n *yaml.Node) error {
	switch m.state[n] {
	case expanding:
		return errAt(n.Line, n.Column, "a YAML alias names a mapping or list that holds it")
	case expanded:
		return nil
	}
	m.state[n] = expanding
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		if err := m.walk(n.Alias); err != nil {
			return err
		}
	}
	for _, c := range n.Content {
		if err := m.walk(c); err != nil {
			return err
		}
	}
	if n.Kind == yaml.MappingNode {
		if err := m.merge(n); err != nil {
			return err
		}
	}
	m.state[n] = expanded
	return nil
}

// merge expands the merge keys of mapping n, whose nodes below are
// expanded already.
func (m *merger) merge(n *yaml.Node) error {
	var own, merged []*yaml.Node
	var mergeKey *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!merge" {
			own = append(own, k, v)
			continue
		}
		if mergeKey != nil {
			return errAt(k.Line, k.Column, "duplicate key \"<<\": merge the mappings as one list, <<: [*a, *b]")
		}
		mergeKey = k
		sources := []*yaml.Node{v}
		if Deref(v).Kind == yaml.SequenceNode {
			sources = Deref(v).Content
		}
		for _, s := range sources {
			t := Deref(s)
			if t.Kind != yaml.MappingNode {
				return errAt(k.Line, k.Column,
					"a YAML merge key takes a mapping or a list of mappings, not %s", kindName(t))
			}
			if *m.copied += len(t.Content) / 2; *m.copied > maxMergedPairs {
				return errAt(k.Line, k.Column,
					"YAML merge keys take in more than %d pairs in this file", maxMergedPairs)
			}
			merged = append(merged, t.Content...)
		}
	}
	if mergeKey == nil {
		return nil
	}
	has := make(map[string]bool, len(own)/2)
	for i := 0; i+1 < len(own); i += 2 {
		has[own[i].Value] = true
	}
	for i := 0; i+1 < len(merged); i += 2 {
		k, v := merged[i], merged[i+1]
		if has[k.Value] {
			continue
		}
		has[k.Value] = true
		if deep(v) {
			v = &yaml.Node{Kind: yaml.AliasNode, Alias: v, Line: v.Line, Column: v.Column}
		}
		own = append(own, k, v)
	}
	n.Content = own
	return nil
}

// deep reports whether n holds a mapping, or a list that holds more than
// scalars. Such a value is merged as an alias: shared as it is, a value
// merged at each level of a tree would be walked again at each. A scalar
// or a list of scalars, which rule fields such as title, tags and a
// condition hold, is shared as it is, so that those fields read it.
func deep(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.MappingNode:
		return true
	case yaml.SequenceNode:
		return slices.ContainsFunc(n.Content, func(c *yaml.Node) bool { return c.Kind != yaml.ScalarNode })
	}
	return false
}
