package detect

import (
	"slices"
)

// Way is one of the alternatives by which a rule's condition can be
// satisfied, as far as it concerns the record's eventSource and eventName:
// the values, lower case, the alternative requires of each, as the matcher
// indexes rules. A nil list leaves the field free: the alternative can be
// satisfied by a record of any eventSource, or any eventName. An empty one
// (a map asking one field for two different values) is satisfied by none.
type Way struct {
	Sources []string
	Names   []string
}

// Ways compiles r alone, whatever its logsource, and returns the
// alternatives of its condition (those an or joins at the top, and the
// maps of a search written as a list), each with the eventSource and
// eventName values it requires. An alternative nested under an and is not
// split further: the and pins what each of its parts pins, and leaves free
// what one of them leaves open. A correlation rule, which matches no
// record itself, has none.
func Ways(r *Rule) ([]Way, error) {
	if r.Correlation != nil {
		return nil, nil
	}
	// Compiled as Compile does, without the Matcher around it, and with
	// the two fields the ways name registered first.
	c := &compiler{fidx: map[string]int{}}
	name, src := c.fieldID("eventName"), c.fieldID("eventSource")
	cr, err := c.compileRule(r)
	if err != nil {
		return nil, ruleError(r.File, err)
	}
	var out []Way
	add := func(pins func(fid int) (keySet, bool)) {
		out = append(out, Way{Sources: pinList(pins(src)), Names: pinList(pins(name))})
	}
	var walk func(n *cnode)
	walk = func(n *cnode) {
		switch n.op {
		case opOr:
			for _, k := range n.kids {
				walk(k)
			}
		case opSearch:
			for _, alt := range cr.searches[n.idx].alts {
				add(func(fid int) (keySet, bool) { return altReq(alt, fid) })
			}
		default:
			add(func(fid int) (keySet, bool) { return cr.nodeReq(n, fid) })
		}
	}
	for _, n := range cr.conds {
		walk(n)
	}
	return out, nil
}

// pinList lists a set's values in order; nil when the field is not pinned.
func pinList(s keySet, ok bool) []string {
	if !ok {
		return nil
	}
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
