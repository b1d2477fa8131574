package detect

import (
	"hash/maphash"
	"reflect"
	"testing"
	"time"
)

// TestFieldReaderArrays pins how FieldReader reads a field that holds an
// array: its Text is the whole list, which is what a group-by field groups
// by, and its List the elements, which is what a value_count counts (see
// TestValueCountLists). A list of one reads as its element.
func TestFieldReaderArrays(t *testing.T) {
	fr := NewFieldReader([]string{"requestParameters.name", "requestParameters.names", "responseElements.items.id"})
	none := FieldValue{Null: true}
	cases := []struct {
		name   string
		record string
		want   []FieldValue
	}{
		{"one name", `{"requestParameters":{"name":"/a","withDecryption":true}}`,
			[]FieldValue{{Text: "/a"}, none, none}},
		{"a list of names", `{"requestParameters":{"names":["/a","/b"],"withDecryption":true}}`,
			[]FieldValue{none, {Text: `["/a","/b"]`, List: []string{"/a", "/b"}}, none}},
		{"the same names in another order", `{"requestParameters":{"names":["/b","/a"]}}`,
			[]FieldValue{none, {Text: `["/b","/a"]`, List: []string{"/b", "/a"}}, none}},
		{"a list of one name reads as the name", `{"requestParameters":{"names":["/a"]}}`,
			[]FieldValue{none, {Text: "/a"}, none}},
		{"an empty list is no value", `{"requestParameters":{"names":[]}}`,
			[]FieldValue{none, none, none}},
		{"nulls are no value", `{"requestParameters":{"name":null,"names":[null]}}`,
			[]FieldValue{none, none, none}},
		{"nulls in a list are left out", `{"requestParameters":{"names":[null,"/a",null,"/b"]}}`,
			[]FieldValue{none, {Text: `["/a","/b"]`, List: []string{"/a", "/b"}}, none}},
		{"a path through an array of objects", `{"responseElements":{"items":[{"id":1},{"id":"x"}]}}`,
			[]FieldValue{none, none, {Text: `["1","x"]`, List: []string{"1", "x"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fr.Read(nil, []byte(tc.record), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Read = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestValueCountLists checks what a value_count counts of a field, from
// the records' text to the count of a window: the distinct values the
// field contains, so each element of a list, wherever else the same
// value comes; a missing field, null and an empty list add none.
func TestValueCountLists(t *testing.T) {
	const field = "requestParameters.names"
	cases := []struct {
		name    string
		records []string // the field's JSON in each record; "" leaves it out
		want    int64
	}{
		{"a list adds each element", []string{`["/a","/b","/c"]`}, 3},
		{"the same list in another order adds nothing", []string{`["/a","/b"]`, `["/b","/a"]`}, 2},
		{"lists that share names", []string{`["/a","/b"]`, `["/b","/c"]`, `["/c","/d","/a"]`}, 4},
		{"an element twice in a list counts once", []string{`["/a","/a","/b","/a"]`}, 2},
		{"a list of one is its element", []string{`["/a"]`, `"/a"`}, 1},
		{"single values as before", []string{`"/a"`, `"/b"`, `"/a"`}, 2},
		{"single values and lists together", []string{`"/a"`, `["/a","/b"]`, `"/c"`}, 3},
		{"no field, null and empty lists add none", []string{``, `null`, `[]`, `[null]`}, 0},
		{"nulls in a list are left out", []string{`[null,"/a",null]`, `["/b",null]`}, 2},
		{"the empty string is a value", []string{`["","/a"]`}, 2},
		// A number and a string of the same text are one value, as for a
		// field that holds one (and as a rule's pattern reads them).
		{"numbers count by their text", []string{`[1,"1",2.50]`, `2.50`}, 2},
		{"booleans count by their text", []string{`[true,false,"true"]`}, 2},
		// Arrays within the list are read in its place, as rules read them.
		{"nested lists are flattened", []string{`[["/a","/b"],"/c",[["/d"]]]`, `["/a"]`}, 4},
		// An object counts by its JSON text as the record writes it: the
		// same members written otherwise are another value.
		{"objects count by their text", []string{`[{"k":"/a"},{"k":"/a"},{"k":"/b"}]`, `[{"k": "/a"}]`}, 3},
	}
	c := &Correlation{Type: CountValues, Field: field, Timespan: time.Minute, Bounds: []Bound{{"gte", 0}}}
	fr := NewFieldReader([]string{field})
	seed := maphash.MakeSeed()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var events []Event
			var lists, hashes []uint64
			for i, f := range tc.records {
				rec := `{"eventName":"GetParameters","requestParameters":{"withDecryption":true}}`
				if f != "" {
					rec = `{"eventName":"GetParameters","requestParameters":{"names":` + f + `,"withDecryption":true}}`
				}
				vals, err := fr.Read(nil, []byte(rec), nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				hashes = vals[0].AppendHashes(hashes[:0], seed)
				e := Event{Time: int64(i), Ref: int32(i)}
				lists = e.SetValues(lists, hashes)
				events = append(events, e)
			}
			_, bursts := c.Bursts(events, lists)
			if len(bursts) != 1 || bursts[0].Count != tc.want {
				t.Errorf("bursts %+v, want one of %d values", bursts, tc.want)
			}
		})
	}
}

// TestAppendHashes: the hashes of a field's values are those of their
// texts, each once, appended after what dst holds.
func TestAppendHashes(t *testing.T) {
	seed := maphash.MakeSeed()
	h := func(s string) uint64 { return maphash.String(seed, s) }
	dst := []uint64{7}
	if got := (FieldValue{Null: true}).AppendHashes(dst, seed); !reflect.DeepEqual(got, []uint64{7}) {
		t.Errorf("null: %v", got)
	}
	if got := (FieldValue{Text: "/a"}).AppendHashes(dst, seed); !reflect.DeepEqual(got, []uint64{7, h("/a")}) {
		t.Errorf("one value: %v", got)
	}
	got := (FieldValue{Text: `["/b","/a","/b"]`, List: []string{"/b", "/a", "/b"}}).AppendHashes(dst, seed)
	if len(got) != 3 || got[0] != 7 || !(got[1] == h("/a") && got[2] == h("/b") || got[1] == h("/b") && got[2] == h("/a")) {
		t.Errorf("a list: %v", got)
	}
}
