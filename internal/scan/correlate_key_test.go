package scan

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/detect"
)

// TestGroupValuesFromKey: a group's values, as findings show them, read
// back from its key, whatever they hold.
func TestGroupValuesFromKey(t *testing.T) {
	fields := []string{"userIdentity.arn", "requestParameters.bucketName", "sourceIPAddress", "x"}
	long := strings.Repeat("k", 3000)
	for _, vals := range [][]detect.FieldValue{
		{{Text: "arn:aws:iam::1:user/a"}, {Text: "b:12:c"}, {Null: true}, {Text: ""}},
		{{Null: true}, {Null: true}, {Text: "1:x"}, {Text: "\x00\x01"}},
		{{Text: long}, {Text: "ログ"}, {Text: "0"}, {Null: true}},
	} {
		key := string(appendGroupKey(nil, vals))
		var want []GroupValue
		for i, v := range vals {
			want = append(want, GroupValue{Field: fields[i], Value: GroupKey(v.Text), Null: v.Null})
		}
		if got := groupValues(fields, key); !reflect.DeepEqual(got, want) {
			t.Errorf("groupValues(%q) = %+v, want %+v", key, got, want)
		}
	}
}

// TestCorrelationEvidence: the reports' matched fields of a correlation
// finding tell a field its events lack from the text "null".
func TestCorrelationEvidence(t *testing.T) {
	f := Finding{Correlation: &Correlation{Type: detect.CountEvents, Count: 10, Condition: "gte 10", Timespan: "10m",
		Group: GroupValues{{Field: "userIdentity.invokedBy", Null: true}, {Field: "userIdentity.principalId", Value: "null"},
			{Field: "userIdentity.arn", Value: `a"b`}}}}
	var got []string
	for _, m := range f.Evidence()[1:] {
		got = append(got, m.Field+"="+m.Value)
	}
	want := []string{"userIdentity.invokedBy=null", `userIdentity.principalId="null"`, `userIdentity.arn="a""b"`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("evidence %q, want %q", got, want)
	}
}

// TestFromGroup: a finding made without its record takes the caller and
// event its group's values name, and a user named by account and name is
// the actor its other findings are filed under.
func TestFromGroup(t *testing.T) {
	for _, tc := range []struct {
		name  string
		group []GroupValue
		key   string
	}{
		{"user by name", []GroupValue{{Field: "recipientAccountId", Value: "111122223333"}, {Field: "userIdentity.type", Value: "IAMUser"},
			{Field: "userIdentity.userName", Value: "dana"}}, "arn:aws:iam::111122223333:user/dana"},
		{"caller by ARN", []GroupValue{{Field: "userIdentity.arn", Value: "arn:aws:iam::111122223333:user/lee"},
			{Field: "userIdentity.invokedBy", Null: true}}, "arn:aws:iam::111122223333:user/lee"},
		{"address only", []GroupValue{{Field: "sourceIPAddress", Value: "203.0.113.7"}}, "unknown"},
	} {
		var f Finding
		fromGroup(&f, tc.group)
		if got := f.Actor.Key(); got != tc.key {
			t.Errorf("%s: key %q, want %q (actor %+v)", tc.name, got, tc.key, f.Actor)
		}
	}
}
