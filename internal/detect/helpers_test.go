package detect

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/jsonscan"
)

// ruleYAML wraps a detection block (written without indentation) into a
// complete CloudTrail rule.
func ruleYAML(detection string) string {
	var b strings.Builder
	b.WriteString("title: test rule\nid: 00000000-0000-4000-8000-000000000000\n")
	b.WriteString("logsource:\n  product: aws\n  service: cloudtrail\ndetection:\n")
	for _, line := range strings.Split(strings.TrimRight(detection, "\n"), "\n") {
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("level: low\n")
	return b.String()
}

func compileOne(t testing.TB, detection string, opts Options) (*Matcher, error) {
	t.Helper()
	r, err := ParseRule("test.yml", []byte(ruleYAML(detection)))
	if err != nil {
		return nil, err
	}
	m, err := Compile([]*Rule{r}, opts)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// decode reads a record the way the naive path does.
func decode(t testing.TB, record string) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(record)))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("decode record: %v", err)
	}
	return doc
}

// matchBoth runs the raw matcher and the decoded-map path and fails when
// they disagree.
func matchBoth(t testing.TB, m *Matcher, record string) []Match {
	t.Helper()
	fast, err := m.Match([]byte(record))
	if err != nil {
		t.Fatalf("match: %v", err)
	}
	slow := m.MatchDecoded(decode(t, record))
	if len(fast) != len(slow) {
		t.Fatalf("raw matcher found %d matches, decoded path %d", len(fast), len(slow))
	}
	if top, ok := jsonscan.AppendMembers(nil, []byte(record)); ok {
		known, err := m.AppendMatchesKnown(nil, []byte(record), top, nil)
		if err != nil || !reflect.DeepEqual(known, fast) {
			t.Fatalf("with the top-level members given: %v, %+v; scanning them: %+v", err, known, fast)
		}
	}
	if top, idx, ok := cloudtrail.Listed([]byte(record)); ok {
		known, err := m.AppendMatchesKnown(nil, []byte(record), top, idx)
		if err != nil || !reflect.DeepEqual(known, fast) {
			t.Fatalf("with the reader's listing: %v, %+v; scanning: %+v", err, known, fast)
		}
	}
	return fast
}
