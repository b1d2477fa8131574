package detect

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Documents of a bundle, ten, ten and eight lines long.
const (
	bundleA = "title: secret read\nname: secret_read\nid: 11111111-1111-4111-8111-111111111111\n" +
		"logsource:\n  product: aws\n  service: cloudtrail\n" +
		"detection:\n  sel:\n    eventName: GetSecretValue\n  condition: sel\n"
	bundleB = "title: keys listed\nname: keys_listed\nid: 22222222-2222-4222-8222-222222222222\n" +
		"logsource:\n  product: aws\n  service: cloudtrail\n" +
		"detection:\n  sel:\n    eventName: ListAccessKeys\n  condition: sel\n"
	bundleC = "title: burst\nid: c-1\ncorrelation:\n  type: event_count\n" +
		"  rules: [secret_read, keys_listed]\n" +
		"  group-by: [userIdentity.arn]\n  timespan: 10m\n  condition: {gte: 3}\n"
	bundle = bundleA + "---\n" + bundleB + "---\n" + bundleC
)

func TestParseRules(t *testing.T) {
	cases := []struct {
		name  string
		yaml  string
		lines []int    // the first lines of the rules read
		errs  []string // the beginning of each error, in order
		unsup bool
	}{
		{"bundle", bundle, []int{1, 12, 23}, nil, false},
		{"one rule", bundleA, []int{1}, nil, false},
		{"leading marker and comment", "# two rules\n---\n" + bundleA + "---\n" + bundleB,
			[]int{3, 14}, nil, false},
		{"CRLF", strings.ReplaceAll(bundle, "\n", "\r\n"), []int{1, 12, 23}, nil, false},
		{"marker with a comment", bundleA + "--- # the next\n" + bundleB, []int{1, 12}, nil, false},
		{"marker in a block scalar", "description: |\n  ---\n  a line\n" + bundleA, []int{1}, nil, false},
		{"document end and directive", bundleA + "...\n%YAML 1.1\n---\n" + bundleB,
			[]int{1, 14}, nil, false},
		{"bad YAML between", bundleA + "---\ntitle: [\n---\n" + bundleB, []int{1, 14},
			[]string{"b.yml:12: invalid YAML: did not find expected node content"}, false},
		{"missing detection between",
			bundleA + "---\ntitle: half\nlogsource: {product: aws, service: cloudtrail}\n---\n" + bundleB,
			[]int{1, 15}, []string{`b.yml:12:1: missing required key "detection"`}, false},
		{"not UTF-8 between", bundleA + "---\ntitle: caf\xe9\n---\n" + bundleB, []int{1, 14},
			[]string{"b.yml:12:11: not UTF-8 text"}, false},
		{"empty document", bundleA + "---\n---\n" + bundleB, []int{1, 13},
			[]string{`b.yml:11:1: empty YAML document: each document of a rule file, ` +
				`between "---" lines, is a rule`}, false},
		{"document of a comment", bundleA + "---\n# nothing yet\n---\n" + bundleB, []int{1, 14},
			[]string{"b.yml:11:1: empty YAML document"}, false},
		// A marker after the last rule opens none: it is let be.
		{"trailing marker", bundleA + "---\n", []int{1}, nil, false},
		{"trailing marker and comment", bundleA + "---\n" + bundleB + "---\n# end\n", []int{1, 12}, nil, false},
		{"trailing marker after a broken document", bundleA + "---\ntitle: [\n---\n", []int{1},
			[]string{"b.yml:12: invalid YAML"}, false},
		{"two broken", "---\n---\ntitle: [\n---\n" + bundleB, []int{5},
			[]string{"b.yml:1:1: empty YAML document", "b.yml:3: invalid YAML"}, false},
		{"duplicate key in a later document", bundleA + "---\n" + bundleB + "title: again\n", []int{1},
			[]string{`b.yml:22:1: duplicate key "title"`}, false},
		{"later unsupported", bundleA + "---\ntitle: f\nfilter:\n  rules: [a]\n", []int{1},
			[]string{"b.yml:13:1: unsupported sigma feature: sigma filters"}, true},
		{"action global", "action: global\ntitle: t\n" +
			"logsource: {product: aws, service: cloudtrail}\n---\n" +
			"detection:\n  sel: {eventName: A}\n  condition: sel\n", nil,
			[]string{"b.yml:1:1: unsupported sigma feature: legacy rule collection (action: global)"}, true},
		{"action reset", bundleA + "---\naction: reset\n", nil,
			[]string{"b.yml:12:1: unsupported sigma feature: legacy rule collection (action: reset)"}, true},
		{"action repeat", bundleA + "---\naction: repeat\ndetection:\n  sel: {eventName: B}\n" +
			"  condition: sel\n", nil, []string{"b.yml:12:1: unsupported sigma feature: legacy rule collection (action: repeat)"},
			true},
		{"empty file", "", nil, []string{"b.yml: empty rule file"}, false},
		{"comments only", "# nothing\n", nil, []string{"b.yml: empty rule file"}, false},
		{"too many documents", strings.Repeat("---\n", MaxRuleDocuments+1), nil,
			[]string{"b.yml: rule file holds more than the 1000 YAML documents a file may have"}, false},
		// Each part a document and the error after its end.
		{"too many documents and errors", strings.Repeat("---\ntitle: t\n...\nx: 1\n", 600), nil,
			[]string{"b.yml: rule file holds more than the 1000 YAML documents"}, false},
		{"over the size", bundleA + "#" + strings.Repeat("x", MaxRuleSize), nil,
			[]string{"b.yml: rule file larger than the 1048576 bytes"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rules, err := ParseRules("b.yml", []byte(tc.yaml))
			var lines []int
			for _, r := range rules {
				lines = append(lines, r.Line)
			}
			if !slices.Equal(lines, tc.lines) {
				t.Errorf("rules at lines %v, want %v", lines, tc.lines)
			}
			got := unjoined(err)
			if len(got) != len(tc.errs) {
				t.Fatalf("errors %q, want %d", got, len(tc.errs))
			}
			for i, e := range got {
				var re *RuleError
				if !strings.HasPrefix(e.Error(), tc.errs[i]) || !errors.As(e, &re) {
					t.Errorf("error %d: %v, want a RuleError starting %q", i, e, tc.errs[i])
				}
			}
			if err != nil && errors.Is(err, ErrUnsupported) != tc.unsup {
				t.Errorf("errors.Is(ErrUnsupported) = %v, want %v", !tc.unsup, tc.unsup)
			}
		})
	}
}

