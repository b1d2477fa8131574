package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// burstSample is the catalog's sample of a stolen role session reading
// twelve secrets in under three minutes.
const burstSample = "../../catalog/techniques/T1555.006/samples/match/secrets_read_in_bulk_by_stolen_role_session.json"

// TestScanCorrelation runs the catalog's bulk secret read correlation
// end to end: its finding in JSON, in JSON Lines, in Markdown, and through
// the filters and levels.
func TestScanCorrelation(t *testing.T) {
	out, errOut, code := ttc(t, "scan", "-o", "json", "--exit-code", burstSample)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFindings, errOut)
	}
	var doc struct {
		Summary struct {
			Matched  int `json:"matched"`
			Findings int `json:"findings"`
		} `json:"summary"`
		Findings []struct {
			TechniqueID string `json:"technique_id"`
			EventTime   string `json:"event_time"`
			Rule        struct {
				File  string `json:"file"`
				Level string `json:"level"`
			} `json:"rule"`
			Record struct {
				Ordinal int `json:"ordinal"`
			} `json:"record"`
			Correlation struct {
				Type      string            `json:"type"`
				Count     int               `json:"count"`
				Field     string            `json:"field"`
				Timespan  string            `json:"timespan"`
				FirstTime string            `json:"first_time"`
				LastTime  string            `json:"last_time"`
				Group     map[string]string `json:"group"`
				Records   []struct {
					File    string `json:"file"`
					Line    int    `json:"line"`
					Ordinal int    `json:"ordinal"`
				} `json:"records"`
			} `json:"correlation"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	// Twelve reads matched the rule that feeds the correlation; it reports
	// none of them itself.
	if doc.Summary.Matched != 12 || doc.Summary.Findings != 1 || len(doc.Findings) != 1 {
		t.Fatalf("summary %+v, %d findings", doc.Summary, len(doc.Findings))
	}
	f := doc.Findings[0]
	c := f.Correlation
	if f.TechniqueID != "T1555.006" || filepath.Base(f.Rule.File) != "secrets_read_in_bulk.yml" || f.Rule.Level != "medium" ||
		c.Type != "value_count" || c.Count != 12 || c.Field != "requestParameters.secretId" || c.Timespan != "10m" ||
		c.FirstTime != "2027-01-11T03:12:40Z" || c.LastTime != f.EventTime || len(c.Records) != 10 || c.Records[0].Line == 0 ||
		c.Group["userIdentity.arn"] != "arn:aws:sts::111122223333:assumed-role/reporting-etl-role/botocore-session-1736563921" {
		t.Errorf("finding %+v", f)
	}

	lines, _, _ := ttc(t, "scan", "-o", "jsonl", burstSample)
	if !strings.Contains(lines, `"correlation":{"type":"value_count","count":12,`) {
		t.Errorf("JSON Lines without the correlation:\n%s", lines)
	}
	md, _, _ := ttc(t, "scan", "-o", "markdown", burstSample)
	if !strings.Contains(md, "correlation=12 distinct requestParameters.secretId in 2m36s (10m at most)") {
		t.Errorf("Markdown does not say what was counted:\n%s", md)
	}
	table, _, code := ttc(t, "scan", "--group-by", "actor", burstSample)
	if code != 0 || !strings.Contains(table, "1 finding") || !strings.Contains(table, "reporting-etl-role") {
		t.Errorf("exit %d, --group-by actor:\n%s", code, table)
	}

	count := func(args ...string) int {
		t.Helper()
		out, errOut, _ := ttc(t, append(append([]string{"scan", "-o", "json"}, args...), burstSample)...)
		var d struct {
			Summary struct{ Findings int } `json:"summary"`
		}
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut)
		}
		return d.Summary.Findings
	}
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"--technique", "T1555"}, 1},
		{[]string{"--tactic", "TA0040"}, 0},
		{[]string{"--since", "2027-01-11T03:15:17Z"}, 0}, // the finding is placed at the read that made it ten
		{[]string{"--until", "2027-01-11T03:15:17Z"}, 1},
		// The rule it counts is informational: kept for it, silently.
		{[]string{"--min-level", "medium"}, 1},
		{[]string{"--min-level", "high"}, 0},
	} {
		if got := count(tc.args...); got != tc.want {
			t.Errorf("%v: %d findings, want %d", tc.args, got, tc.want)
		}
	}
}

// TestScanCorrelationRules checks --rules correlation rules: a reference
// to no rule is a broken rule, at its position; a type ttc does not
// evaluate is refused by name, with a warning.
func TestScanCorrelationRules(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("unknown_ref.yml", "title: Names nothing\ncorrelation:\n  type: event_count\n  rules:\n    - no_such_rule\n"+
		"  timespan: 5m\n  condition: {gte: 3}\n")
	write("temporal.yml", "title: Temporal\ncorrelation:\n  type: temporal\n  rules: [a, b]\n  timespan: 5m\n")
	_, errOut, code := ttc(t, "scan", "-o", "jsonl", "--rules", dir, burstSample)
	if code != exitError || !strings.Contains(errOut, `unknown_ref.yml:5:7: correlation names rule "no_such_rule", which no rule loaded has as its name or id`) {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, `temporal.yml:3:9: unsupported sigma feature: correlation type "temporal" is not supported`) {
		t.Errorf("the temporal correlation is not refused by name:\n%s", errOut)
	}
}

// TestScanCorrelationRecordsWithoutIDs: a burst of records without event
// IDs, noted compactly from the streamed header and read again for the
// finding, is reported without a warning that its file changed.
func TestScanCorrelationRecordsWithoutIDs(t *testing.T) {
	data, err := os.ReadFile(burstSample)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Records []map[string]any }
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc.Records {
		delete(r, "eventID")
	}
	noIDs, _ := json.Marshal(doc)
	path := filepath.Join(t.TempDir(), "no-ids.json")
	if err := os.WriteFile(path, noIDs, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := ttc(t, "scan", "-o", "jsonl", path)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"correlation":{`) || !strings.Contains(out, `"warnings":0`) || strings.Contains(errOut, "WARN") {
		t.Errorf("want a correlation finding and no warning; stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}
