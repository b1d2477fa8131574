package jsonscan

// Index lists the members of the objects nested in one JSON value, as a
// validating scanner finds them (the CloudTrail reader does, while it
// checks a record), so that whoever reads the value next can look a nested
// key up without scanning the value again. Offsets are relative to the
// start of the value, like the offsets of its top-level members.
//
// An object is listed when it is the value of a member of a listed object
// (the top-level object's members count as listed): objects inside arrays,
// at any depth, are not, and a reader falls back to scanning them.
type Index struct {
	Members []Member // the members of each listed object, object by object
	Objects []Object
}

// Object is one listed object: its members are Index.Members[First:First+N],
// in document order.
type Object struct{ First, N int32 }

// Reset empties the index, keeping its room.
func (x *Index) Reset() {
	x.Members, x.Objects = x.Members[:0], x.Objects[:0]
}

// Of returns the members of the object that a Member's Obj names; nil for
// 0, an index not set or an Obj out of range.
func (x *Index) Of(obj int32) []Member {
	if x == nil || obj <= 0 || int(obj) > len(x.Objects) {
		return nil
	}
	o := x.Objects[obj-1]
	return x.Members[o.First : o.First+o.N]
}
