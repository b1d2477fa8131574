package detect

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// corrYAML is a correlation rule with body as its correlation section.
func corrYAML(body string) string {
	return "title: burst\nid: c-1\nlevel: medium\ncorrelation:\n" + body
}

const goodCorr = "  type: value_count\n  rules:\n    - secret_read\n  group-by:\n    - userIdentity.arn\n" +
	"  timespan: 10m\n  condition:\n    gte: 10\n    field: requestParameters.secretId\n"

func TestParseCorrelation(t *testing.T) {
	r, err := ParseRule("c.yml", []byte(corrYAML(goodCorr)))
	if err != nil {
		t.Fatal(err)
	}
	c := r.Correlation
	if c == nil || c.Type != CountValues || c.Timespan != 10*time.Minute || c.Span != "10m" ||
		c.Field != "requestParameters.secretId" || len(c.Rules) != 1 || c.Rules[0].Ref != "secret_read" ||
		c.Rules[0].Line != 7 || c.Rules[0].Column != 7 || len(c.GroupBy) != 1 || c.Generate ||
		c.Condition() != "gte 10" {
		t.Fatalf("parsed %+v", c)
	}
	r, err = ParseRule("c.yml", []byte("name: n1\ngenerate: true\n"+corrYAML("  type: event_count\n  rules: x\n  timespan: 1d\n  condition: {gt: 2}\n")))
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "n1" || !r.Correlation.Generate || r.Correlation.GroupBy != nil || r.Correlation.Timespan != 24*time.Hour ||
		r.Correlation.Holds(2) || !r.Correlation.Holds(3) || !r.Correlation.Holds(500) {
		t.Fatalf("parsed %+v", r.Correlation)
	}
	// Compile leaves a correlation rule out: it matches no record.
	m, err := Compile([]*Rule{r}, Options{})
	if err != nil || len(m.Rules()) != 0 {
		t.Errorf("Compile: %v, %d rules", err, len(m.Rules()))
	}
}

