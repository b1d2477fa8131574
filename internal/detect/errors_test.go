package detect

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name      string
		detection string
		want      string // substring of the error, which starts with test.yml:line:col
		pos       string
		unsup     bool
	}{
		{"unknown identifier", "sel:\n  eventName: X\ncondition: sel and other", `unknown search identifier "other"`, "test.yml:9:22:", false},
		{"upper-case operator", "sel:\n  eventName: X\ncondition: sel AND sel", `"AND" (operators are lower case)`, "test.yml:9:18:", false},
		{"unbalanced parenthesis", "sel:\n  eventName: X\ncondition: (sel", "missing closing parenthesis", "test.yml:9:", false},
		{"dangling operator", "sel:\n  eventName: X\ncondition: sel and", "condition ends", "test.yml:9:", false},
		{"pattern matches nothing", "sel:\n  eventName: X\ncondition: 1 of filter*", `"filter*" matches no search identifier`, "test.yml:9:", false},
		{"unknown modifier", "sel:\n  eventName|contain: X\ncondition: sel", `unknown modifier "contain"`, "test.yml:8:5:", false},
		{"flag without re", "sel:\n  eventName|i: X\ncondition: sel", "must follow the re modifier", "test.yml:8:5:", false},
		{"lookahead", "sel:\n  eventName|re: 'a(?=b)'\ncondition: sel", "RE2 syntax", "test.yml:8:19:", false},
		{"backreference", "sel:\n  eventName|re: '(a)\\1'\ncondition: sel", "RE2 syntax", "test.yml:8:19:", false},
		{"huge program", "sel:\n  eventName|re: 'v{1,1000}a|v{1,1000}b|v{1,1000}c'\ncondition: sel", "more than 2000", "test.yml:8:19:", false},
		{"bad cidr", "sel:\n  sourceIPAddress|cidr: 10.0.0/33\ncondition: sel", "not an IP prefix", "test.yml:8:", false},
		{"gt needs number", "sel:\n  x|gt: ten\ncondition: sel", "needs a number", "test.yml:8:", false},
		{"exists needs bool", "sel:\n  x|exists: yes\ncondition: sel", "one boolean", "test.yml:8:", false},
		{"re with contains", "sel:\n  x|re|contains: a\ncondition: sel", "cannot be combined", "test.yml:8:", false},
		{"base64 of wildcard", "sel:\n  x|contains|base64: a\ncondition: sel", "cannot encode", "test.yml:8:", false},
		{"nested map value", "sel:\n  x:\n    y: 1\ncondition: sel", "must be scalars", "test.yml:9:", false},
		{"empty list", "sel: []\ncondition: sel", "empty list", "test.yml:7:", false},
		{"null with neq", "sel:\n  x|neq: null\ncondition: sel", "cannot take a null", "test.yml:8:", false},
		{"expand without values", "sel:\n  x|expand: '%Servers%'\ncondition: sel", "placeholder %Servers% has no values", "test.yml:8:", true},
		{"aggregation count", "sel:\n  x: 1\ncondition: sel | count() by y > 5", `aggregation "count()"`, "test.yml:9:", true},
		{"aggregation near", "sel:\n  x: 1\ncondition: sel | near other", `aggregation "near"`, "test.yml:9:", true},
		{"timeframe", "sel:\n  x: 1\ntimeframe: 10m\ncondition: sel", "timeframe", "test.yml:9:", true},
		{"no condition", "sel:\n  x: 1", "no condition", "test.yml:7:", false},
		// Field names are matched as written: a wildcard or an empty part
		// would match no record, silently.
		{"wildcard field name", "sel:\n  requestParameters.*: X\ncondition: sel", `field name "requestParameters.*" holds a wildcard`, "test.yml:8:5:", false},
		{"field name with an empty part", "sel:\n  requestParameters..key: X\ncondition: sel", "has an empty part", "test.yml:8:5:", false},
		{"field twice in a selection", "sel:\n  eventName: A\n  eventName: B\ncondition: sel", `duplicate key "eventName"`, "test.yml:9:5:", false},
		{"condition twice", "sel:\n  eventName: A\ncondition: sel\ncondition: not sel", `duplicate key "condition"`, "test.yml:10:3:", false},
		{"parentheses too deep", "sel:\n  x: 1\ncondition: " + strings.Repeat("(", 101) + "sel" + strings.Repeat(")", 101),
			"nest more than 100 deep", "test.yml:9:114:", false},
		{"nots too deep", "sel:\n  x: 1\ncondition: " + strings.Repeat("not ", 101) + "sel", "nest more than 100 deep", "test.yml:9:414:", false},
		{"aliases past the values a rule may hold", aliasBomb(101, 1000), "more than 100000 values", "test.yml:208:8:", false},
		{"aliases past the text a rule may hold", "_base:\n  x: &v " + strings.Repeat("a", 100_000) + "\n" +
			"s1:\n  eventName|contains: [" + strings.TrimSuffix(strings.Repeat("*v, ", 50), ", ") + "]\ncondition: s1",
			"more than 4194304 bytes of text", "test.yml:10:", false},
		{"of repeated past the conditions' budget", "a:\n  x: 1\nb:\n  x: 2\ncondition: " + strings.TrimSuffix(strings.Repeat("1 of them or ", 5001), " or "),
			"name more than 10000 identifiers", "test.yml:11:", false},
		{"null key", "sel:\n  ~: x\ncondition: sel", "a key must be a string, not null", "test.yml:8:5:", false},
		{"list as a key", "sel:\n  ? [a]\n  : x\ncondition: sel", "a key must be a string, not a list", "test.yml:8:", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compileOne(t, tc.detection, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, tc.pos) {
				t.Errorf("error %q, want prefix %q and %q", msg, tc.pos, tc.want)
			}
			if errors.Is(err, ErrUnsupported) != tc.unsup {
				t.Errorf("errors.Is(ErrUnsupported) = %v, want %v", !tc.unsup, tc.unsup)
			}
		})
	}
}

