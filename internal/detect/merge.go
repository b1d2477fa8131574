package detect

import "go.yaml.in/yaml/v3"

// maxMergedPairs bounds the key-value pairs YAML merge keys ("<<: *base")
// copy into the mappings of one rule: a chain of maps each merging the one
// before would otherwise grow with the square of its length.
const maxMergedPairs = 1 << 16

// expandMerges replaces each merge key of the document under n ("<<",
// YAML 1.1's merge, which PyYAML and so pySigma read) by the pairs of the
// mapping, or mappings, it names, as YAML defines them: a key the mapping
// writes itself wins, and of several merged mappings the earlier. The
// copied nodes keep the positions where they are written. Anything but a
// mapping or a list of mappings after "<<" is refused at its place.
func expandMerges(n *yaml.Node) error {
	m := merger{state: map[*yaml.Node]int{}}
	return m.walk(n)
}

type merger struct {
	state  map[*yaml.Node]int // 1 while a node is expanded, 2 once done
	copied int
}

func (m *merger) walk(n *yaml.Node) error {
	switch m.state[n] {
	case 1:
		return errAt(n.Line, n.Column, "a YAML merge key takes in the mapping that holds it")
	case 2:
		return nil
	}
	m.state[n] = 1
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
	m.state[n] = 2
	return nil
}

// merge expands the merge keys of mapping n, whose nodes below are
// expanded already.
func (m *merger) merge(n *yaml.Node) error {
	var own, merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!merge" {
			own = append(own, k, v)
			continue
		}
		sources := []*yaml.Node{v}
		if target(v).Kind == yaml.SequenceNode {
			sources = target(v).Content
		}
		for _, s := range sources {
			t := target(s)
			if t.Kind != yaml.MappingNode {
				return errAt(s.Line, s.Column,
					"a YAML merge key takes a mapping or a list of mappings, not %s", kindName(t))
			}
			merged = append(merged, t.Content...)
		}
	}
	if merged == nil {
		return nil
	}
	has := make(map[string]bool, len(own)/2)
	for i := 0; i+1 < len(own); i += 2 {
		has[own[i].Value] = true
	}
	for i := 0; i+1 < len(merged); i += 2 {
		k := merged[i]
		if has[k.Value] {
			continue
		}
		has[k.Value] = true
		if m.copied++; m.copied > maxMergedPairs {
			return errAt(n.Line, n.Column,
				"YAML merge keys copy more than %d pairs into this rule's mappings", maxMergedPairs)
		}
		own = append(own, k, merged[i+1])
	}
	n.Content = own
	return nil
}

// target is the node an alias names, or n itself.
func target(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}