// TestCorrelationRefusals checks each refusal with its position.
func TestCorrelationRefusals(t *testing.T) {
	swap := func(old, new string) string { return corrYAML(strings.Replace(goodCorr, old, new, 1)) }
	cases := []struct {
		name, yaml, want string
		unsup            bool
	}{
		{"unknown type", swap("value_count", "value_sum_of"), `c.yml:5:9: unknown correlation type "value_sum_of"`, false},
		{"temporal", swap("value_count", "temporal"), `c.yml:5:9: unsupported sigma feature: correlation type "temporal" is not supported`, true},
		{"temporal ordered", swap("value_count", "temporal_ordered"), `c.yml:5:9: unsupported sigma feature: correlation type "temporal_ordered"`, true},
		{"upper bound", swap("gte: 10", "lt: 3"), `c.yml:12:5: unsupported sigma feature: condition lt is not supported: ttc reports bursts`, true},
		{"at most", swap("gte: 10", "lte: 3"), `c.yml:12:5: unsupported sigma feature: condition lte is not supported`, true},
		{"exactly", swap("gte: 10", "eq: 3"), `c.yml:12:5: unsupported sigma feature: condition eq is not supported`, true},
		{"range", swap("gte: 10", "gt: 100\n    lte: 200"), `c.yml:13:5: unsupported sigma feature: condition lte is not supported`, true},
		{"no rules", swap("  rules:\n    - secret_read\n", ""), `c.yml:4:1: correlation has no "rules"`, false},
		{"empty rules", swap("  rules:\n    - secret_read\n", "  rules: []\n"), `c.yml:6:3: correlation rules is empty`, false},
		{"rules a map", swap("  rules:\n    - secret_read\n", "  rules: {a: b}\n"), `c.yml:6:10: correlation rules must be a list`, false},
		{"empty reference", swap("- secret_read", "- ''"), `c.yml:7:7: a correlation's rule reference is empty`, false},
		{"no timespan", swap("  timespan: 10m\n", ""), `c.yml:4:1: correlation has no "timespan"`, false},
		{"bad timespan unit", swap("10m", "10M"), `c.yml:10:13: timespan "10M" is not a number and a unit`, false},
		{"timespan words", swap("10m", "ten minutes"), `c.yml:10:13: timespan "ten minutes"`, false},
		{"zero timespan", swap("10m", "0s"), `c.yml:10:13: timespan "0s" is empty`, false},
		{"huge timespan", swap("10m", "999999d"), `c.yml:10:13: timespan "999999d" is longer than the 366 days`, false},
		{"no condition", swap("  condition:\n    gte: 10\n    field: requestParameters.secretId\n", ""), `c.yml:4:1: correlation has no "condition"`, false},
		{"condition a number", swap("  condition:\n    gte: 10\n    field: requestParameters.secretId\n", "  condition: 10\n"), `c.yml:11:14: correlation condition must be a mapping`, false},
		{"unknown operator", swap("gte: 10", "ge: 10"), `c.yml:12:5: unknown condition key "ge"`, false},
		{"negative count", swap("gte: 10", "gte: -1"), `c.yml:12:10: condition gte "-1" is not a whole number`, false},
		{"fraction", swap("gte: 10", "gte: 2.5"), `c.yml:12:10: condition gte "2.5" is not a whole number`, false},
		{"only a field", swap("    gte: 10\n", ""), `c.yml:12:5: correlation condition compares nothing`, false},
		{"value_count without field", swap("    field: requestParameters.secretId\n", ""), `c.yml:11:3: a value_count condition must name the field`, false},
		{"event_count with field", swap("value_count", "event_count"), `c.yml:11:3: an event_count condition counts events: it takes no field`, false},
		{"empty field part", swap("userIdentity.arn", "userIdentity..arn"), `c.yml:9:7: field name "userIdentity..arn" has an empty part`, false},
		{"wildcard group-by field", swap("userIdentity.arn", "userIdentity.*"), `c.yml:9:7: field name "userIdentity.*" holds a wildcard`, false},
		{"wildcard counted field", swap("field: requestParameters.secretId", "field: requestParameters.*"), `c.yml:13:12: field name "requestParameters.*" holds a wildcard`, false},
		{"group-by field twice", swap("    - userIdentity.arn\n", "    - userIdentity.arn\n    - userIdentity.arn\n"), `c.yml:10:7: group-by field "userIdentity.arn" is listed twice`, false},
		{"aliases", swap("  timespan: 10m\n", "  timespan: 10m\n  aliases:\n    ip: {a: b}\n"), `c.yml:11:3: unsupported sigma feature: correlation aliases`, true},
		{"unknown key", swap("  timespan: 10m\n", "  timespan: 10m\n  window: sliding\n"), `c.yml:11:3: unsupported sigma feature: correlation key "window"`, true},
		{"typo key", swap("  group-by:", "  groupby:"), `c.yml:8:3: unknown correlation key "groupby"`, false},
		{"generate not a boolean", swap("  timespan: 10m\n", "  timespan: 10m\n  generate: sometimes\n"), `c.yml:11:13: expected true or false, got "sometimes"`, false},
		{"with a detection", corrYAML(goodCorr) + "detection:\n  sel: {a: b}\n  condition: sel\n", `c.yml:14:1: a correlation rule has no detection`, false},
		{"without a title", strings.Replace(corrYAML(goodCorr), "title: burst\n", "", 1), `c.yml:1:1: missing required key "title"`, false},
		{"section not a map", "title: t\ncorrelation: [a]\n", `c.yml:2:14: correlation must be a mapping`, false},
		{"multi document", corrYAML(goodCorr) + "---\ntitle: b\n", `c.yml:14:1: a second YAML document starts here: a rule file of the catalog holds one rule`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRule("c.yml", []byte(tc.yaml))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want one starting %q", err, tc.want)
			}
			if errors.Is(err, ErrUnsupported) != tc.unsup {
				t.Errorf("errors.Is(ErrUnsupported) = %v, want %v", !tc.unsup, tc.unsup)
			}
		})
	}
}