// aliasBomb is a detection whose n selections each alias one list of size
// values, written once.
func aliasBomb(n, size int) string {
	var b strings.Builder
	b.WriteString("_base:\n  x: &v [")
	for i := range size {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "v%d", i)
	}
	b.WriteString("]\n")
	for i := range n {
		fmt.Fprintf(&b, "s%d:\n  x: *v\n", i)
	}
	b.WriteString("condition: 1 of s*")
	return b.String()
}

func TestParseRefusals(t *testing.T) {
	cases := []struct {
		name  string
		yaml  string
		want  string
		unsup bool
	}{
		{"temporal correlation", "title: c\ncorrelation:\n  type: temporal\n  rules: [a]\n", `correlation type "temporal" is not supported`, true},
		{"multi document", ruleYAML("sel:\n  x: 1\ncondition: sel") + "---\n" + ruleYAML("sel:\n  x: 1\ncondition: sel"),
			"r.yml:11:1: a second YAML document starts here", false},
		{"legacy collection", "action: global\n" + ruleYAML("sel:\n  x: 1\ncondition: sel"), "r.yml:1:1: unsupported sigma feature: legacy rule collection (action: global)", true},
		{"filter rule", "title: f\nfilter:\n  rules: [a]\n", "sigma filters", true},
		{"missing detection", "title: t\nlogsource:\n  product: aws\n", `missing required key "detection"`, false},
		{"not a mapping", "- a\n- b\n", "must be a YAML mapping", false},
		{"bad yaml", "title: [\n", "r.yml:1: invalid YAML: ", false},
		{"empty", "", "empty rule file", false},
		{"not UTF-8", "title: caf\xe9\n", "r.yml:1:11: not UTF-8 text", false},
		{"over the size", "title: t\n#" + strings.Repeat("x", MaxRuleSize), "larger than the 1048576 bytes a rule may have", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRule("r.yml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "r.yml") {
				t.Fatalf("error %v, want one naming r.yml and %q", err, tc.want)
			}
			if errors.Is(err, ErrUnsupported) != tc.unsup {
				t.Errorf("errors.Is(ErrUnsupported) = %v, want %v", !tc.unsup, tc.unsup)
			}
		})
	}
}

func TestLogsourceOption(t *testing.T) {
	src := strings.Replace(ruleYAML("sel:\n  x: 1\ncondition: sel"), "service: cloudtrail", "service: guardduty", 1)
	r, err := ParseRule("g.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile([]*Rule{r}, Options{}); !errors.Is(err, ErrLogsource) || !strings.HasPrefix(err.Error(), "g.yml:3:1: ") {
		t.Errorf("default: got %v, want ErrLogsource at the logsource key, g.yml:3:1", err)
	}
	m, err := Compile([]*Rule{r}, Options{AnyLogsource: true})
	if err != nil || len(m.Rules()) != 1 {
		t.Errorf("AnyLogsource: got %v with %d rules", err, len(m.Rules()))
	}
}

// TestOneBadRuleKeepsOthers checks that Compile keeps the good rules.
func TestOneBadRuleKeepsOthers(t *testing.T) {
	good, err := ParseRule("good.yml", []byte(ruleYAML("sel:\n  eventName: A\ncondition: sel")))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := ParseRule("bad.yml", []byte(ruleYAML("sel:\n  eventName|nope: A\ncondition: sel")))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile([]*Rule{bad, good}, Options{})
	var re *RuleError
	if !errors.As(err, &re) || re.File != "bad.yml" {
		t.Errorf("error %v, want a RuleError for bad.yml", err)
	}
	if rs := m.Rules(); len(rs) != 1 || rs[0] != good {
		t.Errorf("matcher holds %v, want only good.yml", rs)
	}
}

// TestSetBudget checks that the rules of one Matcher together stay within
// MaxSetValues: rules each within their own bounds (a folder of hundreds,
// or a file of as many documents) are compiled until the next would pass
// it, and the rest are left out and reported, each at its place.
func TestSetBudget(t *testing.T) {
	// 90,000 values a rule, under MaxRuleValues: two fit MaxSetValues
	// (250,000), the third does not; a small rule after it still does.
	var rules []*Rule
	for i := range 4 {
		det := aliasBomb(900, 100)
		if i == 3 {
			det = "sel:\n  eventName: A\ncondition: sel"
		}
		r, err := ParseRule(fmt.Sprintf("r%d.yml", i), []byte(ruleYAML(det)))
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, r)
	}
	m, err := Compile(rules, Options{})
	if got := len(m.Rules()); got != 3 {
		t.Errorf("matcher holds %d rules, want 3", got)
	}
	var re *RuleError
	if !errors.As(err, &re) || re.File != "r2.yml" || !strings.Contains(err.Error(), "that all rules may hold together") {
		t.Errorf("error %v, want r2.yml left out for the rules' bound", err)
	}
}
