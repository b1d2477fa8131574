package detect

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestExtractorTraps checks that the raw extractor is not fooled by keys
// inside nested objects or strings, and compares decoded text.
func TestExtractorTraps(t *testing.T) {
	cases := []struct {
		name   string
		record string
		want   bool
	}{
		{"plain", `{"eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com"}`, true},
		{"key nested in an object", `{"requestParameters":{"eventName":"DeleteTrail"},"eventSource":"cloudtrail.amazonaws.com"}`, false},
		{"key inside a string", `{"userAgent":"\"eventName\":\"DeleteTrail\"","eventSource":"cloudtrail.amazonaws.com"}`, false},
		{"key inside an array", `{"resources":[{"eventName":"DeleteTrail"}],"eventSource":"cloudtrail.amazonaws.com"}`, false},
		{"escaped key", `{"event\u004eame":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com"}`, true},
		{"escaped value", `{"eventName":"Delete\u0054rail","eventSource":"cloudtrail.amazonaws.com"}`, true},
		{"escaped quote before", `{"x":"a\\","eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com"}`, true},
		{"escaped quote inside", `{"x":"a\",\"eventName\":\"DeleteTrail","eventSource":"cloudtrail.amazonaws.com"}`, false},
		{"whitespace", " {\n \"eventName\" :\t\"DeleteTrail\" ,\r\n\"eventSource\":\"cloudtrail.amazonaws.com\" }\n", true},
		{"eventName as array", `{"eventName":["x","DeleteTrail"],"eventSource":"cloudtrail.amazonaws.com"}`, true},
		{"eventName as object", `{"eventName":{"v":"DeleteTrail"},"eventSource":"cloudtrail.amazonaws.com"}`, true},
	}
	m, err := compileOne(t, "sel:\n  eventSource: cloudtrail.amazonaws.com\n  eventName: DeleteTrail\ncondition: sel", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := len(matchBoth(t, m, tc.record)) > 0; got != tc.want {
				t.Errorf("match = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDuplicateKeys checks that the first of two equal keys is used. The
// decoded path (encoding/json) keeps the last one, so only the raw matcher
// is run here.
func TestDuplicateKeys(t *testing.T) {
	m, err := compileOne(t, "sel:\n  eventName: DeleteTrail\n  userIdentity.type: Root\ncondition: sel", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for rec, want := range map[string]bool{
		`{"eventName":"DeleteTrail","eventName":"StopLogging","userIdentity":{"type":"Root"}}`:         true,
		`{"eventName":"StopLogging","eventName":"DeleteTrail","userIdentity":{"type":"Root"}}`:         false,
		`{"eventName":"DeleteTrail","userIdentity":{"type":"Root","type":"IAMUser"}}`:                  true,
		`{"eventName":"DeleteTrail","userIdentity":{"type":"IAMUser"},"userIdentity":{"type":"Root"}}`: false,
		`{"eventName":"DeleteTrail","userIdentity.type":"Root"}`:                                       true,
		`{"eventName":"DeleteTrail","userIdentity":{"type":"IAMUser"},"userIdentity.type":"Root"}`:     false,
		`{"eventName":"DeleteTrail","userIdentity":{"arn":"x"},"userIdentity.type":"Root"}`:            false,
	} {
		ms, err := m.Match([]byte(rec))
		if err != nil || (len(ms) > 0) != want {
			t.Errorf("%s: got %d matches, %v; want match=%v", rec, len(ms), err, want)
		}
	}
}

func TestMalformedRecords(t *testing.T) {
	m, err := compileOne(t, "sel:\n  eventName: A\ncondition: sel", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range []string{``, `[]`, `{`, `{"eventName":`, `{"eventName":"A"`, `{"eventName" "A"}`,
		`{"eventName":"A",}x`, `{"eventName":"A"} trailing`, `{"a":{"b":[1,2}}`, `{"eventName":"A\"}`, `nul`} {
		if ms, err := m.Match([]byte(rec)); !errors.Is(err, ErrMalformed) || len(ms) > 0 {
			t.Errorf("%q: got %v, %v; want ErrMalformed and no match", rec, ms, err)
		}
	}
}

func TestEvidence(t *testing.T) {
	m, err := compileOne(t, "sel:\n  eventSource: s3.amazonaws.com\n  requestParameters.tags.key: team\n"+
		"filter:\n  userIdentity.type: Root\ncondition: sel and not filter", Options{})
	if err != nil {
		t.Fatal(err)
	}
	ms := matchBoth(t, m, rec)
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1", len(ms))
	}
	want := []FieldMatch{{"eventSource", "s3.amazonaws.com"}, {"requestParameters.tags.key", "team"}}
	if !reflect.DeepEqual(ms[0].Fields, want) {
		t.Errorf("evidence %v, want %v", ms[0].Fields, want)
	}
	if ms[0].Rule.Title != "test rule" {
		t.Errorf("rule %q", ms[0].Rule.Title)
	}
}

// TestIndexSoundness compiles rules whose conditions do and do not pin
// eventName, and checks where the index puts them and that each still
// matches the records it should.
func TestIndexSoundness(t *testing.T) {
	cases := []struct {
		name      string
		detection string
		bucket    string // name, source, another field's path, or all
		record    string
		want      bool
	}{
		{"plain name", "sel:\n  eventName: A\ncondition: sel", "name", `{"eventName":"a"}`, true},
		{"name under or", "a:\n  eventName: A\nb:\n  eventName: B\ncondition: a or b", "name", `{"eventName":"B"}`, true},
		{"or with unpinned branch", "a:\n  eventName: A\nb:\n  awsRegion: x\ncondition: a or b", "all", `{"eventName":"Z","awsRegion":"x"}`, true},
		{"negated name", "a:\n  eventName: A\ncondition: not a", "all", `{"eventName":"Z"}`, true},
		{"wildcard name", "a:\n  eventSource: s\n  eventName: Get*\ncondition: a", "source", `{"eventSource":"s","eventName":"GetX"}`, true},
		{"name and source", "a:\n  eventSource: s\nb:\n  eventName: [A, B]\ncondition: a and b", "name", `{"eventSource":"s","eventName":"B"}`, true},
		{"list of maps mixed", "a:\n  - eventName: A\n  - awsRegion: x\ncondition: a", "all", `{"eventName":"Z","awsRegion":"x"}`, true},
		{"neq name", "a:\n  eventName|neq: A\ncondition: a", "all", `{"eventName":"Z"}`, true},
		{"null name", "a:\n  eventName: [A, null]\ncondition: a", "all", `{"x":1}`, true},
		{"numeric name", "a:\n  eventName: 5\ncondition: a", "all", `{"eventName":5.0}`, true},
		{"cased name", "a:\n  eventName|cased: A\ncondition: a", "name", `{"eventName":"a"}`, false},
		// Rules that pin neither name nor source are indexed on a field they do pin.
		{"pinned identity type", "a:\n  userIdentity.type: Root\ncondition: a", "userIdentity.type", `{"userIdentity":{"type":"root"}}`, true},
		{"pinned type, other value", "a:\n  userIdentity.type: Root\ncondition: a", "userIdentity.type", `{"userIdentity":{"type":"IAMUser"}}`, false},
		{"pinned type, missing", "a:\n  userIdentity.type: Root\ncondition: a", "userIdentity.type", `{"eventName":"A"}`, false},
		{"pinned type in an array", "a:\n  userIdentity.type: Root\ncondition: a", "userIdentity.type", `{"userIdentity":[{"type":"x"},{"type":"Root"}]}`, true},
		{"pinned type, object value", "a:\n  userIdentity.type: Root\ncondition: a", "userIdentity.type", `{"userIdentity":{"type":{"k":"Root"}}}`, true},
		{"pinned type and negation", "a:\n  userIdentity.type: Root\nb:\n  eventType: AwsServiceEvent\ncondition: a and not b", "userIdentity.type", `{"userIdentity":{"type":"Root"},"eventType":"AwsApiCall"}`, true},
		{"negated type only", "a:\n  userIdentity.type: Root\ncondition: not a", "all", `{"userIdentity":{"type":"x"}}`, true},
		{"regex only", "a:\n  userIdentity.arn|re: '.+:root$'\ncondition: a", "all", `{"userIdentity":{"arn":"arn:aws:iam::1:root"}}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := compileOne(t, tc.detection, Options{})
			if err != nil {
				t.Fatal(err)
			}
			bucket := indexOf(m)
			if bucket != tc.bucket {
				t.Errorf("indexed by %s, want %s", bucket, tc.bucket)
			}
			if got := len(matchBoth(t, m, tc.record)) > 0; got != tc.want {
				t.Errorf("match = %v, want %v", got, tc.want)
			}
		})
	}
}

// indexOf names where a one-rule Matcher put its rule: "name", "source",
// the path of another indexed field, or "all".
func indexOf(m *Matcher) string {
	for _, x := range m.indexes {
		if len(x.all) > 0 {
			switch p := m.fields[x.fid].path; p {
			case "eventName":
				return "name"
			case "eventSource":
				return "source"
			default:
				return p
			}
		}
	}
	return "all"
}

func TestPatternEscapes(t *testing.T) {
	cases := []struct {
		value string
		text  string
		want  bool
	}{
		{`a*c`, `abbbc`, true},
		{`a\*c`, `abbbc`, false},
		{`a\*c`, `a*c`, true},
		{`a\?c`, `a?c`, true},
		{`a\?c`, `abc`, false},
		{`a\\*`, `a\xyz`, true},
		{`a\\*`, `axyz`, false},
		{`a\\\*`, `a\*`, true},
		{`a\\\*`, `a\x`, false},
		{`a\b`, `a\b`, true},
		{`a\\b`, `a\b`, true},
		{`a\\\\b`, `a\\b`, true},
		{`a\\\b`, `a\\b`, true},
		{`*`, ``, true},
		{`?`, ``, false},
		{`?`, `é`, true},
		{`??`, `é`, false},
		{`*a*b*a*`, `xaxbxbxa`, true},
		{`*a*b*a*`, `xaxbxb`, false},
		{`a*b?d*`, `aXbcbXd`, true},
		{`a*a`, `a`, false},
		{`ab*ba`, `aba`, false},
	}
	for _, tc := range cases {
		p := compilePattern(parseSigmaString(tc.value), true, tc.value)
		if got := p.match([]byte(tc.text)); got != tc.want {
			t.Errorf("pattern %q on %q = %v, want %v", tc.value, tc.text, got, tc.want)
		}
	}
}

// TestDepthLimitAgrees checks that the raw and the decoded paths stop
// reading nested values at the same depth.
func TestDepthLimitAgrees(t *testing.T) {
	for _, d := range []string{"sel:\n  userAgent: x\ncondition: sel", "kw:\n  - deepkw\ncondition: kw"} {
		m, err := compileOne(t, d, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for n := maxDepth - 2; n <= maxDepth+2; n++ {
			for _, rec := range []string{
				`{"userAgent":` + strings.Repeat("[", n) + `"x"` + strings.Repeat("]", n) + `}`,
				`{"a":` + strings.Repeat("[", n) + `"deepkw"` + strings.Repeat("]", n) + `}`,
			} {
				matchBoth(t, m, rec) // fails when the two paths disagree
			}
		}
	}
}
