package detect

import (
	"reflect"
	"testing"
)

func TestWays(t *testing.T) {
	for _, tc := range []struct {
		name, detection string
		want            []Way
	}{
		{"one selection", "sel:\n  eventSource: s3.amazonaws.com\n  eventName: [GetObject, HeadObject]\ncondition: sel",
			[]Way{{Sources: []string{"s3.amazonaws.com"}, Names: []string{"getobject", "headobject"}}}},
		{"filter left out", "sel:\n  eventName: GetObject\nfilter:\n  eventName: PutObject\ncondition: sel and not filter",
			[]Way{{Names: []string{"getobject"}}}},
		{"or split", "a:\n  eventName: ListBuckets\nb:\n  errorCode: AccessDenied\ncondition: a or b",
			[]Way{{Names: []string{"listbuckets"}}, {}}},
		{"one of split", "sel_a:\n  eventSource: lambda.amazonaws.com\n  eventName: Invoke\nsel_b:\n  eventName: AddPermission\ncondition: 1 of sel_*",
			[]Way{{Sources: []string{"lambda.amazonaws.com"}, Names: []string{"invoke"}}, {Names: []string{"addpermission"}}}},
		{"list of maps split", "sel:\n  - eventName: PutBucketAcl\n  - eventName: PutObjectAcl\n    eventSource: s3.amazonaws.com\ncondition: sel",
			[]Way{{Names: []string{"putbucketacl"}}, {Sources: []string{"s3.amazonaws.com"}, Names: []string{"putobjectacl"}}}},
		{"or under and", "a:\n  eventName: GetObject\nb:\n  errorCode: AccessDenied\nc:\n  sourceIPAddress: 203.0.113.7\ncondition: (a or b) and c",
			[]Way{{}}},
		{"wildcard and modifiers free", "sel:\n  eventName|startswith: Get\n  eventSource: '*.amazonaws.com'\ncondition: sel",
			[]Way{{}}},
		{"contradiction", "sel:\n  eventName: GetObject\nother:\n  eventName: PutObject\ncondition: sel and other",
			[]Way{{Names: []string{}}}},
		{"negation", "sel:\n  eventName: GetObject\ncondition: not sel",
			[]Way{{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRule("test.yml", []byte(ruleYAML(tc.detection)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Ways(r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Ways = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestWaysOfCorrelationAndBrokenRule(t *testing.T) {
	corr := "title: burst\nname: burst\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition:\n    gte: 10\n"
	r, err := ParseRule("corr.yml", []byte(corr))
	if err != nil {
		t.Fatal(err)
	}
	if ws, err := Ways(r); ws != nil || err != nil {
		t.Errorf("correlation: Ways = %v, %v; want none", ws, err)
	}
	r, err = ParseRule("bad.yml", []byte(ruleYAML("sel:\n  eventName: GetObject\ncondition: sel and missing")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Ways(r); err == nil {
		t.Error("a condition naming no search: want an error")
	}
}

func TestRequiredSearches(t *testing.T) {
	for _, tc := range []struct {
		name, detection string
		want            [][]string
	}{
		{"alone", "sel:\n  eventName: GetObject\ncondition: sel", [][]string{{"sel"}}},
		{"and", "src:\n  eventSource: s3.amazonaws.com\nname:\n  eventName: GetObject\ncondition: src and name",
			[][]string{{"src", "name"}}},
		{"not left out", "a:\n  eventName: GetObject\nb:\n  errorCode: x\ncondition: a and not b", [][]string{{"a"}}},
		{"or at the top", "a:\n  eventName: GetObject\nb:\n  errorCode: x\ncondition: a and b or b", [][]string{nil}},
		{"or under and", "a:\n  eventName: GetObject\nb:\n  errorCode: x\nc:\n  errorCode: y\ncondition: a and (b or c)",
			[][]string{{"a"}}},
		{"parentheses", "a:\n  eventName: GetObject\nb:\n  errorCode: x\nc:\n  errorCode: y\ncondition: (a and b) and c",
			[][]string{{"a", "b", "c"}}},
		{"all of", "sel_a:\n  eventName: GetObject\nsel_b:\n  errorCode: x\ncondition: all of sel_*",
			[][]string{{"sel_a", "sel_b"}}},
		{"one of", "sel_a:\n  eventName: GetObject\nsel_b:\n  errorCode: x\ncondition: 1 of sel_*", [][]string{nil}},
		{"named twice", "a:\n  eventName: GetObject\nb:\n  errorCode: x\ncondition: a and b and a", [][]string{{"a", "b"}}},
		{"list of conditions", "a:\n  eventName: GetObject\nb:\n  errorCode: x\ncondition:\n  - a and b\n  - b",
			[][]string{{"a", "b"}, {"b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRule("test.yml", []byte(ruleYAML(tc.detection)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := RequiredSearches(r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("RequiredSearches = %q, want %q", got, tc.want)
			}
		})
	}
}
