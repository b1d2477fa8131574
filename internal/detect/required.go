package detect

import "slices"

// RequiredSearches compiles r alone, whatever its logsource, and returns
// for each of its conditions (a list holds several, any of which may
// match) the names of the searches that condition always requires, in the
// order they are first named: the one it names alone, or those an and
// joins at its top, through parentheses and "all of" patterns. A search
// under an or or a not, or among several a "1 of" pattern names, may be
// left unmatched and is not listed. A correlation rule has none.
func RequiredSearches(r *Rule) ([][]string, error) {
	cr, err := compileAlone(r)
	if cr == nil {
		return nil, err
	}
	var walk func(n *cnode, names []string) []string
	walk = func(n *cnode, names []string) []string {
		switch n.op {
		case opSearch:
			if name := cr.searches[n.idx].name; !slices.Contains(names, name) {
				names = append(names, name)
			}
		case opAnd:
			for _, k := range n.kids {
				names = walk(k, names)
			}
		}
		return names
	}
	out := make([][]string, len(cr.conds))
	for i, n := range cr.conds {
		out[i] = walk(n, nil)
	}
	return out, nil
}

// NamedSearches compiles r alone, whatever its logsource, and returns the
// names of the searches its conditions name, alone or through "1 of" and
// "all of" patterns and "them" (which leaves out names starting with
// "_"), under any operator, in the order first named. A search it leaves
// out decides nothing. A correlation rule has none.
func NamedSearches(r *Rule) ([]string, error) {
	cr, err := compileAlone(r)
	if cr == nil {
		return nil, err
	}
	var names []string
	var walk func(n *cnode)
	walk = func(n *cnode) {
		if n.op == opSearch {
			if name := cr.searches[n.idx].name; !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	for _, n := range cr.conds {
		walk(n)
	}
	return names, nil
}

// compileAlone compiles r as Compile does, whatever its logsource, without
// the Matcher around it; nil, and no error, for a correlation rule, which
// matches no record itself.
func compileAlone(r *Rule) (*crule, error) {
	if r.Correlation != nil {
		return nil, nil
	}
	c := &compiler{fidx: map[string]int{}}
	cr, err := c.compileRule(r)
	if err != nil {
		return nil, ruleError(r.File, err)
	}
	return cr, nil
}
