package detect

import (
	"reflect"
	"testing"
)

// TestFieldReaderArrays pins what a correlation counts of a field that
// holds an array: the whole list as one value, not each element. A
// value_count over GetParameters' requestParameters.names therefore counts
// distinct lists of names, and one over requestParameters.name sees no
// value in a GetParameters record at all.
func TestFieldReaderArrays(t *testing.T) {
	fr := NewFieldReader([]string{"requestParameters.name", "requestParameters.names", "responseElements.items.id"})
	cases := []struct {
		name   string
		record string
		want   []FieldValue
	}{
		{"one name", `{"requestParameters":{"name":"/a","withDecryption":true}}`,
			[]FieldValue{{Text: "/a"}, {Null: true}, {Null: true}}},
		{"a list of names is one value", `{"requestParameters":{"names":["/a","/b"],"withDecryption":true}}`,
			[]FieldValue{{Null: true}, {Text: `["/a","/b"]`}, {Null: true}}},
		{"the same names in another order are another value", `{"requestParameters":{"names":["/b","/a"]}}`,
			[]FieldValue{{Null: true}, {Text: `["/b","/a"]`}, {Null: true}}},
		{"a list of one name reads as the name", `{"requestParameters":{"names":["/a"]}}`,
			[]FieldValue{{Null: true}, {Text: "/a"}, {Null: true}}},
		{"an empty list is no value", `{"requestParameters":{"names":[]}}`,
			[]FieldValue{{Null: true}, {Null: true}, {Null: true}}},
		{"nulls are no value", `{"requestParameters":{"name":null,"names":[null]}}`,
			[]FieldValue{{Null: true}, {Null: true}, {Null: true}}},
		{"a path through an array of objects", `{"responseElements":{"items":[{"id":1},{"id":"x"}]}}`,
			[]FieldValue{{Null: true}, {Null: true}, {Text: `["1","x"]`}}},
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