// unjoined returns the errors errors.Join joined, or err alone.
func unjoined(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// TestBundleRules checks what each rule of a bundle keeps: its own keys,
// the file's name, and its line where messages name it.
func TestBundleRules(t *testing.T) {
	rules, err := ParseRules("b.yml", []byte(bundle))
	if err != nil || len(rules) != 3 {
		t.Fatalf("%d rules, %v", len(rules), err)
	}
	a, b, c := rules[0], rules[1], rules[2]
	if a.Name != "secret_read" || b.Name != "keys_listed" || c.Correlation == nil || c.ID != "c-1" {
		t.Fatalf("read %+v, %+v, %+v", a, b, c)
	}
	if ref := c.Correlation.Rules[1]; ref.Ref != "keys_listed" || ref.Line != 27 || ref.Column != 24 {
		t.Errorf("second reference %+v, want keys_listed at 27:24", ref)
	}
	for _, r := range rules {
		if r.File != "b.yml" || r.Source == nil || r.Source.Line != r.Line {
			t.Errorf("rule %s: file %q, source %v", r.Title, r.File, r.Source)
		}
	}
	if w := b.Where(); w != "b.yml:12" {
		t.Errorf("Where = %q, want b.yml:12", w)
	}
	many := strings.Repeat(bundleA+"---\n", MaxRuleDocuments-1) + bundleA
	// As many rules as a file may hold, also after a directive and before
	// a "---" that ends the file.
	for _, text := range []string{many, many + "---\n", "%YAML 1.1\n---\n" + many} {
		if rules, err := ParseRules("m.yml", []byte(text)); err != nil || len(rules) != MaxRuleDocuments {
			t.Errorf("a file of %d rules (%.20q…): %d read, %v", MaxRuleDocuments, text, len(rules), err)
		}
	}
	one, err := ParseRules("a.yml", []byte(bundleA))
	if err != nil || one[0].Where() != "a.yml" {
		t.Errorf("a file of one rule: %v, Where %q", err, one[0].Where())
	}
}

// TestBundleCompile checks that Compile places its errors in the file,
// whatever document they are in, and keeps the rules of the others.
func TestBundleCompile(t *testing.T) {
	src := strings.Replace(bundle, "eventName: ListAccessKeys", "eventName|x: ListAccessKeys", 1)
	rules, err := ParseRules("b.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(rules, Options{})
	if err == nil || err.Error() != `b.yml:20:5: field "eventName|x": unknown modifier "x"` {
		t.Errorf("error %v, want b.yml:20:5: unknown modifier", err)
	}
	if got := m.Rules(); len(got) != 1 || got[0] != rules[0] {
		t.Errorf("matcher holds %v, want the first rule alone", got)
	}
}
