package detect

// keySet is a set of lower-cased field values.
type keySet map[string]bool

// required returns the lower-cased values field fid must hold for the rule
// to match, when every way of satisfying the condition pins the field to
// plain literal values. ok is false when the rule gives no such guarantee;
// the rule must then be tried on every record.
func (cr *crule) required(fid int) (keySet, bool) {
	var out keySet
	for _, n := range cr.conds {
		s, ok := cr.nodeReq(n, fid)
		if !ok {
			return nil, false
		}
		out = union(out, s)
	}
	return out, true
}

func (cr *crule) nodeReq(n *cnode, fid int) (keySet, bool) {
	switch n.op {
	case opSearch:
		return searchReq(cr.searches[n.idx], fid)
	case opAnd:
		var acc keySet
		found := false
		for _, k := range n.kids {
			if s, ok := cr.nodeReq(k, fid); ok {
				acc = intersect(acc, s, found)
				found = true
			}
		}
		return acc, found
	case opOr:
		var acc keySet
		for _, k := range n.kids {
			s, ok := cr.nodeReq(k, fid)
			if !ok {
				return nil, false
			}
			acc = union(acc, s)
		}
		return acc, true
	}
	// A negation can be satisfied by any value of the field.
	return nil, false
}

func searchReq(s *search, fid int) (keySet, bool) {
	var acc keySet
	for _, alt := range s.alts {
		set, ok := altReq(alt, fid)
		if !ok {
			return nil, false
		}
		acc = union(acc, set)
	}
	return acc, true
}

// altReq gives the values one alternative of a search (the items of one
// map, all of which must hold) pins field fid to.
func altReq(alt []*item, fid int) (keySet, bool) {
	var set keySet
	found := false
	for _, it := range alt {
		if s, ok := itemReq(it, fid); ok {
			set = intersect(set, s, found)
			found = true
		}
	}
	return set, found
}

// itemReq gives the values an item pins its field to: plain, non-negated
// literals without wildcards, null or numeric equivalence.
func itemReq(it *item, fid int) (keySet, bool) {
	if it.field != fid || it.kind != iStr || it.neq || it.null || len(it.pats) == 0 {
		return nil, false
	}
	var set keySet
	first := true
	for _, p := range it.pats {
		if p.kind != pExact || p.isNum {
			return nil, false
		}
		one := keySet{string(appendLower(nil, p.lit)): true}
		if it.all {
			set = intersect(set, one, !first)
		} else {
			set = union(set, one)
		}
		first = false
	}
	return set, true
}

// union adds b's values to a and returns it: a fresh set when a is nil,
// else a itself, which the callers own. (Copying a for each addition made
// a rule listing n values cost n² to index.)
func union(a, b keySet) keySet {
	if a == nil {
		a = make(keySet, len(b))
	}
	for k := range b {
		a[k] = true
	}
	return a
}

// intersect returns a ∩ b, or b when a is not yet set.
func intersect(a, b keySet, aSet bool) keySet {
	if !aSet {
		return union(nil, b)
	}
	out := keySet{}
	for k := range a {
		if b[k] {
			out[k] = true
		}
	}
	return out
}
