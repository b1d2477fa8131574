package detect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/jsonscan"
)

// FuzzParseRule feeds arbitrary rule files to the parser and the compiler:
// they may refuse them, never panic.
func FuzzParseRule(f *testing.F) {
	f.Add([]byte(ruleYAML("sel:\n  eventName|contains|all: [a, 'b*']\ncondition: sel and not 1 of f*\nf1:\n  x: null")))
	f.Add([]byte(ruleYAML("k:\n  - 'a\\*'\ncondition: k | count() > 3")))
	f.Add([]byte(ruleYAML("s:\n  a|re|i: '(x)+'\n  b|cidr: 10.0.0.0/8\n  c|gt: 1\n  d|fieldref|endswith: e\ncondition: all of them")))
	f.Add([]byte("title: t\ncorrelation: {}\n---\ntitle: u\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRule("fuzz.yml", data)
		if err != nil {
			return
		}
		m, _ := Compile([]*Rule{r}, Options{AnyLogsource: true})
		_, _ = m.Match([]byte(`{"eventName":"a","x":null,"b":"10.1.2.3","c":2,"d":"xe","e":"e"}`))
	})
}

// FuzzParseRules feeds arbitrary rule files to the reader of files of
// several documents: it may refuse them or some of their documents, never
// panic; every error names the file; and a file ParseRule reads as one
// rule gives that rule alone, at the same line.
func FuzzParseRules(f *testing.F) {
	f.Add([]byte(bundle))
	f.Add([]byte(bundleA + "---\ntitle: [\n---\n---\n" + bundleB + "...\n%YAML 1.1\n--- # c\n" + bundleC))
	f.Add([]byte("action: global\ntitle: t\n---\r\nlogsource: {}\n---\ndetection: {}\n"))
	f.Add([]byte("description: |\n  ---\n  x\n" + bundleA))
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := ParseRules("fuzz.yml", data)
		for _, e := range unjoined(err) {
			var re *RuleError
			if !errors.As(e, &re) || re.File != "fuzz.yml" {
				t.Fatalf("error %v names no file", e)
			}
		}
		if one, err := ParseRule("fuzz.yml", data); err == nil && (len(rules) != 1 || rules[0].Line != one.Line) {
			t.Fatalf("ParseRule reads one rule at line %d; ParseRules %d rules, %v", one.Line, len(rules), err)
		}
		m, _ := Compile(rules, Options{AnyLogsource: true})
		_, _ = m.Match([]byte(`{"eventName":"GetSecretValue","userIdentity":{"arn":"a"}}`))
	})
}

// fuzzRules is a rule set touching every evaluation path, for FuzzMatch.
const fuzzRules = `sel:
  eventName|contains: Delete
  userIdentity.type: [Root, null]
sel2:
  - requestParameters.items.name|re: '^a.?b'
  - sourceIPAddress|cidr: ['10.0.0.0/8', '::1/128']
  - requestParameters.n|gte: 3
  - eventTime|hour: 4
  - userIdentity.arn|fieldref|endswith: userIdentity.userName
  - a.b.c|exists: true
  - requestParameters: '*x*'
kw:
  - 'evil?'
condition: sel or 1 of sel2 or kw`

// fuzzIndexed are rules the Matcher indexes in each of its ways: on
// eventName, on eventSource, on other fields they pin (userIdentity.type,
// userAgent), and not at all. The decoded path evaluates every rule, so
// FuzzMatch checks the indexes against it.
var fuzzIndexed = []string{
	"sel:\n  eventName: [DeleteX, a]\ncondition: sel",
	"sel:\n  eventSource: s3.amazonaws.com\n  eventName|startswith: Get\ncondition: sel",
	"sel:\n  userIdentity.type: Root\nf:\n  eventType: AwsServiceEvent\ncondition: sel and not f",
	"sel:\n  userIdentity.type: AssumedRole\n  userIdentity.sessionContext.sessionIssuer.type: Role\ncondition: sel",
	"sel:\n  userAgent: TruffleHog\ncondition: sel",
	"sel:\n  userIdentity.arn|re: ':root$'\ncondition: sel",
}

// FuzzMatch feeds arbitrary bytes as records: Match may reject them, never
// panic, and on valid JSON it agrees with the decoded path.
func FuzzMatch(f *testing.F) {
	m, err := compileOne(f, fuzzRules, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(rec))
	f.Add([]byte(`{"eventName":"DeleteX","requestParameters":{"items":[{"name":"axb"},3],"n":"4"}}`))
	f.Add([]byte(`{"a.b":{"c":1},"a":{"b.c":2},"x":"\u00e9\"\\"}`))
	f.Add([]byte(`{"eventName":["Delete",{"a":[[[]]]}],"sourceIPAddress":"::1"}`))
	f.Add([]byte(`{"eventName":"a\`))
	f.Add([]byte(`{"userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"userAgent":"trufflehog"}`))
	f.Add([]byte(`{"userIdentity":[{"type":"x"},{"type":"AssumedRole","sessionContext":{"sessionIssuer":{"type":"Role"}}}]}`))
	f.Add([]byte(`{"userIdentity":{"type":{"k":"Root"}},"eventSource":"S3.amazonaws.com","eventName":"GetObject"}`))
	var rules []*Rule
	for i, d := range fuzzIndexed {
		r, err := ParseRule(fmt.Sprintf("indexed%d.yml", i), []byte(ruleYAML(d)))
		if err != nil {
			f.Fatal(err)
		}
		rules = append(rules, r)
	}
	indexed, err := Compile(rules, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, err := m.Match(data)
		if err != nil || !json.Valid(data) {
			return
		}
		if top, ok := jsonscan.AppendMembers(nil, data); ok {
			if known, err := m.AppendMatchesKnown(nil, data, top, nil); err != nil || !reflect.DeepEqual(known, fast) {
				t.Errorf("with the top-level members given: %v, %d matches; scanning them: %d", err, len(known), len(fast))
			}
		}
		if top, idx, ok := cloudtrail.Listed(data); ok {
			if known, err := m.AppendMatchesKnown(nil, data, top, idx); err != nil || !reflect.DeepEqual(known, fast) {
				t.Errorf("with the reader's listing: %v, %d matches; scanning: %d", err, len(known), len(fast))
			}
		}
		var doc map[string]any
		if json.Unmarshal(data, &doc) != nil || doc == nil || hasDuplicateKeys(data) {
			return
		}
		if slow := m.MatchDecoded(doc); len(slow) != len(fast) {
			t.Errorf("raw matcher %d matches, decoded path %d", len(fast), len(slow))
		}
		got, err := indexed.Match(data)
		if want := indexed.MatchDecoded(doc); err != nil || !sameRules(got, want) {
			t.Errorf("indexed rules: %v, matched %v; evaluating every rule: %v", err, ruleFiles(got), ruleFiles(want))
		}
	})
}

func sameRules(a, b []Match) bool {
	return reflect.DeepEqual(ruleFiles(a), ruleFiles(b))
}

func ruleFiles(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Rule.File)
	}
	return out
}

// hasDuplicateKeys reports whether some object of data repeats a key, where
// the raw matcher (first wins) and encoding/json (last wins) differ.
func hasDuplicateKeys(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []map[string]bool // nil for arrays
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if s, ok := tok.(string); ok && expectKey {
			top := stack[len(stack)-1]
			if top[s] {
				return true
			}
			top[s], expectKey = true, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, map[string]bool{})
			expectKey = true
			continue
		case json.Delim('['):
			stack = append(stack, nil)
			expectKey = false
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		expectKey = len(stack) > 0 && stack[len(stack)-1] != nil
	}
}
